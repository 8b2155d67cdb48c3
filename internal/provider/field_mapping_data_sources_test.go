package provider_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// The catalog of an object, one side or both, sorted by side then name.
func TestAccFieldsDataSource(t *testing.T) {
	env := acctest.NewEnv(t)
	const (
		outreachSide = "data.outreach_dynamics_fields.outreach"
		dynamicsSide = "data.outreach_dynamics_fields.dynamics"
		both         = "data.outreach_dynamics_fields.both"
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "outreach_dynamics_fields" "outreach" {
  object = "lead"
  side   = "outreach"
}

data "outreach_dynamics_fields" "dynamics" {
  plugin_id = 1
  object    = "lead"
  side      = "dynamics"
}

data "outreach_dynamics_fields" "both" {
  object = "contact"
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(outreachSide, tfjsonpath.New("plugin_id"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(both, tfjsonpath.New("side"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckTypeSetElemNestedAttrs(outreachSide, "fields.*", map[string]string{
					"name": "optedOut", "label": "Opted Out", "type": "boolean", "writable": "true", "side": "outreach",
				}),
				resource.TestCheckTypeSetElemNestedAttrs(outreachSide, "fields.*", map[string]string{
					"name": "optedOutAt", "type": "datetime", "writable": "false", "side": "outreach",
				}),
				resource.TestCheckTypeSetElemNestedAttrs(dynamicsSide, "fields.*", map[string]string{
					"name": "donotemail", "label": "Do not allow Emails", "type": "boolean", "writable": "true", "side": "dynamics",
				}),
				resource.TestCheckTypeSetElemNestedAttrs(dynamicsSide, "fields.*", map[string]string{
					"name": "fullname", "type": "string", "writable": "false", "side": "dynamics",
				}),
				resource.TestCheckTypeSetElemNestedAttrs(both, "fields.*", map[string]string{"name": "donotbulkpostalmail", "side": "dynamics"}),
				resource.TestCheckTypeSetElemNestedAttrs(both, "fields.*", map[string]string{"name": "smsOptedOut", "side": "outreach"}),
				fieldsOnlySide(outreachSide, "outreach"),
				fieldsOnlySide(dynamicsSide, "dynamics"),
				fieldsSorted(both),
			),
		}},
	})
}

// Every mapping of an object, whoever made it, sorted by id.
func TestAccFieldMappingsDataSource(t *testing.T) {
	env := acctest.NewEnv(t)
	const lead = "data.outreach_dynamics_field_mappings.lead"
	var first, second, other int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				first = fmCreateMappingOutOfBand(env, "lead", "optedOut", "donotemail")
				other = fmCreateMappingOutOfBand(env, "contact", "optedOut", "donotemail")
				second = fmCreateMappingOutOfBand(env, "lead", "callOptedOut", "donotphone")
				env.MustOutreach(http.StatusOK, http.MethodPatch, "/api/v2/pluginFieldMappings/"+strconv.FormatInt(second, 10), map[string]any{
					"data": map[string]any{"type": "pluginFieldMapping", "id": second, "attributes": map[string]any{
						"updatesIn": false, "skipEmptyOut": true, "emptyPlaceholder": "none",
					}},
				})
			},
			Config: env.Config(`
data "outreach_dynamics_field_mappings" "lead" {
  object = "lead"
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(lead, tfjsonpath.New("plugin_id"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(lead, tfjsonpath.New("mappings"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                       knownvalue.StringFunc(func(v string) error { return fmExpectID(v, &first) }),
						"outreach_field":           knownvalue.StringExact("optedOut"),
						"dynamics_field":           knownvalue.StringExact("donotemail"),
						"direction":                knownvalue.StringExact("bidirectional"),
						"skip_empty_to_dynamics":   knownvalue.Bool(false),
						"skip_empty_from_dynamics": knownvalue.Bool(false),
						"empty_placeholder":        knownvalue.Null(),
						"lookup_type":              knownvalue.Null(),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                       knownvalue.StringFunc(func(v string) error { return fmExpectID(v, &second) }),
						"outreach_field":           knownvalue.StringExact("callOptedOut"),
						"dynamics_field":           knownvalue.StringExact("donotphone"),
						"direction":                knownvalue.StringExact("outreach_to_dynamics"),
						"skip_empty_to_dynamics":   knownvalue.Bool(true),
						"skip_empty_from_dynamics": knownvalue.Bool(false),
						"empty_placeholder":        knownvalue.StringExact("none"),
						"lookup_type":              knownvalue.Null(),
					}),
				})),
			},
			Check: func(*terraform.State) error {
				if other == 0 {
					return fmt.Errorf("the contact mapping was not created")
				}
				return nil
			},
		}},
	})
}

// The documented way to adopt mappings made in the Outreach UI: `import` blocks with for_each
// over the data source. The documentation keys the resources by Outreach field (for_each); the
// test harness cannot read string-keyed instances from state, so the test keys them by position
// (count), which exercises the same thing: import ids taken from the data source at plan time.
// The for expression makes the list a tuple: OpenTofu's for_each takes a map, a set or a tuple,
// not a list. The import plans no change, and afterwards the plan is empty.
func TestAccFieldMappingsDataSource_importBlocks(t *testing.T) {
	env := acctest.NewEnv(t)
	config := env.Config(`
data "outreach_dynamics_field_mappings" "lead" {
  object = "lead"
}

import {
  for_each = [for m in data.outreach_dynamics_field_mappings.lead.mappings : m]
  to       = outreach_dynamics_field_mapping.lead[each.key]
  id       = each.value.id
}

resource "outreach_dynamics_field_mapping" "lead" {
  count          = length(data.outreach_dynamics_field_mappings.lead.mappings)
  object         = "lead"
  outreach_field = data.outreach_dynamics_field_mappings.lead.mappings[count.index].outreach_field
  dynamics_field = data.outreach_dynamics_field_mappings.lead.mappings[count.index].dynamics_field
  direction      = data.outreach_dynamics_field_mappings.lead.mappings[count.index].direction
}
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					fmCreateMappingOutOfBand(env, "lead", "optedOut", "donotemail")
					fmCreateMappingOutOfBand(env, "lead", "smsOptedOut", "donotphone")
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("outreach_dynamics_field_mapping.lead[0]", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("outreach_dynamics_field_mapping.lead[1]", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("outreach_dynamics_field_mapping.lead[1]", tfjsonpath.New("outreach_field"), knownvalue.StringExact("smsOptedOut")),
					statecheck.ExpectKnownValue("outreach_dynamics_field_mapping.lead[1]", tfjsonpath.New("dynamics_field"), knownvalue.StringExact("donotphone")),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func fmExpectID(got string, want *int64) error {
	if got != strconv.FormatInt(*want, 10) {
		return fmt.Errorf("id %s, want %d", got, *want)
	}
	return nil
}

// fieldsOnlySide checks that every listed field is of one side.
func fieldsOnlySide(name, side string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs, n, err := fieldsOf(s, name)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s lists no fields", name)
		}
		for i := 0; i < n; i++ {
			if got := attrs[fmt.Sprintf("fields.%d.side", i)]; got != side {
				return fmt.Errorf("%s: fields.%d.side = %q, want %q", name, i, got, side)
			}
		}
		return nil
	}
}

// fieldsSorted checks the order: by side, then name.
func fieldsSorted(name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs, n, err := fieldsOf(s, name)
		if err != nil {
			return err
		}
		key := func(i int) string {
			return attrs[fmt.Sprintf("fields.%d.side", i)] + "\x00" + attrs[fmt.Sprintf("fields.%d.name", i)]
		}
		for i := 1; i < n; i++ {
			if key(i-1) > key(i) {
				return fmt.Errorf("%s: fields %d and %d are out of order: %q, %q", name, i-1, i, key(i-1), key(i))
			}
		}
		if n == 0 || attrs["fields.0.side"] != "dynamics" || attrs[fmt.Sprintf("fields.%d.side", n-1)] != "outreach" {
			return fmt.Errorf("%s should list both sides, dynamics first", name)
		}
		return nil
	}
}

func fieldsOf(s *terraform.State, name string) (map[string]string, int, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return nil, 0, fmt.Errorf("%s is not in the state", name)
	}
	n, err := strconv.Atoi(rs.Primary.Attributes["fields.#"])
	if err != nil {
		return nil, 0, fmt.Errorf("%s: fields.# = %q", name, rs.Primary.Attributes["fields.#"])
	}
	return rs.Primary.Attributes, n, nil
}
