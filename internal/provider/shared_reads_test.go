package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// sharedReadsHCL is a small plugin configuration over two objects: three mappings, a condition
// and the lead object settings.
const sharedReadsHCL = `
resource "outreach_dynamics_field_mapping" "lead_opted_out" {
  object         = "lead"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
}

resource "outreach_dynamics_field_mapping" "lead_email" {
  object         = "lead"
  outreach_field = "emailOptedOut"
  dynamics_field = "donotbulkemail"
}

resource "outreach_dynamics_field_mapping" "contact_opted_out" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
}

resource "outreach_dynamics_sync_condition" "lead" {
  object   = "lead"
  trigger  = "polling"
  field    = "donotemail"
  operator = "equals"
  value    = "false"
}

resource "outreach_dynamics_object_settings" "lead" {
  object  = "lead"
  polling = true
}
`

// driftReport is what a plan says about changes made outside Terraform, without timestamps and
// ids (each mode runs against a fresh sandbox).
type driftReport struct {
	Drift, Changes []string
	State          map[string]map[string]string
	// RefreshRequests is the number of Outreach requests of the refresh (plan -refresh-only).
	RefreshRequests int64
}

// runSharedReadsScenario applies sharedReadsHCL, changes one mapping, deletes another and changes
// the condition and the object settings outside Terraform, then records the plan that follows
// and the state after applying it.
func runSharedReadsScenario(t *testing.T, mode string) driftReport {
	t.Setenv("OUTREACH_PROVIDER_SHARED_READS", mode)
	env := acctest.NewEnv(t)
	ids := map[string]string{}
	var report driftReport
	var before int64
	capture := func(s *terraform.State) error {
		for _, name := range []string{"outreach_dynamics_field_mapping.lead_opted_out", "outreach_dynamics_field_mapping.contact_opted_out",
			"outreach_dynamics_sync_condition.lead", "outreach_dynamics_object_settings.lead"} {
			ids[name] = s.RootModule().Resources[name].Primary.ID
		}
		return nil
	}
	config := env.Config(sharedReadsHCL)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: capture},
			{
				// A refresh alone: how many requests it costs.
				PreConfig:    func() { before = env.Sandbox.Stats().OutreachRequests },
				RefreshState: true,
				Check: func(*terraform.State) error {
					report.RefreshRequests = env.Sandbox.Stats().OutreachRequests - before
					return nil
				},
			},
			{
				PreConfig: func() {
					env.MustOutreach(http.StatusOK, http.MethodPatch, "/api/v2/pluginFieldMappings/"+ids["outreach_dynamics_field_mapping.lead_opted_out"],
						map[string]any{"data": map[string]any{"type": "pluginFieldMapping", "id": jsonID(ids["outreach_dynamics_field_mapping.lead_opted_out"]),
							"attributes": map[string]any{"updatesIn": false}}})
					env.MustOutreach(http.StatusNoContent, http.MethodDelete, "/api/v2/pluginFieldMappings/"+ids["outreach_dynamics_field_mapping.contact_opted_out"], nil)
					env.MustOutreach(http.StatusOK, http.MethodPatch, "/api/v2/pluginSyncConditions/"+ids["outreach_dynamics_sync_condition.lead"],
						map[string]any{"data": map[string]any{"type": "pluginSyncCondition", "id": jsonID(ids["outreach_dynamics_sync_condition.lead"]),
							"attributes": map[string]any{"value": true}}})
					env.MustOutreach(http.StatusOK, http.MethodPatch, "/api/v2/pluginObjects/"+ids["outreach_dynamics_object_settings.lead"],
						map[string]any{"data": map[string]any{"type": "pluginObject", "id": jsonID(ids["outreach_dynamics_object_settings.lead"]),
							"attributes": map[string]any{"polling": false}}})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{recordPlan(&report)},
				},
				Check: func(s *terraform.State) error {
					report.State = map[string]map[string]string{}
					for name, rs := range s.RootModule().Resources {
						attrs := map[string]string{}
						for k, v := range rs.Primary.Attributes {
							if k != "id" && k != "created_at" && k != "updated_at" {
								attrs[k] = v
							}
						}
						report.State[name] = attrs
					}
					return nil
				},
			},
		},
	})
	return report
}

func jsonID(s string) json.Number { return json.Number(s) }

// recordPlan keeps the drift and the planned changes of a plan, as "address: actions [attributes
// that differ]".
func recordPlan(r *driftReport) plancheck.PlanCheck { return planRecorder{r} }

type planRecorder struct{ r *driftReport }

func (p planRecorder) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, _ *plancheck.CheckPlanResponse) {
	describe := func(rcs []*tfjson.ResourceChange) []string {
		var out []string
		for _, rc := range rcs {
			out = append(out, fmt.Sprintf("%s: %v %v", rc.Address, rc.Change.Actions, changedKeys(rc.Change)))
		}
		sort.Strings(out)
		return out
	}
	p.r.Drift = describe(req.Plan.ResourceDrift)
	p.r.Changes = describe(req.Plan.ResourceChanges)
}

// changedKeys lists the attributes whose value differs between before and after, timestamps and
// ids aside.
func changedKeys(c *tfjson.Change) []string {
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	var keys []string
	for k := range mergeKeys(before, after) {
		if k == "id" || k == "created_at" || k == "updated_at" {
			continue
		}
		if !reflect.DeepEqual(before[k], after[k]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func mergeKeys(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Shared lists on and off must give the same state and report the same drift; on, a refresh costs
// one list per (plugin, object) and kind instead of a GET per resource.
func TestAccSharedReads_sameStateAndDriftInBothModes(t *testing.T) {
	var on, off driftReport
	ranOn := t.Run("shared", func(t *testing.T) { on = runSharedReadsScenario(t, "true") })
	ranOff := t.Run("per-resource", func(t *testing.T) { off = runSharedReadsScenario(t, "false") })
	if !ranOn || !ranOff || on.State == nil || off.State == nil {
		return // a run failed (reported) or the harness skipped it without TF_ACC
	}
	if len(on.Drift) == 0 || len(on.Changes) == 0 {
		t.Fatalf("the scenario reported no drift: %+v", on)
	}
	if !reflect.DeepEqual(on.Drift, off.Drift) {
		t.Errorf("drift differs:\nshared:       %q\nper-resource: %q", on.Drift, off.Drift)
	}
	if !reflect.DeepEqual(on.Changes, off.Changes) {
		t.Errorf("planned changes differ:\nshared:       %q\nper-resource: %q", on.Changes, off.Changes)
	}
	if !reflect.DeepEqual(on.State, off.State) {
		t.Errorf("state differs:\nshared:       %v\nper-resource: %v", on.State, off.State)
	}
	// Shared: lead and contact mappings, lead conditions, the plugin's objects.
	if on.RefreshRequests > 4 {
		t.Errorf("a refresh of 5 resources with shared lists made %d Outreach requests, want at most 4", on.RefreshRequests)
	}
	if off.RefreshRequests != 5 {
		t.Errorf("a refresh of 5 resources without shared lists made %d Outreach requests, want 5", off.RefreshRequests)
	}
	t.Logf("drift: %q; refresh requests: shared %d, per resource %d", on.Drift, on.RefreshRequests, off.RefreshRequests)
}
