package provider_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// TestAccDynamicsSharedReads_oneListPerTable: a refresh of three dynamics_sales_optout_field
// columns and two dynamics_attribute data sources of one table costs one Dataverse request (the
// table's Boolean column list) with shared reads on, and one per column with them off; both
// modes refresh to the same state.
func TestAccDynamicsSharedReads_oneListPerTable(t *testing.T) {
	env := acctest.NewEnv(t)
	cfg := env.Config(`
resource "dynamics_sales_optout_field" "sales" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  deletion_protection = false
}

resource "dynamics_sales_optout_field" "calls" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_CallOptOut"
  display_name        = "Call opt-out"
  deletion_protection = false
}

resource "dynamics_sales_optout_field" "mail" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_MailOptOut"
  true_label          = "Opted out"
  deletion_protection = false
}

data "dynamics_attribute" "email" {
  provider     = outreach
  entity       = "contact"
  logical_name = "donotemail"
}

data "dynamics_attribute" "phone" {
  provider     = outreach
  entity       = "contact"
  logical_name = "donotphone"
}
`)
	var before int64
	states := map[string]map[string]map[string]string{}
	refresh := func(mode string, wantRequests int64) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				t.Setenv("OUTREACH_PROVIDER_SHARED_READS", mode)
				before = env.Sandbox.Stats().DynamicsRequests
			},
			RefreshState: true,
			Check: func(s *terraform.State) error {
				if got := env.Sandbox.Stats().DynamicsRequests - before; got != wantRequests {
					return fmt.Errorf("shared reads %s: the refresh sent %d Dataverse requests, want %d", mode, got, wantRequests)
				}
				states[mode] = map[string]map[string]string{}
				for addr, rs := range s.RootModule().Resources {
					states[mode][addr] = rs.Primary.Attributes
				}
				return nil
			},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			refresh("true", 1),
			refresh("false", 5),
			{
				// Drift stays exact with shared reads: a label changed out of band before the
				// command shows in its plan.
				PreConfig: func() {
					t.Setenv("OUTREACH_PROVIDER_SHARED_READS", "true")
					env.MustDynamics(http.StatusNoContent, http.MethodPost, "/api/data/v9.2/UpdateOptionValue", map[string]any{
						"EntityLogicalName": "contact", "AttributeLogicalName": "new_mailoptout", "Value": 1, "MergeLabels": true,
						"Label": map[string]any{"LocalizedLabels": []any{map[string]any{"Label": "Do not mail", "LanguageCode": 1033}}},
					}, nil)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("dynamics_sales_optout_field.mail", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("dynamics_sales_optout_field.sales", plancheck.ResourceActionNoop),
				}},
			},
		},
	})
	if len(states["true"]) != 5 || !reflect.DeepEqual(states["true"], states["false"]) {
		t.Errorf("state with shared reads:\n%v\nwithout:\n%v", states["true"], states["false"])
	}
}
