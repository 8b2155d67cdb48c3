package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// CI systems and AKS set AZURE_FEDERATED_TOKEN_FILE on their own; a user who asks for the Azure
// CLI or a managed identity must get it, not workload identity.
func TestExplicitAzureMethodWinsOverAmbientFederatedToken(t *testing.T) {
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token")
	t.Setenv("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000001")
	t.Setenv("AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111")
	for _, tc := range []struct {
		name  string
		model dynamicsModel
		want  string
	}{
		{"use_cli", dynamicsModel{UseCLI: types.BoolValue(true)}, `"method":"azure_cli"`},
		{"use_managed_identity", dynamicsModel{UseManagedIdentity: types.BoolValue(true)}, `"method":"managed_identity"`},
		{"neither: the token file is used", dynamicsModel{}, `"method":"workload_identity"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &logs)
			var diags diag.Diagnostics
			m := tc.model
			m.URL = types.StringValue("https://contoso.crm.dynamics.com")
			data := newProviderData(ctx, "test", providerModel{Dynamics: &m}, &diags)
			if diags.HasError() || data.dynamics == nil {
				t.Fatalf("configure: %v %v", diags, data.dynamicsErr)
			}
			if !strings.Contains(logs.String(), tc.want) {
				t.Fatalf("credential log lacks %s:\n%s", tc.want, logs.String())
			}
		})
	}
}
