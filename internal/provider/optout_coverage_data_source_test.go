package provider_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

const covAddr = "data.outreach_dynamics_optout_coverage.this"

// covWant is what one object's coverage must say.
type covWant struct {
	configuration          string
	toDynamics, toOutreach bool
	// findings are the findings expected, each as the facts it must name (object, fields,
	// direction, consequence), in order; nil or empty means no finding.
	findings [][]string
}

// covChecks asserts the coverage of every object in want and the total of findings.
func covChecks(want map[string]covWant) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	total := 0
	for obj, w := range want {
		at := tfjsonpath.New("coverage").AtMapKey(obj)
		checks = append(checks,
			statecheck.ExpectKnownValue(covAddr, at.AtMapKey("configuration"), knownvalue.StringExact(w.configuration)),
			statecheck.ExpectKnownValue(covAddr, at.AtMapKey("outreach_to_dynamics"), knownvalue.Bool(w.toDynamics)),
			statecheck.ExpectKnownValue(covAddr, at.AtMapKey("dynamics_to_outreach"), knownvalue.Bool(w.toOutreach)),
			statecheck.ExpectKnownValue(covAddr, at.AtMapKey("findings"), knownvalue.ListSizeExact(len(w.findings))),
		)
		total += len(w.findings)
	}
	return append(checks, statecheck.ExpectKnownValue(covAddr, tfjsonpath.New("findings"), knownvalue.ListSizeExact(total)))
}

// covFindingsName checks that each expected finding names its facts.
func covFindingsName(want map[string]covWant) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[covAddr]
		if !ok {
			return fmt.Errorf("%s is not in the state", covAddr)
		}
		for obj, w := range want {
			for i, facts := range w.findings {
				key := fmt.Sprintf("coverage.%s.findings.%d", obj, i)
				got := rs.Primary.Attributes[key]
				for _, fact := range append([]string{obj + ": "}, facts...) {
					if !strings.Contains(got, fact) {
						return fmt.Errorf("%s = %q does not name %q", key, got, fact)
					}
				}
			}
		}
		return nil
	}
}

// covMapping creates an opt-out mapping by hand, as someone in the Outreach UI would.
func covMapping(env *acctest.Env, object, outreachField, crmField string, in, out bool) {
	env.MustOutreach(http.StatusCreated, http.MethodPost, "/api/v2/pluginFieldMappings", map[string]any{"data": map[string]any{
		"type": "pluginFieldMapping",
		"attributes": map[string]any{
			"crmObject": object, "outreachField": outreachField, "crmField": crmField, "updatesIn": in, "updatesOut": out,
		},
		"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}},
	}})
}

// covCondition creates a sync condition by hand.
func covCondition(env *acctest.Env, object, trigger, field, operator string, value any) {
	env.MustOutreach(http.StatusCreated, http.MethodPost, "/api/v2/pluginSyncConditions", map[string]any{"data": map[string]any{
		"type": "pluginSyncCondition",
		"attributes": map[string]any{
			"crmObject": object, "trigger": trigger, "field": field, "operator": operator, "value": value,
		},
		"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}},
	}})
}

// covSettings changes an object's sync toggles by hand (the seeded lead is pluginObject 1,
// contact 2).
func covSettings(env *acctest.Env, object string, attrs map[string]any) {
	id := map[string]int{"lead": 1, "contact": 2}[object]
	env.MustOutreach(http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/v2/pluginObjects/%d", id), map[string]any{"data": map[string]any{
		"type": "pluginObject", "id": id, "attributes": attrs,
	}})
}

// covSalesColumn creates the Sales Opt Out column on a table behind Terraform's back and makes
// the plugin's catalog know it.
func covSalesColumn(env *acctest.Env, object string) {
	fmCreateColumnOutOfBand(env, object, "new_SalesOptOut")
	env.MustOutreach(http.StatusNoContent, http.MethodPost, "/api/v2/plugins/1/actions/refreshFields", nil)
}

// covNoWrites records the sandbox's write counters when the test's hand edits are done, and
// checks after the step that the data source wrote nothing to either system.
type covNoWrites struct {
	env    *acctest.Env
	before sandbox.Stats
}

