package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// deferredDynamicsConfig configures the provider's Dataverse URL from a terraform_data output,
// so that the provider's settings are unknown whenever that resource is (re)planned; trigger
// forces such a replacement. The column takes its solution from the provider default.
func deferredDynamicsConfig(env *acctest.Env, trigger, displayName string) string {
	return deferredEndpoint(env.Sandbox.DynamicsURL(), trigger) + fmt.Sprintf(`
provider "outreach" {
  dynamics = {
    url          = terraform_data.endpoint.output
    access_token = %q
    solution     = "OptOutSync"
  }
}
`, acctest.DynamicsToken) + salesOptOutNamed(displayName)
}

// deferredEndpoint is a terraform_data "endpoint" whose output is url, replaced (its output
// unknown during plan) whenever trigger changes.
func deferredEndpoint(url, trigger string) string {
	return fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input            = %q
  triggers_replace = %q
}
`, url, trigger)
}

// salesOptOutNamed is the column "test" with a display name, unprotected so the test can end.
func salesOptOutNamed(displayName string) string {
	return fmt.Sprintf(`
resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  display_name        = %q
  deletion_protection = false
}
`, displayName)
}

// With the provider's dynamics settings known only at apply, the solution default is planned
// as unknown (not null), so the apply may fill in the provider's solution without an
// inconsistent final plan.
func TestAccSalesOptOutField_solutionDefaultWithDeferredProviderConfig(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: deferredDynamicsConfig(env, "1", "Sales opt-out"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("solution"), knownvalue.StringExact("OptOutSync")),
			},
		}},
	})
}

// A second apply whose provider settings are unknown during plan (the endpoint is being
// replaced) still refreshes the existing column from its state, plans the change, and applies
// it once the settings are known.
func TestAccSalesOptOutField_refreshWithProviderConfigUnknownAtPlan(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: deferredDynamicsConfig(env, "1", "Sales opt-out")},
			{
				Config: deferredDynamicsConfig(env, "2", "Sales opt-out (CRM)"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("terraform_data.endpoint", plancheck.ResourceActionReplace),
						plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Sales opt-out (CRM)")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("solution"), knownvalue.StringExact("OptOutSync")),
				},
			},
		},
	})
}

// The same for the Outreach half: a mapping refreshes from its state while the provider's
// outreach settings are unknown during plan.
func TestAccFieldMapping_refreshWithProviderConfigUnknownAtPlan(t *testing.T) {
	env := acctest.NewEnv(t)
	config := func(trigger string) string {
		return deferredEndpoint(env.Sandbox.OutreachURL(), trigger) + fmt.Sprintf(`
provider "outreach" {
  outreach = {
    base_url     = terraform_data.endpoint.output
    access_token = %q
    plugin_id    = 1
  }
}
resource "outreach_dynamics_field_mapping" "m" {
  object         = "lead"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
}
`, acctest.OutreachToken)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("1")},
			{
				Config: config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("terraform_data.endpoint", plancheck.ResourceActionReplace),
						plancheck.ExpectResourceAction("outreach_dynamics_field_mapping.m", plancheck.ResourceActionNoop),
					},
				},
			},
		},
	})
}
