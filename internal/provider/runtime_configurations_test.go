package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// These tests apply each of the three opt-out configurations of the Outreach guide (facts:
// seed-basic-opt-out-options) with the real provider, then drive the sandbox's simulation of the
// plugin's runtime sync (contract section 5) and check what happened in both systems. They prove
// that the configurations do what the guide promises, not only that Terraform stores them.

// runtimeSync runs one sync round through the sandbox's admin API; a round in which Dynamics
// refused a write fails the test.
func runtimeSync(t *testing.T, env *acctest.Env) {
	t.Helper()
	resp, err := http.Post(env.Sandbox.OutreachURL()+"/_sandbox/sync", "application/json", nil)
	if err != nil {
		t.Fatalf("POST /_sandbox/sync: %v", err)
	}
	defer resp.Body.Close()
	var rep sandbox.SyncReport
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&rep) != nil {
		t.Fatalf("POST /_sandbox/sync: status %d", resp.StatusCode)
	}
	if rep.Failed > 0 {
		t.Fatalf("sync round %d failed: %+v", rep.Round, rep.Actions)
	}
}

// runtimeCreateRecord creates a Dynamics lead or contact and returns its id.
func runtimeCreateRecord(t *testing.T, env *acctest.Env, set string, values map[string]any) string {
	t.Helper()
	body := env.MustDynamics(http.StatusCreated, http.MethodPost, "/api/data/v9.2/"+set, values, map[string]string{"Prefer": "return=representation"})
	var rec map[string]any
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	id, _ := rec[strings.TrimSuffix(set, "s")+"id"].(string)
	if id == "" {
		t.Fatalf("created %s without an id: %s", set, body)
	}
	return id
}

