package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// Identity end to end, on a CLI that stores it: create, an in-place update that keeps it, an
// import by identity (the harness writes `import { identity = ... }` from the state's identity
// and checks that the import plans the same identity and no change).
//
// Terraform 1.11 has no resource identity, and terraform-plugin-testing refuses identity import
// steps below 1.12, so these tests skip there by the harness's version check (the skip message
// says so); `make test-tofu` runs them on OpenTofu 1.12. TestIdentity_* cover Read, removal and
// import by identity through the protocol server on every CLI.
var identityVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

var conditionIDPattern = regexp.MustCompile(`^[1-9][0-9]*$`)

func TestAccIdentity_fieldMapping(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_field_mapping.lead"
	config := func(outreachField, direction string) string {
		return env.Config(`
resource "outreach_dynamics_field_mapping" "lead" {
  object         = "lead"
  outreach_field = "` + outreachField + `"
  dynamics_field = "donotemail"
  direction      = "` + direction + `"
}
`)
	}
	identity := func(outreachField string) statecheck.StateCheck {
		return statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"object": knownvalue.StringExact("lead"), "outreach_field": knownvalue.StringExact(outreachField), "plugin_id": knownvalue.Int64Exact(1),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   identityVersions,
		Steps: []resource.TestStep{
			{Config: config("optedOut", "bidirectional"), ConfigStateChecks: []statecheck.StateCheck{identity("optedOut")}},
			{
				Config:            config("optedOut", "outreach_to_dynamics"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{identity("optedOut")},
			},
			{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{
				// plugin_id is optional for import: the provider's plugin, and the imported
				// identity says so (the harness compares it with the state's).
				ResourceName:           addr,
				ImportState:            true,
				ImportStateKind:        resource.ImportBlockWithResourceIdentity,
				ImportStateConfigExact: true,
				Config: config("optedOut", "outreach_to_dynamics") + `
import {
  to = outreach_dynamics_field_mapping.lead
  identity = {
    object         = "lead"
    outreach_field = "optedOut"
  }
}
`,
			},
			{
				// The Outreach field is part of the identity, so changing it makes a new mapping.
				Config:            config("emailOptedOut", "outreach_to_dynamics"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)}},
				ConfigStateChecks: []statecheck.StateCheck{identity("emailOptedOut")},
			},
		},
	})
}

func TestAccIdentity_syncCondition(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.lead"
	config := func(value string) string {
		return env.Config(`
resource "outreach_dynamics_sync_condition" "lead" {
  object   = "lead"
  trigger  = "polling"
  field    = "donotemail"
  operator = "equals"
  value    = "` + value + `"
}
`)
	}
	identity := statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
		"id": knownvalue.StringRegexp(conditionIDPattern), "plugin_id": knownvalue.Int64Exact(1),
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   identityVersions,
		Steps: []resource.TestStep{
			{Config: config("false"), ConfigStateChecks: []statecheck.StateCheck{identity}},
			{
				Config:            config("true"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{identity, statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("id"))},
			},
			{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

func TestAccIdentity_objectSettings(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_object_settings.lead"
	identity := statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
		"object": knownvalue.StringExact("lead"), "plugin_id": knownvalue.Int64Exact(1),
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   identityVersions,
		Steps: []resource.TestStep{
			{Config: env.Config(objectSettingsHCL("lead", `polling_frequency = 5`)), ConfigStateChecks: []statecheck.StateCheck{identity}},
			{
				Config:            env.Config(objectSettingsHCL("lead", `polling_frequency = 30`)),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{identity},
			},
			{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{
				ResourceName:           addr,
				ImportState:            true,
				ImportStateKind:        resource.ImportBlockWithResourceIdentity,
				ImportStateConfigExact: true,
				Config: env.Config(objectSettingsHCL("lead", `polling_frequency = 30`)) + `
import {
  to       = outreach_dynamics_object_settings.lead
  identity = { object = "lead" }
}
`,
			},
		},
	})
}

func TestAccIdentity_salesOptOutField(t *testing.T) {
	env := acctest.NewEnv(t)
	identity := statecheck.ExpectIdentity(salesOptOutAddr, map[string]knownvalue.Check{
		"entity": knownvalue.StringExact("contact"), "logical_name": knownvalue.StringExact("new_salesoptout"),
	})
	unprotected := "  deletion_protection = false\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   identityVersions,
		Steps: []resource.TestStep{
			{Config: salesOptOutConfig(env, unprotected), ConfigStateChecks: []statecheck.StateCheck{identity}},
			{
				Config:            salesOptOutConfig(env, unprotected+"  display_name = \"Sales opt-out\"\n"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate)}},
				ConfigStateChecks: []statecheck.StateCheck{identity},
			},
			{
				ResourceName:    salesOptOutAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				// The harness's own import block has no provider argument, which a type not named
				// after its provider needs; so the step brings its own.
				ImportStateConfigExact: true,
				Config: salesOptOutConfig(env, unprotected+"  display_name = \"Sales opt-out\"\n") + `
import {
  provider = outreach
  to       = dynamics_sales_optout_field.test
  identity = {
    entity       = "contact"
    logical_name = "new_salesoptout"
  }
}
`,
				// An import turns deletion protection on; this configuration has it off.
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// outreach_field is part of a mapping's identity, so a change replaces the mapping instead of
// renaming it in place: the old mapping is deleted, a new one created. No identity is involved
// in the check, so this runs on every CLI.
func TestAccIdentity_outreachFieldChangeReplacesMapping(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_field_mapping.lead"
	config := func(outreachField string) string {
		return env.Config(`
resource "outreach_dynamics_field_mapping" "lead" {
  object         = "lead"
  outreach_field = "` + outreachField + `"
  dynamics_field = "donotemail"
}
`)
	}
	var before, after string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("optedOut"), Check: fmCaptureID(addr, &before)},
			{
				Config:           config("emailOptedOut"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)}},
				Check: resource.ComposeTestCheckFunc(
					fmCaptureID(addr, &after),
					fmCheckRemote(env, addr, map[string]any{"crmObject": "lead", "outreachField": "emailOptedOut", "crmField": "donotemail"}),
					func(*terraform.State) error {
						if before == after {
							return fmt.Errorf("mapping %s was changed in place, want it replaced", before)
						}
						if status, _ := env.Outreach(http.MethodGet, "/api/v2/pluginFieldMappings/"+before, nil); status != http.StatusNotFound {
							return fmt.Errorf("the replaced mapping %s still exists (GET: %d)", before, status)
						}
						return nil
					},
				),
			},
		},
	})
}
