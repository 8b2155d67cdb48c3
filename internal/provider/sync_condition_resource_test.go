package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// syncConditionHCL renders one condition; extra holds value/values lines.
func syncConditionHCL(name, object, trigger, field, operator, extra string) string {
	return fmt.Sprintf(`
resource "outreach_dynamics_sync_condition" %q {
  object   = %q
  trigger  = %q
  field    = %q
  operator = %q
  %s
}
`, name, object, trigger, field, operator, extra)
}

// syncConditionCaptureID stores the id of a resource in state, for out-of-band edits.
func syncConditionCaptureID(address string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s is not in state", address)
		}
		*dst = rs.Primary.ID
		return nil
	}
}

// syncConditionWire is the raw attribute map of a condition as the sandbox serves it, so that a
// test can see the JSON type of value and values.
type syncConditionWire struct {
	Trigger  string            `json:"trigger"`
	Field    string            `json:"field"`
	Operator string            `json:"operator"`
	Value    json.RawMessage   `json:"value"`
	Values   []json.RawMessage `json:"values"`
	Object   string            `json:"crmObject"`
}

func syncConditionReadWire(t *testing.T, env *acctest.Env, id string) syncConditionWire {
	t.Helper()
	body := env.MustOutreach(http.StatusOK, http.MethodGet, "/api/v2/pluginSyncConditions/"+id, nil)
	var doc struct {
		Data struct {
			Attributes syncConditionWire `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decoding condition %s: %v: %s", id, err, body)
	}
	return doc.Data.Attributes
}

// syncConditionListWire lists every condition of plugin 1.
func syncConditionListWire(t *testing.T, env *acctest.Env) []syncConditionWire {
	t.Helper()
	body := env.MustOutreach(http.StatusOK, http.MethodGet, "/api/v2/pluginSyncConditions?filter[plugin][id]=1&page[size]=1000", nil)
	var doc struct {
		Data []struct {
			Attributes syncConditionWire `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decoding conditions: %v: %s", err, body)
	}
	out := make([]syncConditionWire, 0, len(doc.Data))
	for _, d := range doc.Data {
		out = append(out, d.Attributes)
	}
	return out
}

// syncConditionPatchWire edits a condition out of band, as someone in the Outreach UI would.
func syncConditionPatchWire(t *testing.T, env *acctest.Env, id string, attrs map[string]any) {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(id, &n); err != nil {
		t.Fatalf("condition id %q: %v", id, err)
	}
	env.MustOutreach(http.StatusOK, http.MethodPatch, "/api/v2/pluginSyncConditions/"+id, map[string]any{
		"data": map[string]any{"type": "pluginSyncCondition", "id": n, "attributes": attrs},
	})
}

func syncConditionExpectValue(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	if strings.TrimSpace(string(got)) != want {
		t.Fatalf("value on the wire = %s, want %s", got, want)
	}
}

func TestAccSyncCondition_lifecycle(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.company"
	var id string
	contains := env.Config(syncConditionHCL("company", "lead", "inbound_update", "companyname", "contains", `value = "Contoso"`))
	notContains := env.Config(syncConditionHCL("company", "lead", "inbound_update", "companyname", "not_contains", `value = "Acme"`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: contains,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						// The provider's plugin is resolved at plan time, not "known after apply".
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("plugin_id"), knownvalue.Int64Exact(1)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("plugin_id"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("trigger"), knownvalue.StringExact("inbound_update")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("operator"), knownvalue.StringExact("contains")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("Contoso")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("values"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: resource.ComposeTestCheckFunc(syncConditionCaptureID(addr, &id), func(*terraform.State) error {
					w := syncConditionReadWire(t, env, id)
					if w.Trigger != "inboundUpdate" || w.Operator != "contains" || w.Field != "companyname" || w.Object != "lead" {
						return fmt.Errorf("wire condition = %+v", w)
					}
					syncConditionExpectValue(t, w.Value, `"Contoso"`)
					return nil
				}),
			},
			{
				Config: notContains,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("operator"), knownvalue.StringExact("not_contains")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("Acme")),
				},
				Check: func(*terraform.State) error {
					if w := syncConditionReadWire(t, env, id); w.Operator != "notContains" {
						return fmt.Errorf("wire operator = %q, want notContains", w.Operator)
					}
					return nil
				},
			},
			{
				// Someone edits the value in Outreach: the next plan wants it back.
				PreConfig:          func() { syncConditionPatchWire(t, env, id, map[string]any{"value": "Fabrikam"}) },
				Config:             notContains,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: notContains,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					syncConditionExpectValue(t, syncConditionReadWire(t, env, id).Value, `"Acme"`)
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccSyncCondition_booleanValueSentAsJSONBoolean(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.dne"
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(syncConditionHCL("dne", "contact", "inbound_create", "donotemail", "equals", `value = "false"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("false")),
				},
				Check: resource.ComposeTestCheckFunc(syncConditionCaptureID(addr, &id), func(*terraform.State) error {
					syncConditionExpectValue(t, syncConditionReadWire(t, env, id).Value, "false")
					return nil
				}),
			},
			{
				// Any case is accepted, sent as a JSON boolean, and kept as written: no perpetual diff.
				Config: env.Config(syncConditionHCL("dne", "contact", "inbound_create", "donotemail", "equals", `value = "TRUE"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("TRUE")),
				},
				Check: func(*terraform.State) error {
					syncConditionExpectValue(t, syncConditionReadWire(t, env, id).Value, "true")
					return nil
				},
			},
		},
	})
}