// runtimeRecord reads columns of a Dynamics record.
func runtimeRecord(t *testing.T, env *acctest.Env, set, id string, columns ...string) map[string]any {
	t.Helper()
	body := env.MustDynamics(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/data/v9.2/%s(%s)?$select=%s", set, id, strings.Join(columns, ",")), nil, nil)
	var rec map[string]any
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// runtimeProspect is a prospect as the Outreach API returns it with its data connections.
type runtimeProspect struct {
	ID         int64          `json:"id"`
	Attributes map[string]any `json:"attributes"`
	Meta       struct {
		DataConnections []struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"dataConnections"`
	} `json:"meta"`
}

// connectedTo returns the "type:id" of the prospect's Dynamics record, or "".
func (p runtimeProspect) connectedTo() string {
	if len(p.Meta.DataConnections) == 0 {
		return ""
	}
	return p.Meta.DataConnections[0].Type + ":" + p.Meta.DataConnections[0].ID
}

// runtimeCreateProspect creates a prospect; meta carries the sandbox-only dataConnections or
// crmObject.
func runtimeCreateProspect(t *testing.T, env *acctest.Env, attrs, meta map[string]any) runtimeProspect {
	t.Helper()
	data := map[string]any{"type": "prospect", "attributes": attrs}
	if meta != nil {
		data["meta"] = meta
	}
	var doc struct{ Data runtimeProspect }
	if err := json.Unmarshal(env.MustOutreach(http.StatusCreated, http.MethodPost, "/api/v2/prospects?provideDataConnections=true", map[string]any{"data": data}), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Data
}

func runtimeLinkedProspect(t *testing.T, env *acctest.Env, object, id string) runtimeProspect {
	t.Helper()
	return runtimeCreateProspect(t, env, map[string]any{"lastName": "Linked"},
		map[string]any{"dataConnections": []any{map[string]any{"type": object, "id": id}}})
}

func runtimeGetProspect(t *testing.T, env *acctest.Env, id int64) runtimeProspect {
	t.Helper()
	var doc struct{ Data runtimeProspect }
	if err := json.Unmarshal(env.MustOutreach(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v2/prospects/%d?provideDataConnections=true", id), nil), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Data
}

func runtimePatchProspect(t *testing.T, env *acctest.Env, id int64, attrs map[string]any) {
	t.Helper()
	env.MustOutreach(http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/v2/prospects/%d", id),
		map[string]any{"data": map[string]any{"type": "prospect", "id": id, "attributes": attrs}})
}

// runtimeSyncOff turns the lead and contact sync off, so that only the configuration under test
// can turn on what the test needs.
func runtimeSyncOff(t *testing.T, env *acctest.Env) {
	t.Helper()
	for _, id := range []int{1, 2} { // the seeded lead and contact plugin objects
		env.MustOutreach(http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/v2/pluginObjects/%d", id), map[string]any{"data": map[string]any{
			"type": "pluginObject", "id": id, "attributes": map[string]any{
				"polling": false, "pushing": false, "inboundCreate": false, "inboundUpdate": false, "outboundCreate": false, "outboundUpdate": false,
			},
		}})
	}
}

// runtimeCheck runs the runtime part of a test as a state check: those run right after the
// apply, while the configuration exists (the harness destroys it when the test ends).
type runtimeCheck func()

// CheckState runs the check; failures are reported on the test directly.
func (f runtimeCheck) CheckState(context.Context, statecheck.CheckStateRequest, *statecheck.CheckStateResponse) {
	f()
}

// TestAccRuntimeSharedField: Outreach and marketing share donotemail. An opt-out in Outreach
// sets every Dynamics opt-out column of the contact; a marketing unsubscribe on a lead opts the
// prospect out. Without the mapping no column would change, and without the object settings
// (the test starts with sync off) nothing would move at all.
func TestAccRuntimeSharedField(t *testing.T) {
	env := acctest.NewEnv(t)
	runtimeSyncOff(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(sharedFieldHCL),
			ConfigStateChecks: []statecheck.StateCheck{runtimeCheck(func() {
				contact := runtimeCreateRecord(t, env, "contacts", map[string]any{"firstname": "Ada", "lastname": "Shared"})
				lead := runtimeCreateRecord(t, env, "leads", map[string]any{"firstname": "Grace", "lastname": "Shared"})
				cp := runtimeLinkedProspect(t, env, "contact", contact)
				lp := runtimeLinkedProspect(t, env, "lead", lead)
				runtimeSync(t, env) // the first round sees both pairs as new; they agree

				// Outreach → Dynamics: the opt-out sets every opt-out column of the contact.
				runtimePatchProspect(t, env, cp.ID, map[string]any{"optedOut": true})
				runtimeSync(t, env)
				cols := []string{"donotemail", "donotbulkemail", "donotphone", "donotfax", "donotpostalmail", "donotbulkpostalmail"}
				rec := runtimeRecord(t, env, "contacts", contact, cols...)
				for _, c := range cols {
					if rec[c] != true {
						t.Errorf("contact %s = %v after the prospect opted out in Outreach, want true", c, rec[c])
					}
				}

				// Dynamics → Outreach: marketing unsubscribes the lead.
				env.MustDynamics(http.StatusNoContent, http.MethodPatch, "/api/data/v9.2/leads("+lead+")", map[string]any{"donotemail": true}, nil)
				runtimeSync(t, env)
				p := runtimeGetProspect(t, env, lp.ID)
				if p.Attributes["optedOut"] != true || p.Attributes["optedOutAt"] == nil {
					t.Errorf("lead's prospect after the marketing unsubscribe: optedOut %v, optedOutAt %v", p.Attributes["optedOut"], p.Attributes["optedOutAt"])
				}
				if p.connectedTo() != "lead:"+lead {
					t.Errorf("prospect connected to %q", p.connectedTo())
				}
			})},
		}},
	})
}

// TestAccRuntimeSalesOptOutColumn: the Sales Opt Out column carries Outreach's opt-out and
// leaves marketing's columns alone. Without the mapping new_salesoptout would stay false; with
// a mapping to donotemail instead, donotemail and donotbulkemail would turn true.
func TestAccRuntimeSalesOptOutColumn(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			// The configuration changes no sync toggle: a freshly connected plugin already pushes
			// updates of leads and contacts (the sandbox's seed, like Outreach's default).
			Config: env.Config(`
resource "dynamics_sales_optout_field" "sales_optout" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  display_name        = "Sales Opt Out"
  deletion_protection = false
}

resource "outreach_dynamics_field_mapping" "sales_optout" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = dynamics_sales_optout_field.sales_optout.logical_name
  direction      = "bidirectional"
}
`),
			ConfigStateChecks: []statecheck.StateCheck{runtimeCheck(func() {
				// The column made by the apply is usable on records at once.
				contact := runtimeCreateRecord(t, env, "contacts", map[string]any{"firstname": "Ada", "lastname": "Sales"})
				p := runtimeLinkedProspect(t, env, "contact", contact)
				runtimeSync(t, env)
				runtimePatchProspect(t, env, p.ID, map[string]any{"optedOut": true})
				runtimeSync(t, env)
				rec := runtimeRecord(t, env, "contacts", contact, "new_salesoptout", "donotemail", "donotbulkemail")
				if rec["new_salesoptout"] != true {
					t.Errorf("new_salesoptout = %v after the prospect opted out, want true", rec["new_salesoptout"])
				}
				for _, c := range []string{"donotemail", "donotbulkemail"} {
					if rec[c] != false {
						t.Errorf("%s = %v: the sales opt-out reached a marketing column", c, rec[c])
					}
				}
			})},
		}},
	})
}

// TestAccRuntimeOutreachOnly: with no opt-out mapping and the two sync conditions, opted-out
// people do not cross over in either direction while everyone else does. Without the
// conditions, the opted-out contact and prospect would be created too; without the object
// settings (the test starts with sync off) nobody would be.
func TestAccRuntimeOutreachOnly(t *testing.T) {
	env := acctest.NewEnv(t)
	runtimeSyncOff(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(outreachOnlyHCL),
			ConfigStateChecks: []statecheck.StateCheck{runtimeCheck(func() {
				// Dynamics → Outreach.
				optedOut := runtimeCreateRecord(t, env, "contacts", map[string]any{"lastname": "Unsubscribed", "donotemail": true})
				allowed := runtimeCreateRecord(t, env, "contacts", map[string]any{"lastname": "Subscribed"})
				runtimeSync(t, env)
				var list struct{ Data []runtimeProspect }
				if err := json.Unmarshal(env.MustOutreach(http.StatusOK, http.MethodGet, "/api/v2/prospects?provideDataConnections=true", nil), &list); err != nil {
					t.Fatal(err)
				}
				connected := map[string]bool{}
				for _, p := range list.Data {
					connected[p.connectedTo()] = true
				}
				if !connected["contact:"+allowed] || connected["contact:"+optedOut] || len(list.Data) != 1 {
					t.Errorf("prospects connected to %v; want only contact:%s (contact:%s does not allow email)", connected, allowed, optedOut)
				}

				// Outreach → Dynamics: lead by default, contact when the prospect asks for it.
				outLead := runtimeCreateProspect(t, env, map[string]any{"lastName": "Opted", "optedOut": true}, nil)
				inLead := runtimeCreateProspect(t, env, map[string]any{"lastName": "Welcome"}, nil)
				outContact := runtimeCreateProspect(t, env, map[string]any{"lastName": "Opted", "optedOut": true}, map[string]any{"crmObject": "contact"})
				inContact := runtimeCreateProspect(t, env, map[string]any{"lastName": "Welcome"}, map[string]any{"crmObject": "contact"})
				runtimeSync(t, env)
				for _, tc := range []struct {
					p      runtimeProspect
					object string // "" = not created in Dynamics
				}{{outLead, ""}, {inLead, "lead"}, {outContact, ""}, {inContact, "contact"}} {
					got := runtimeGetProspect(t, env, tc.p.ID).connectedTo()
					switch {
					case tc.object == "" && got != "":
						t.Errorf("opted-out prospect %d was created in Dynamics as %s", tc.p.ID, got)
					case tc.object != "" && !strings.HasPrefix(got, tc.object+":"):
						t.Errorf("prospect %d is connected to %q, want a new %s", tc.p.ID, got, tc.object)
					case tc.object != "":
						id := strings.TrimPrefix(got, tc.object+":")
						runtimeRecord(t, env, tc.object+"s", id, "donotemail") // it exists
					}
				}
				var leads struct{ Value []map[string]any }
				if err := json.Unmarshal(env.MustDynamics(http.StatusOK, http.MethodGet, "/api/data/v9.2/leads?$select=leadid", nil, nil), &leads); err != nil {
					t.Fatal(err)
				}
				if len(leads.Value) != 1 {
					t.Errorf("%d leads in Dynamics, want 1 (the prospect that did not opt out)", len(leads.Value))
				}
			})},
		}},
	})
}