func (w *covNoWrites) mark() { w.before = w.env.Sandbox.Stats() }

func (w *covNoWrites) check(*terraform.State) error {
	after := w.env.Sandbox.Stats()
	if after.OutreachWrites != w.before.OutreachWrites || after.DynamicsWrites != w.before.DynamicsWrites {
		return fmt.Errorf("the data source wrote: Outreach writes %d → %d, Dynamics writes %d → %d",
			w.before.OutreachWrites, after.OutreachWrites, w.before.DynamicsWrites, after.DynamicsWrites)
	}
	if after.OutreachRequests == w.before.OutreachRequests {
		return fmt.Errorf("the data source made no Outreach request at all")
	}
	return nil
}

// TestAccOptOutCoverage_configurations applies each of the three configurations of the Outreach
// guide with the provider's resources, as the example configurations do, and reads the coverage
// after them: the configuration's name on lead and contact, opt-outs reaching where the guide
// says, and no finding.
func TestAccOptOutCoverage_configurations(t *testing.T) {
	tests := []struct {
		name, config string
		want         map[string]covWant
	}{
		{
			name: "shared field",
			config: sharedFieldHCL + `
data "outreach_dynamics_optout_coverage" "this" {
  depends_on = [outreach_dynamics_field_mapping.opted_out, outreach_dynamics_object_settings.this]
}
`,
			want: map[string]covWant{"lead": {"shared_field", true, true, nil}, "contact": {"shared_field", true, true, nil}},
		},
		{
			name: "Sales Opt Out column",
			config: `
# The example configuration uses for_each over the objects; the test harness cannot read
# string-keyed instances from state, so the test uses count over the same list.
locals {
  objects = ["contact", "lead"]
}

resource "dynamics_sales_optout_field" "sales_optout" {
  provider            = outreach
  count               = length(local.objects)
  entity              = local.objects[count.index]
  schema_name         = "new_SalesOptOut"
  display_name        = "Sales Opt Out"
  deletion_protection = false
}

resource "outreach_dynamics_field_mapping" "sales_optout" {
  count          = length(local.objects)
  object         = local.objects[count.index]
  outreach_field = "optedOut"
  dynamics_field = dynamics_sales_optout_field.sales_optout[count.index].logical_name
  direction      = "bidirectional"
}

data "outreach_dynamics_optout_coverage" "this" {
  depends_on = [outreach_dynamics_field_mapping.sales_optout]
}
`,
			want: map[string]covWant{"lead": {"sales_field", true, true, nil}, "contact": {"sales_field", true, true, nil}},
		},
		{
			name: "Outreach only",
			config: outreachOnlyHCL + `
data "outreach_dynamics_optout_coverage" "this" {
  depends_on = [
    outreach_dynamics_sync_condition.inbound_create_not_opted_out,
    outreach_dynamics_sync_condition.outbound_create_not_opted_out,
    outreach_dynamics_object_settings.this,
  ]
}
`,
			want: map[string]covWant{"lead": {"outreach_only", false, false, nil}, "contact": {"outreach_only", false, false, nil}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:            env.Config(tc.config),
					ConfigStateChecks: covChecks(tc.want),
				}},
			})
		})
	}
}