func TestAccSyncCondition_integerValueSentAsJSONNumber(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.employees"
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(syncConditionHCL("employees", "lead", "polling", "numberofemployees", "greater_than", `value = "100"`)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("100")),
			},
			Check: resource.ComposeTestCheckFunc(syncConditionCaptureID(addr, &id), func(*terraform.State) error {
				w := syncConditionReadWire(t, env, id)
				if w.Operator != "greaterThan" || w.Trigger != "polling" {
					return fmt.Errorf("wire condition = %+v", w)
				}
				syncConditionExpectValue(t, w.Value, "100")
				return nil
			}),
		}},
	})
}

func TestAccSyncCondition_decimalReadBackWithoutDiff(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.revenue"
	var id string
	config := env.Config(syncConditionHCL("revenue", "lead", "polling", "revenue", "equals", `value = "1"`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(syncConditionCaptureID(addr, &id), func(*terraform.State) error {
					syncConditionExpectValue(t, syncConditionReadWire(t, env, id).Value, "1")
					return nil
				}),
			},
			{
				// The API now spells the same number 1.0: that is no change.
				PreConfig: func() {
					syncConditionPatchWire(t, env, id, map[string]any{"value": json.RawMessage("1.0")})
					syncConditionExpectValue(t, syncConditionReadWire(t, env, id).Value, "1.0")
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("1")),
				},
			},
			{
				// A different number is drift.
				PreConfig:          func() { syncConditionPatchWire(t, env, id, map[string]any{"value": json.RawMessage("2.5")}) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccSyncCondition_inListValuesTyped(t *testing.T) {
	env := acctest.NewEnv(t)
	const titles, sizes = "outreach_dynamics_sync_condition.titles", "outreach_dynamics_sync_condition.sizes"
	var titlesID, sizesID string
	lists := env.Config(
		syncConditionHCL("titles", "lead", "inbound_update", "jobtitle", "in", `values = ["CEO", "CTO"]`) +
			syncConditionHCL("sizes", "lead", "polling", "numberofemployees", "not_in", `values = ["10", "20"]`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: lists,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(titles, tfjsonpath.New("values"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("CEO"), knownvalue.StringExact("CTO")})),
					statecheck.ExpectKnownValue(titles, tfjsonpath.New("value"), knownvalue.Null()),
					statecheck.ExpectKnownValue(sizes, tfjsonpath.New("operator"), knownvalue.StringExact("not_in")),
				},
				Check: resource.ComposeTestCheckFunc(
					syncConditionCaptureID(titles, &titlesID), syncConditionCaptureID(sizes, &sizesID),
					func(*terraform.State) error {
						tw := syncConditionReadWire(t, env, titlesID)
						if len(tw.Values) != 2 || string(tw.Values[0]) != `"CEO"` || string(tw.Values[1]) != `"CTO"` {
							return fmt.Errorf("titles values on the wire = %s", tw.Values)
						}
						sw := syncConditionReadWire(t, env, sizesID)
						if sw.Operator != "notIn" || len(sw.Values) != 2 || string(sw.Values[0]) != "10" || string(sw.Values[1]) != "20" {
							return fmt.Errorf("sizes on the wire = %+v (values %s)", sw, sw.Values)
						}
						return nil
					}),
			},
			{
				// From a list to a single value: updated in place (the PATCH clears values), so
				// that the trigger is never left without its condition, as it would be between a
				// destroy and a create.
				Config: env.Config(
					syncConditionHCL("titles", "lead", "inbound_update", "jobtitle", "equals", `value = "CEO"`) +
						syncConditionHCL("sizes", "lead", "polling", "numberofemployees", "not_in", `values = ["10", "20"]`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(titles, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(sizes, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(titles, tfjsonpath.New("values"), knownvalue.Null()),
					statecheck.ExpectKnownValue(titles, tfjsonpath.New("value"), knownvalue.StringExact("CEO")),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(titles, "id", &titlesID),
					func(*terraform.State) error {
						tw := syncConditionReadWire(t, env, titlesID)
						if tw.Operator != "equals" || tw.Values != nil {
							return fmt.Errorf("titles on the wire = %+v (values %s), want equals without values", tw, tw.Values)
						}
						syncConditionExpectValue(t, tw.Value, `"CEO"`)
						return nil
					}),
			},
			{
				// From a single value to a list: updated in place.
				Config: lists,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(titles, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccSyncCondition_unknownValueIsNotValidatedAsSet checks that a value or values known only
// at apply (here null once known) does not fail validation at plan time as if it were set.
func TestAccSyncCondition_unknownValueIsNotValidatedAsSet(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.c"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "terraform_data" "gate" {
  input = "x"
}
` + syncConditionHCL("c", "lead", "inbound_update", "jobtitle", "is_blank", `value  = terraform_data.gate.output == "" ? "x" : null
  values = terraform_data.gate.output == "" ? ["x"] : null`)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("values"), knownvalue.Null()),
			},
		}},
	})
}

func TestAccSyncCondition_triggerSideRules(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				// polling tests the Dynamics record; optedOut is an Outreach field.
				Config:      env.Config(syncConditionHCL("c", "lead", "polling", "optedOut", "equals", `value = "false"`)),
				ExpectError: regexp.MustCompile(`(?s)Field not available for this trigger.*"optedOut" is an Outreach field of\s+lead.*tests the Dynamics record.*outbound_create or\s+outbound_update`),
			},
			{
				// outbound_create tests the Outreach record; donotemail is a Dynamics column.
				Config:      env.Config(syncConditionHCL("c", "contact", "outbound_create", "donotemail", "equals", `value = "false"`)),
				ExpectError: regexp.MustCompile(`(?s)"donotemail" is a Dynamics field of\s+contact.*tests the Outreach record.*"optedOut"`),
			},
			{
				Config:      env.Config(syncConditionHCL("c", "contact", "inbound_create", "donotemial", "equals", `value = "false"`)),
				ExpectError: regexp.MustCompile(`(?s)"donotemial" is not in the plugin's field catalog.*Did you mean\s+"donotemail"`),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			// Every error above was raised at plan time: nothing was written.
			if got := syncConditionListWire(t, env); len(got) != 0 {
				return fmt.Errorf("conditions were created: %+v", got)
			}
			return nil
		},
	})
}

func TestAccSyncCondition_operatorAndValueMustFitFieldType(t *testing.T) {
	env := acctest.NewEnv(t)
	cases := []struct {
		name, object, trigger, field, operator, extra string
		want                                          string
	}{
		{"contains on a boolean", "contact", "inbound_create", "donotemail", "contains", `value = "x"`,
			`(?s)Operator does not fit the field type.*"contains" cannot be used on "donotemail", a\s+boolean field`},
		{"greater_than on a string", "lead", "polling", "companyname", "greater_than", `value = "x"`,
			`(?s)Operator does not fit the field type.*a string field`},
		{"not a boolean", "contact", "inbound_create", "donotemail", "equals", `value = "maybe"`,
			`(?s)Value does not fit the field type.*must be "true" or\s+"false";\s+got\s+"maybe"`},
		{"not an integer", "lead", "polling", "numberofemployees", "greater_than", `value = "lots"`,
			`(?s)Value does not fit the field type.*whole number`},
		{"not a decimal in a list", "lead", "polling", "revenue", "in", `values = ["1", "x"]`,
			`(?s)Value does not fit the field type.*every element of values must be a number`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.Config(syncConditionHCL("c", c.object, c.trigger, c.field, c.operator, c.extra)),
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			if got := syncConditionListWire(t, env); len(got) != 0 {
				return fmt.Errorf("conditions were created: %+v", got)
			}
			return nil
		},
	})
}

func TestAccSyncCondition_valueAndValuesFitOperator(t *testing.T) {
	env := acctest.NewEnv(t)
	// Checked by ValidateConfig: no request is needed, so the sandbox is never asked.
	before := env.Sandbox.Stats().OutreachRequests
	cases := []struct{ operator, extra, want string }{
		{"equals", ``, `(?s)Missing value.*"equals" compares the field with a value`},
		{"is_blank", `value = "x"`, `(?s)value is not used with is_blank`},
		{"in", `value = "x"
  values = ["a"]`, `(?s)value is not used with in`},
		{"not_in", `values = []`, `(?s)Empty values`},
		{"in", ``, `(?s)Missing values`},
		{"equals", `value = "a"
  values = ["a"]`, `(?s)values is only for in and not_in`},
		{"is_not_blank", `values = ["a"]`, `(?s)values is not used with is_not_blank`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.Config(syncConditionHCL("c", "lead", "inbound_update", "jobtitle", c.operator, c.extra)),
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if after := env.Sandbox.Stats().OutreachRequests; after != before {
		t.Fatalf("config validation made %d Outreach requests", after-before)
	}
}

func TestAccSyncCondition_deletedOutsideTerraformIsRecreated(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.c"
	var id string
	config := env.Config(syncConditionHCL("c", "lead", "inbound_update", "companyname", "is_not_blank", ``))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: syncConditionCaptureID(addr, &id)},
			{
				PreConfig: func() {
					env.MustOutreach(http.StatusNoContent, http.MethodDelete, "/api/v2/pluginSyncConditions/"+id, nil)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func TestAccSyncCondition_importByIDBlock(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.c"
	config := env.Config(syncConditionHCL("c", "lead", "polling", "numberofemployees", "less_than", `value = "5000"`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:          config,
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				Config:        config,
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "forty-two",
				ExpectError:   regexp.MustCompile(`(?s)Invalid import id.*positive integer`),
			},
		},
	})
}

// The "Outreach only" configuration (issue 5): opted-out Leads and Contacts are tracked in
// Outreach only, never created on the other side.
func TestAccSyncCondition_outreachOnlyConfiguration(t *testing.T) {
	env := acctest.NewEnv(t)
	var hcl strings.Builder
	for _, object := range []string{"lead", "contact"} {
		hcl.WriteString(syncConditionHCL(object+"_inbound_not_opted_out", object, "inbound_create", "donotemail", "equals", `value = "false"`))
		hcl.WriteString(syncConditionHCL(object+"_outbound_not_opted_out", object, "outbound_create", "optedOut", "equals", `value = "false"`))
		hcl.WriteString(objectSettingsHCL(object, `
  polling         = true
  pushing         = true
  inbound_create  = true
  outbound_create = true`))
	}
	config := env.Config(hcl.String())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				var got []string
				for _, c := range syncConditionListWire(t, env) {
					got = append(got, fmt.Sprintf("%s %s %s %s %s", c.Object, c.Trigger, c.Field, c.Operator, c.Value))
				}
				sort.Strings(got)
				want := []string{
					"contact inboundCreate donotemail equals false",
					"contact outboundCreate optedOut equals false",
					"lead inboundCreate donotemail equals false",
					"lead outboundCreate optedOut equals false",
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					return fmt.Errorf("conditions in the sandbox:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				for _, object := range []string{"lead", "contact"} {
					o := objectSettingsReadWire(t, env, object)
					if !o.Polling || !o.Pushing || !o.InboundCreate || !o.OutboundCreate {
						return fmt.Errorf("%s settings in the sandbox = %+v", object, o)
					}
				}
				return nil
			},
		}},
	})
}

// A condition on a Dynamics column created in the same apply: the column's logical name is known
// at plan time (dynamics_sales_optout_field derives it from schema_name) but neither the plugin
// nor Dataverse has the column yet, so the plan only warns; the create refreshes the plugin's
// fields and sends the value typed as the new Boolean column.
func TestAccSyncCondition_columnCreatedInSameApply(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_sync_condition.sales_optout"
	config := env.Config(newContactColumnHCL + `
resource "outreach_dynamics_sync_condition" "sales_optout" {
  object   = "contact"
  trigger  = "inbound_create"
  field    = dynamics_sales_optout_field.contact.logical_name
  operator = "equals"
  value    = "false"
}
`)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("field"), knownvalue.StringExact("new_salesoptout")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("value"), knownvalue.StringExact("false")),
				},
				Check: resource.ComposeTestCheckFunc(syncConditionCaptureID(addr, &id), func(*terraform.State) error {
					wire := syncConditionReadWire(t, env, id)
					if wire.Field != "new_salesoptout" || wire.Trigger != "inboundCreate" {
						return fmt.Errorf("condition on the wire = %+v", wire)
					}
					syncConditionExpectValue(t, wire.Value, "false")
					return nil
				}),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// With the provider's dynamics settings known only at apply, the plan cannot ask Dataverse about
