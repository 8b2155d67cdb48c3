package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// TestAccAttributeDataSource_columnMadeMomentsAgo: a column made seconds before the command (by a
// previous apply or in the maker portal) is not in Dataverse's metadata cache yet; the data
// source must not report it missing on a cached miss.
func TestAccAttributeDataSource_columnMadeMomentsAgo(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { createSalesOptOutColumnOutOfBand(env) },
			Config: env.Config(`
data "dynamics_attribute" "column" {
  provider     = outreach
  entity       = "contact"
  logical_name = "new_salesoptout"
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dynamics_attribute.column", tfjsonpath.New("schema_name"), knownvalue.StringExact("new_SalesOptOut")),
			},
		}},
	})
}

// TestAccSalesOptOutField_destroyRightAfterCreate: Dataverse resolves a DELETE through the
// metadata cache, which does not have a column created seconds ago; the destroy must still
// remove it (the client-level proof is TestEmulatorCreateThenDeleteRemovesColumn).
func TestAccSalesOptOutField_destroyRightAfterCreate(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, ok := readSalesOptOutColumn(t, env); ok {
				return fmt.Errorf("contact.new_salesoptout is still in Dataverse after the destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{{Config: salesOptOutConfig(env, "  deletion_protection = false\n")}},
	})
}