// TestAccOptOutCoverage_brokenByHand weakens the plugin the way a colleague in the Outreach UI
// would (and, once, in Dynamics), then reads the coverage with nothing else in the
// configuration: the configuration value, the booleans and each finding's key facts, and no
// write to either system.
func TestAccOptOutCoverage_brokenByHand(t *testing.T) {
	tests := []struct {
		name  string
		setup func(env *acctest.Env)
		want  map[string]covWant
	}{
		{
			name: "opt-out mapping in one direction only",
			setup: func(env *acctest.Env) {
				covSalesColumn(env, "contact")
				covSalesColumn(env, "lead")
				covMapping(env, "lead", "optedOut", "new_salesoptout", true, true)
				covMapping(env, "contact", "optedOut", "new_salesoptout", true, false)
			},
			want: map[string]covWant{
				"lead": {"sales_field", true, true, nil},
				"contact": {"sales_field", false, true, [][]string{
					{"optedOut is mapped to new_salesoptout in one direction only (dynamics_to_outreach)", "opt-outs made in Outreach never reach Dynamics"},
				}},
			},
		},
		{
			name: "opt-out mapping switched off",
			setup: func(env *acctest.Env) {
				covMapping(env, "lead", "optedOut", "donotemail", false, false)
				covMapping(env, "contact", "optedOut", "donotemail", true, true)
			},
			want: map[string]covWant{
				"lead": {"none", false, false, [][]string{
					{"optedOut is mapped to donotemail", "both directions switched off (none)", "never reach Dynamics", "never reach Outreach"},
				}},
				"contact": {"shared_field", true, true, nil},
			},
		},
		{
			name: "opt-out mapped on lead but not on contact",
			setup: func(env *acctest.Env) {
				covMapping(env, "lead", "optedOut", "donotemail", true, true)
			},
			want: map[string]covWant{
				"lead": {"shared_field", true, true, nil},
				"contact": {"none", false, false, [][]string{
					{"no opt-out field is mapped", "lead maps optedOut to donotemail", "contacts in Dynamics never sync"},
				}},
			},
		},
		{
			name: "Outreach only with the inbound condition missing on contact",
			setup: func(env *acctest.Env) {
				for _, obj := range []string{"lead", "contact"} {
					covSettings(env, obj, map[string]any{"inboundCreate": true, "outboundCreate": true})
					covCondition(env, obj, "outboundCreate", "optedOut", "equals", false)
				}
				covCondition(env, "lead", "inboundCreate", "donotemail", "equals", false)
			},
			want: map[string]covWant{
				"lead": {"outreach_only", false, false, nil},
				"contact": {"outreach_only", false, false, [][]string{
					{"Outreach only", "no inbound_create condition", "donotemail", "created as prospects in Outreach"},
				}},
			},
		},
		{
			name: "a sync condition that lets opted-out prospects through",
			setup: func(env *acctest.Env) {
				for _, obj := range []string{"lead", "contact"} {
					covSettings(env, obj, map[string]any{"outboundCreate": true})
					covCondition(env, obj, "inboundCreate", "donotemail", "equals", false)
				}
				// Another way to keep them out: lead has no finding.
				covCondition(env, "lead", "outboundCreate", "optedOut", "notEquals", true)
				covCondition(env, "contact", "outboundCreate", "optedOut", "notEquals", false)
			},
			want: map[string]covWant{
				"lead": {"outreach_only", false, false, nil},
				"contact": {"outreach_only", false, false, [][]string{
					{"outbound_create condition", "(optedOut not_equals false)", "lets prospects who opted out in Outreach through", "created as contacts in Dynamics"},
				}},
			},
		},
		{
			name: "outbound create on with no opt-out mapping and no condition",
			setup: func(env *acctest.Env) {
				covMapping(env, "contact", "optedOut", "donotemail", true, true)
				covSettings(env, "lead", map[string]any{"outboundCreate": true})
			},
			want: map[string]covWant{
				"contact": {"shared_field", true, true, nil},
				"lead": {"none", false, false, [][]string{
					{"no opt-out field is mapped", "contact maps optedOut to donotemail"},
					{"outbound create is on", "no outbound_create condition", "optedOut", "created as leads in Dynamics without their opt-out"},
				}},
			},
		},
		{
			name: "pushing off for an object whose opt-out relies on it",
			setup: func(env *acctest.Env) {
				covMapping(env, "lead", "optedOut", "donotemail", true, true)
				covMapping(env, "contact", "optedOut", "donotemail", true, true)
				covSettings(env, "contact", map[string]any{"pushing": false})
				covSettings(env, "lead", map[string]any{"polling": false})
			},
			want: map[string]covWant{
				"contact": {"shared_field", false, true, [][]string{
					{"pushing is off", "opt-outs made in Outreach never reach Dynamics", "optedOut → donotemail"},
				}},
				"lead": {"shared_field", true, false, [][]string{
					{"polling is off", "opt-outs made in Dynamics never reach Outreach", "donotemail → optedOut"},
				}},
			},
		},
		{
			name: "granular, the call opt-out mapped one way",
			setup: func(env *acctest.Env) {
				for _, obj := range []string{"lead", "contact"} {
					covMapping(env, obj, "emailOptedOut", "donotemail", true, true)
					covMapping(env, obj, "callOptedOut", "donotphone", obj == "lead", true)
				}
			},
			want: map[string]covWant{
				"lead": {"granular", true, true, nil},
				"contact": {"granular", true, false, [][]string{
					{"callOptedOut is mapped to donotphone in one direction only (outreach_to_dynamics)", "opt-outs made in Dynamics never reach Outreach"},
				}},
			},
		},
		{
			name: "Sales Opt Out column deleted in Dynamics",
			setup: func(env *acctest.Env) {
				covSalesColumn(env, "contact")
				covMapping(env, "contact", "optedOut", "new_salesoptout", true, true)
				covMapping(env, "lead", "optedOut", "donotemail", true, true)
				env.MustDynamics(http.StatusNoContent, http.MethodDelete,
					"/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_salesoptout')", nil, nil)
			},
			want: map[string]covWant{
				"lead": {"shared_field", true, true, nil},
				"contact": {"sales_field", false, false, [][]string{
					{"optedOut is mapped to new_salesoptout", "Dynamics has no column new_salesoptout on contact", "refuses the opt-outs made in Outreach"},
				}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			writes := &covNoWrites{env: env}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						tc.setup(env)
						writes.mark()
					},
					Config:            env.Config(`data "outreach_dynamics_optout_coverage" "this" {}`),
					ConfigStateChecks: covChecks(tc.want),
					Check:             resource.ComposeAggregateTestCheckFunc(covFindingsName(tc.want), writes.check),
				}},
			})
		})
	}
}

