package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// oidcJWTLifetime is longer than every emulated CI token's lifetime (GitHub 5 min, Azure
// Pipelines 10 min, the tokens these tests mint 5 min): moving the clock by it between two steps
// expires every JWT of the first step.
const oidcJWTLifetime = 5 * time.Minute

// oidcConfig is a provider signing in to the sandbox's Dataverse with the OIDC settings given,
// and a column whose display name the second step changes.
func oidcConfig(env *acctest.Env, settings, displayName string) string {
	return fmt.Sprintf(`
provider "outreach" {
  dynamics = {
    url            = %q
    tenant_id      = %q
    client_id      = %q
    authority_host = "%s/"
    solution       = "OptOutSync"
%s
  }
}
`, env.Sandbox.DynamicsURL(), sandbox.AzureTenantID, sandbox.AzureClientID, env.Sandbox.DynamicsURL(), settings) + salesOptOutNamed(displayName)
}

// mintHCPToken is an HCP Terraform workload identity token for the apply phase.
func mintHCPToken(t *testing.T, env *acctest.Env) string {
	t.Helper()
	tok, err := env.Sandbox.IssueToken(sandbox.HCPTerraformIssuer, sandbox.HCPTerraformApplySubject, sandbox.FederatedAudience, oidcJWTLifetime)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Each CI sign-in method creates a column, then, after the sandbox clock has moved past the
// lifetime of every JWT the first step used, changes it. The sandbox's token log proves that no
// client secret was ever sent, that every sign-in presented a client assertion Entra accepted
// (an expired one is refused with AADSTS700024), and that the later sign-ins presented a JWT
// issued after the first one expired.
func TestAccProviderAuth_dynamicsOIDC(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup returns the provider block's OIDC settings; rotate runs before the second step,
		// after the clock moved (a new phase's token, a rotated file).
		setup func(t *testing.T, env *acctest.Env) (settings string, rotate func())
	}{
		{name: "GitHub Actions from the runner's variables", setup: func(t *testing.T, env *acctest.Env) (string, func()) {
			t.Setenv("ARM_USE_OIDC", "true")
			t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", env.Sandbox.GitHubRequestURL())
			t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", sandbox.GitHubRequestToken)
			return "", nil
		}},
		{name: "Azure Pipelines service connection", setup: func(t *testing.T, env *acctest.Env) (string, func()) {
			t.Setenv("SYSTEM_OIDCREQUESTURI", env.Sandbox.AzurePipelinesRequestURI())
			t.Setenv("SYSTEM_ACCESSTOKEN", sandbox.AzurePipelinesAccessToken)
			return fmt.Sprintf("    ado_pipeline_service_connection_id = %q", sandbox.AzurePipelinesServiceConnectionID), nil
		}},
		{name: "oidc_token from TFC_WORKLOAD_IDENTITY_TOKEN", setup: func(t *testing.T, env *acctest.Env) (string, func()) {
			t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN", mintHCPToken(t, env))
			// HCP Terraform gives every run phase a new token.
			return "    use_oidc = true", func() { t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN", mintHCPToken(t, env)) }
		}},
		{name: "oidc_token_file_path", setup: func(t *testing.T, env *acctest.Env) (string, func()) {
			file := filepath.Join(t.TempDir(), "token")
			write := func() {
				if err := os.WriteFile(file, []byte(mintHCPToken(t, env)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			write()
			return fmt.Sprintf("    oidc_token_file_path = %q", file), write
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			settings, rotate := tc.setup(t, env)
			var firstStepSignIns int
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{
					{Config: oidcConfig(env, settings, "Sales opt-out")},
					{
						PreConfig: func() {
							firstStepSignIns = len(env.Sandbox.EntraTokenRequests())
							env.Sandbox.AdvanceClock(2 * oidcJWTLifetime)
							if rotate != nil {
								rotate()
							}
						},
						Config: oidcConfig(env, settings, "Sales opt-out (CI)"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Sales opt-out (CI)")),
						},
					},
				},
			})
			log := env.Sandbox.EntraTokenRequests()
			if firstStepSignIns == 0 || len(log) <= firstStepSignIns {
				t.Fatalf("want sign-ins in both steps, got %d then %d", firstStepSignIns, len(log)-firstStepSignIns)
			}
			for i, r := range log {
				if r.SecretSent || r.Assertion == nil || r.Status != 200 {
					t.Fatalf("sign-in %d was not an accepted federated assertion without a secret: %+v", i, r)
				}
			}
			firstExpiry := log[0].Assertion.ExpiresAt
			for _, r := range log[firstStepSignIns:] {
				if r.Assertion.IssuedAt.Before(firstExpiry) || r.Assertion.ID == log[0].Assertion.ID {
					t.Errorf("a sign-in after the clock moved presented a JWT of before (%+v; first JWT expired %s)", r.Assertion, firstExpiry)
				}
			}
		})
	}
}

// A long apply in fast-forward: every Dataverse request moves the sandbox clock by 150 s and
// access tokens live a minute, so one provider process signs in again and again while its CI
// JWTs (GitHub's live five minutes) run out in between. Every sign-in must present a JWT of its
// own; a provider that kept its first JWT would be refused with AADSTS700024 halfway through.
func TestAccProviderAuth_dynamicsOIDCLongApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, env *acctest.Env) string
	}{
		{name: "GitHub Actions", setup: func(t *testing.T, env *acctest.Env) string {
			t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", env.Sandbox.GitHubRequestURL())
			t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", sandbox.GitHubRequestToken)
			return "    use_oidc = true"
		}},
		{name: "Azure Pipelines", setup: func(t *testing.T, env *acctest.Env) string {
			t.Setenv("SYSTEM_OIDCREQUESTURI", env.Sandbox.AzurePipelinesRequestURI())
			t.Setenv("SYSTEM_ACCESSTOKEN", sandbox.AzurePipelinesAccessToken)
			return fmt.Sprintf("    ado_pipeline_service_connection_id = %q", sandbox.AzurePipelinesServiceConnectionID)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnvWithOptions(t, sandbox.Options{EntraAccessTokenLifetime: time.Minute})
			settings := tc.setup(t, env)
			env.Sandbox.SetFaults(sandbox.Faults{DynamicsClockStepSeconds: 150})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config: oidcConfig(env, settings, "Sales opt-out"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Sales opt-out")),
					},
				}},
			})
			log := env.Sandbox.EntraTokenRequests()
			if len(log) < 3 || log[len(log)-1].At.Sub(log[0].At) < 2*oidcJWTLifetime {
				t.Fatalf("want a long series of sign-ins, got %d over %v", len(log), log[len(log)-1].At.Sub(log[0].At))
			}
			seen := map[string]bool{}
			for i, r := range log {
				if r.SecretSent || r.Assertion == nil || r.Status != 200 {
					t.Fatalf("sign-in %d was not an accepted federated assertion without a secret: %+v", i, r)
				}
				if seen[r.Assertion.ID] {
					t.Fatalf("sign-in %d presented a JWT already used: %+v", i, r.Assertion)
				}
				seen[r.Assertion.ID] = true
			}
		})
	}
}
