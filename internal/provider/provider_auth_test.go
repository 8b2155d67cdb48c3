package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

const pluginLookup = `
data "outreach_dynamics_plugin" "p" {
  id = 1
}
`

// The refresh-token flow mints once and every later Terraform command reuses the cached access
// token: with the sandbox clock standing still, a second mint would be refused by the 60-second
// throttle, so the later steps passing proves the cache works across provider processes.
func TestAccProviderAuth_refreshTokenCache(t *testing.T) {
	env := acctest.NewEnv(t)
	cacheDir := t.TempDir()
	cfg := fmt.Sprintf(`
provider "outreach" {
  outreach = {
    base_url        = %q
    client_id       = %q
    client_secret   = %q
    refresh_token   = %q
    redirect_uri    = %q
    token_cache_dir = %q
  }
}
`, env.Sandbox.OutreachURL(), sandbox.OAuthClientID, sandbox.OAuthClientSecret, sandbox.SeedRefreshToken, sandbox.OAuthRedirectURI, cacheDir) + pluginLookup
	check := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.p", tfjsonpath.New("kind"), knownvalue.StringExact("dynamics")),
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: check},
			{Config: cfg, ConfigStateChecks: check},
		},
	})
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no token cache written in %s: %v", cacheDir, err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if !e.IsDir() && filepath.Ext(e.Name()) != ".lock" && info.Mode().Perm() != 0o600 {
			t.Errorf("cache file %s has mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
}

func TestAccProviderAuth_s2s(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	env := acctest.NewEnvWithOptions(t, sandbox.Options{S2SPublicKey: &key.PublicKey})
	keyPath := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	s2s := func(keyRef string) string { return s2sConfig(env, keyRef) }
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: s2s(keyPath), // a path to the key
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.p", tfjsonpath.New("id"), knownvalue.Int64Exact(1)),
				},
			},
			{
				Config:      s2s(otherPEM), // PEM text, but not the app's key
				ExpectError: regexp.MustCompile(`401`),
			},
		},
	})
}

func TestAccProviderAuth_azureClientSecret(t *testing.T) {
	env := acctest.NewEnv(t)
	azure := func(secret string) string { return azureSecretConfig(env, secret) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            azure(sandbox.AzureClientSecret),
				ConfigStateChecks: donotphoneRead,
			},
			{
				Config:      azure("wrong-secret"),
				ExpectError: regexp.MustCompile(`AADSTS7000215`),
			},
		},
	})
}

// s2sConfig signs in to the sandbox's Outreach with the S2S app and a private key (PEM text or
// a path), and reads plugin 1.
func s2sConfig(env *acctest.Env, keyRef string) string {
	return fmt.Sprintf(`
provider "outreach" {
  outreach = {
    base_url        = %q
    s2s_app_id      = %q
    s2s_install_id  = "%d"
    s2s_private_key = %q
  }
}
`, env.Sandbox.OutreachURL(), sandbox.S2SAppID, sandbox.S2SInstallID, keyRef) + pluginLookup
}

// azureSecretConfig signs in to the sandbox's Dataverse with the app's client secret and reads
// lead.donotphone (donotphoneRead checks it).
func azureSecretConfig(env *acctest.Env, secret string) string {
	return fmt.Sprintf(`
provider "outreach" {
  dynamics = {
    url            = %q
    tenant_id      = %q
    client_id      = %q
    client_secret  = %q
    authority_host = "%s/"
  }
}
data "dynamics_attribute" "a" {
  provider     = outreach
  entity       = "lead"
  logical_name = "donotphone"
}
`, env.Sandbox.DynamicsURL(), sandbox.AzureTenantID, sandbox.AzureClientID, secret, env.Sandbox.DynamicsURL())
}

var donotphoneRead = []statecheck.StateCheck{
	statecheck.ExpectKnownValue("data.dynamics_attribute.a", tfjsonpath.New("display_name"), knownvalue.StringExact("Do not allow Phone Calls")),
}

func TestAccProvider_incompleteCredentialsNameWhatIsMissing(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "outreach" {
  outreach = {
    client_id = "abc"
  }
}` + pluginLookup,
			ExpectError: regexp.MustCompile(`(?s)Incomplete Outreach OAuth credentials.*outreach.client_secret \(OUTREACH_CLIENT_SECRET\)`),
		}},
	})
}

// A provider configured from a value known only after apply does not fall back to the
// environment: the plan skips its live checks and the apply, with the value known, connects.
func TestAccProvider_configurationKnownOnlyAtApply(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input = %q
}
provider "outreach" {
  outreach = {
    base_url     = terraform_data.endpoint.output
    access_token = %q
  }
}
resource "outreach_dynamics_field_mapping" "m" {
  object         = "lead"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
}
`, env.Sandbox.OutreachURL(), acctest.OutreachToken),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("outreach_dynamics_field_mapping.m", tfjsonpath.New("plugin_id"), knownvalue.Int64Exact(1)),
			},
		}},
	})
}
