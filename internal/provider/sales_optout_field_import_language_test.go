package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// TestAccSalesOptOutField_importInOrgLanguage: in an org labelled in German (1031) only, an import
// must take the labels' language from the column, so that a configuration written in German plans
// nothing after the import.
func TestAccSalesOptOutField_importInOrgLanguage(t *testing.T) {
	env := acctest.NewEnv(t)
	resourceHCL := func(protect string) string {
		return `
import {
  provider = outreach
  to       = dynamics_sales_optout_field.test
  id       = "contact/new_salesoptout"
}

resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  language_code       = 1031
  display_name        = "Vertriebs-Opt-out"
  true_label          = "Ja"
  false_label         = "Nein"
  deletion_protection = ` + protect + `
}
`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { createSalesOptOutColumnOutOfBandIn(env, 1031, "Vertriebs-Opt-out", "Ja", "Nein") },
				Config:    env.Config(resourceHCL("true")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("language_code"), knownvalue.Int64Exact(1031)),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Vertriebs-Opt-out")),
				},
			},
			// Unprotect so that the test can clean up.
			{Config: env.Config(resourceHCL("false"))},
		},
	})
}