// a column the plugin's catalog does not list: it skips the check, as the Outreach side does, and
// the apply (connected by then) refreshes the plugin's fields. Covers both resources that test
// Dynamics columns.
func TestAccSyncCondition_dynamicsConfigKnownOnlyAtApply(t *testing.T) {
	env := acctest.NewEnv(t)
	config := fmt.Sprintf(`
resource "terraform_data" "dynamics_url" {
  input = %q
}
provider "outreach" {
  outreach = {
    base_url     = %q
    access_token = %q
  }
  dynamics = {
    url          = terraform_data.dynamics_url.output
    access_token = %q
    solution     = "OptOutSync"
  }
}
resource "outreach_dynamics_sync_condition" "hand_made" {
  object   = "contact"
  trigger  = "polling"
  field    = "new_handmadeoptout"
  operator = "equals"
  value    = "true"
}
resource "outreach_dynamics_field_mapping" "hand_made" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = "new_handmadeoptout"
}
`, env.Sandbox.DynamicsURL(), env.Sandbox.OutreachURL(), acctest.OutreachToken, acctest.DynamicsToken)
	const addr = "outreach_dynamics_sync_condition.hand_made"
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				fmCreateColumnOutOfBand(env, "contact", "new_HandMadeOptOut")
				if fmCatalogHas(env, "contact", "new_handmadeoptout") {
					t.Fatal("the plugin already knows the new column; the test would not exercise the skipped check")
				}
			},
			Config: config,
			Check: resource.ComposeTestCheckFunc(
				syncConditionCaptureID(addr, &id),
				fmCheckRemote(env, "outreach_dynamics_field_mapping.hand_made", map[string]any{"crmField": "new_handmadeoptout"}),
				func(*terraform.State) error {
					syncConditionExpectValue(t, syncConditionReadWire(t, env, id).Value, "true")
					return nil
				},
			),
		}},
	})
}

// TestAccSyncCondition_importedValueWrittenDifferentlyPlansNothing: an import has no written form
// to keep, so state holds the API's canonical spelling ("true", "10"); a configuration that
// writes the same values another way ("TRUE", "+10") must not plan an update for it.
func TestAccSyncCondition_importedValueWrittenDifferentlyPlansNothing(t *testing.T) {
	env := acctest.NewEnv(t)
	const flag, sizes = "outreach_dynamics_sync_condition.flag", "outreach_dynamics_sync_condition.sizes"
	config := env.Config(
		syncConditionHCL("flag", "contact", "inbound_create", "donotemail", "equals", `value = "TRUE"`) +
			syncConditionHCL("sizes", "lead", "polling", "numberofemployees", "not_in", `values = ["+10", "20"]`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			// An import block in a fresh state: the import must plan no change (no-op import).
			{Config: config, ResourceName: flag, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
			{Config: config, ResourceName: sizes, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
			{
				// A real change still plans an update.
				Config: env.Config(
					syncConditionHCL("flag", "contact", "inbound_create", "donotemail", "equals", `value = "false"`) +
						syncConditionHCL("sizes", "lead", "polling", "numberofemployees", "not_in", `values = ["+10", "30"]`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(flag, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(sizes, plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
