package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// The provider's debug log carries method, path and status of every request, and never a
// credential: not the client secret, not the refresh token, not an access token.
func TestDebugLogCarriesRequestsButNoSecrets(t *testing.T) {
	srv, err := sandbox.Start(sandbox.Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	var diags diag.Diagnostics
	data := newProviderData(ctx, "test", providerModel{Outreach: &outreachModel{
		BaseURL:       types.StringValue(srv.OutreachURL()),
		ClientID:      types.StringValue(sandbox.OAuthClientID),
		ClientSecret:  types.StringValue(sandbox.OAuthClientSecret),
		RefreshToken:  types.StringValue(sandbox.SeedRefreshToken),
		RedirectURI:   types.StringValue(sandbox.OAuthRedirectURI),
		TokenCacheDir: types.StringValue(t.TempDir()),
	}}, &diags)
	if diags.HasError() {
		t.Fatalf("configure: %v", diags)
	}
	c := data.outreachClient(&diags)
	if c == nil {
		t.Fatalf("no client: %v", diags)
	}
	if _, err := c.GetPlugin(ctx, 1); err != nil {
		t.Fatal(err)
	}

	out := logs.String()
	for _, want := range []string{`"path":"/oauth/token"`, `"path":"/api/v2/plugins/1"`, `"method":"GET"`, `"status":200`} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %s:\n%s", want, out)
		}
	}
	for _, secret := range []string{sandbox.OAuthClientSecret, sandbox.SeedRefreshToken, "Bearer", "access_token", "refresh_token="} {
		if strings.Contains(out, secret) {
			t.Errorf("debug log contains %q:\n%s", secret, out)
		}
	}
}