// TestAccOptOutCoverage_readOnlyToken: a token with plugins.read alone is enough, and the
// answer lists what carries the opt-out.
func TestAccOptOutCoverage_readOnlyToken(t *testing.T) {
	env := acctest.NewEnv(t)
	covSalesColumn(env, "contact")
	covMapping(env, "contact", "optedOut", "new_salesoptout", true, true)
	covMapping(env, "lead", "optedOut", "donotemail", false, true)
	// The harness's provider block with the read-only token instead of the full one.
	config := strings.Replace(env.ProviderBlock(), acctest.OutreachToken, sandbox.ReadOnlyAccessToken, 1) + `
data "outreach_dynamics_optout_coverage" "this" {
  objects = ["contact", "lead"]
}
`
	if !strings.Contains(config, sandbox.ReadOnlyAccessToken) {
		t.Fatal("the provider block does not use the read-only token")
	}
	writes := &covNoWrites{env: env}
	writes.mark()
	want := map[string]covWant{
		"contact": {"sales_field", true, true, nil},
		"lead": {"shared_field", true, false, [][]string{
			{"optedOut is mapped to donotemail in one direction only (outreach_to_dynamics)", "opt-outs made in Dynamics never reach Outreach"},
		}},
	}
	at := tfjsonpath.New("coverage")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: append(covChecks(want),
				statecheck.ExpectKnownValue(covAddr, tfjsonpath.New("objects"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("contact"), knownvalue.StringExact("lead")})),
				statecheck.ExpectKnownValue(covAddr, at.AtMapKey("contact").AtMapKey("dynamics_columns"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("new_salesoptout")})),
				statecheck.ExpectKnownValue(covAddr, at.AtMapKey("contact").AtMapKey("outreach_fields"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("optedOut")})),
				statecheck.ExpectKnownValue(covAddr, at.AtMapKey("lead").AtMapKey("dynamics_columns"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("donotbulkemail"), knownvalue.StringExact("donotemail"), knownvalue.StringExact("donotfax"),
					knownvalue.StringExact("donotphone"), knownvalue.StringExact("donotpostalmail"),
				})),
				statecheck.ExpectKnownValue(covAddr, at.AtMapKey("lead").AtMapKey("mappings"), knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
					"outreach_field": knownvalue.StringExact("optedOut"), "dynamics_field": knownvalue.StringExact("donotemail"),
					"direction": knownvalue.StringExact("outreach_to_dynamics"),
				})})),
			),
			Check: resource.ComposeAggregateTestCheckFunc(covFindingsName(want), writes.check),
		}},
	})
}

