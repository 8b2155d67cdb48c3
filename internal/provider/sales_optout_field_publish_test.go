package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

// TestAccSalesOptOutField_failedPublishIsRetried: an update whose PublishXml fails leaves the
// change unpublished (inactive) in Dataverse, and a refresh reads the unpublished values, which
// match the configuration. The next plan must still plan the publish, and its apply do it.
func TestAccSalesOptOutField_failedPublishIsRetried(t *testing.T) {
	env := acctest.NewEnv(t)
	noRetries := strings.Replace(env.ProviderBlock(), "max_retries = 3", "max_retries = 0", 1)
	resourceHCL := func(displayName, timeouts string) string {
		return fmt.Sprintf(`
resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  display_name        = %q
  deletion_protection = false
  %s
}
`, displayName, timeouts)
	}
	unpublished := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := env.Sandbox.DataverseStats().Unpublished; got != want {
				return fmt.Errorf("tables with unpublished changes = %d, want %d", got, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: env.Config(resourceHCL("Sales Opt Out", ""))},
			{
				PreConfig: func() { env.Sandbox.SetFaults(sandbox.Faults{Faults: dataverse.Faults{PublishLock: 1}}) },
				// The update timeout is shorter than one lock wait, so the publish gives up at once.
				Config:      noRetries + resourceHCL("Sales opt-out (renamed)", "timeouts {\n    update = \"5s\"\n  }"),
				ExpectError: regexp.MustCompile(`(?s)Cannot publish the table contact`),
			},
			{
				Config: env.Config(resourceHCL("Sales opt-out (renamed)", "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
				}},
				Check: unpublished(0),
			},
		},
	})
}
