package provider_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/provider"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// The plugin reads Dataverse metadata without strong consistency, so its first refreshFields
// after a column was created may not list the column (the sandbox's refresh_lag_seconds). The
// headline one-apply configuration (a column, a mapping and a condition on it) must still apply:
// the provider refreshes again with backoff until the catalog lists the column. The backoff moves
// the sandbox clock instead of sleeping.
func TestAccFieldRefresh_lagBeforeTheCatalogListsANewColumn(t *testing.T) {
	env := acctest.NewEnv(t)
	var waits atomic.Int64
	restore := provider.SetFieldRefreshSleep(func(ctx context.Context, d time.Duration) error {
		waits.Add(1)
		env.Sandbox.AdvanceClock(d)
		return ctx.Err()
	})
	defer restore()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { env.Sandbox.SetFaults(sandbox.Faults{RefreshLagSeconds: 20}) },
				Config: env.Config(newContactColumnHCL + newContactColumnMappingHCL + `
resource "outreach_dynamics_sync_condition" "contact" {
  object   = "contact"
  trigger  = "polling"
  field    = dynamics_sales_optout_field.contact.logical_name
  operator = "equals"
  value    = "false"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("outreach_dynamics_field_mapping.contact", tfjsonpath.New("dynamics_field"), knownvalue.StringExact("new_salesoptout")),
					statecheck.ExpectKnownValue("outreach_dynamics_sync_condition.contact", tfjsonpath.New("field"), knownvalue.StringExact("new_salesoptout")),
				},
				Check: func(*terraform.State) error {
					if waits.Load() == 0 {
						t.Error("the refresh never had to wait: the test did not exercise the lag")
					}
					return nil
				},
			},
		},
	})
}