// TestAccOptOutCoverage_agreesWithRuntime: what the coverage says about opt-outs reaching the
// other side is what the plugin's runtime (the sandbox's sync) then does. For each setup made
// by hand, one person opts out in Outreach and another in Dynamics; after one sync round the
// first one's donotemail and the second one's optedOut are exactly the coverage's
// outreach_to_dynamics and dynamics_to_outreach.
func TestAccOptOutCoverage_agreesWithRuntime(t *testing.T) {
	tests := []struct {
		name                   string
		setup                  func(env *acctest.Env)
		toDynamics, toOutreach bool
	}{
		{"bidirectional", func(env *acctest.Env) { covMapping(env, "contact", "optedOut", "donotemail", true, true) }, true, true},
		{"Dynamics to Outreach only", func(env *acctest.Env) { covMapping(env, "contact", "optedOut", "donotemail", true, false) }, false, true},
		{"Outreach to Dynamics only", func(env *acctest.Env) { covMapping(env, "contact", "optedOut", "donotemail", false, true) }, true, false},
		{"switched off", func(env *acctest.Env) { covMapping(env, "contact", "optedOut", "donotemail", false, false) }, false, false},
		{"pushing off", func(env *acctest.Env) {
			covMapping(env, "contact", "optedOut", "donotemail", true, true)
			covSettings(env, "contact", map[string]any{"pushing": false})
		}, false, true},
		{"inbound update off", func(env *acctest.Env) {
			covMapping(env, "contact", "optedOut", "donotemail", true, true)
			covSettings(env, "contact", map[string]any{"inboundUpdate": false})
		}, true, false},
		{"an outbound_update condition holds back opted-out prospects", func(env *acctest.Env) {
			covMapping(env, "contact", "optedOut", "donotemail", true, true)
			covCondition(env, "contact", "outboundUpdate", "optedOut", "equals", false)
		}, false, true},
		{"a polling condition holds back opted-out records", func(env *acctest.Env) {
			covMapping(env, "contact", "optedOut", "donotemail", true, true)
			covCondition(env, "contact", "polling", "donotemail", "notEquals", true)
		}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			at := tfjsonpath.New("coverage").AtMapKey("contact")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					PreConfig: func() { tc.setup(env) },
					Config:    env.Config(`data "outreach_dynamics_optout_coverage" "this" {}`),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(covAddr, at.AtMapKey("outreach_to_dynamics"), knownvalue.Bool(tc.toDynamics)),
						statecheck.ExpectKnownValue(covAddr, at.AtMapKey("dynamics_to_outreach"), knownvalue.Bool(tc.toOutreach)),
						runtimeCheck(func() {
							inOutreach := runtimeCreateRecord(t, env, "contacts", map[string]any{"lastname": "OptsOutInOutreach"})
							inDynamics := runtimeCreateRecord(t, env, "contacts", map[string]any{"lastname": "OptsOutInDynamics"})
							pOutreach := runtimeLinkedProspect(t, env, "contact", inOutreach)
							pDynamics := runtimeLinkedProspect(t, env, "contact", inDynamics)
							runtimeSync(t, env) // the pairs are new and agree

							runtimePatchProspect(t, env, pOutreach.ID, map[string]any{"optedOut": true})
							env.MustDynamics(http.StatusNoContent, http.MethodPatch, "/api/data/v9.2/contacts("+inDynamics+")", map[string]any{"donotemail": true}, nil)
							runtimeSync(t, env)
							if got := runtimeRecord(t, env, "contacts", inOutreach, "donotemail")["donotemail"] == true; got != tc.toDynamics {
								t.Errorf("the Outreach opt-out reached Dynamics: %v; the coverage said outreach_to_dynamics = %v", got, tc.toDynamics)
							}
							if got := runtimeGetProspect(t, env, pDynamics.ID).Attributes["optedOut"] == true; got != tc.toOutreach {
								t.Errorf("the Dynamics opt-out reached Outreach: %v; the coverage said dynamics_to_outreach = %v", got, tc.toOutreach)
							}
						}),
					},
				}},
			})
		})
	}
}
