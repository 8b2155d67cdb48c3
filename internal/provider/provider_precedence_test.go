package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// The method set in the provider block decides: an access token exported in the shell for
// another Outreach org does not take over from the S2S app configured here.
func TestAccProviderAuth_configuredS2SWinsOverEnvironmentAccessToken(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	env := acctest.NewEnvWithOptions(t, sandbox.Options{S2SPublicKey: &key.PublicKey})
	t.Setenv("OUTREACH_ACCESS_TOKEN", "token-of-another-org")
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: s2sConfig(env, keyPEM),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.p", tfjsonpath.New("id"), knownvalue.Int64Exact(1)),
			},
		}},
	})
}

// The same for Dataverse: a DYNAMICS_ACCESS_TOKEN in the environment does not take over from
// the client secret configured in the provider block.
func TestAccProviderAuth_configuredClientSecretWinsOverEnvironmentAccessToken(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv("DYNAMICS_ACCESS_TOKEN", "token-of-another-org")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            azureSecretConfig(env, sandbox.AzureClientSecret),
			ConfigStateChecks: donotphoneRead,
		}},
	})
}
