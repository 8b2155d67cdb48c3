package provider_test

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// oversightConfig configures the provider with a token that holds auditLogs.read and
// sequences.read and nothing else, which is all the public API data sources may need.
func oversightConfig(env *acctest.Env, body string) string {
	return fmt.Sprintf(`
provider "outreach" {
  outreach = {
    base_url     = %q
    access_token = %q
  }
  max_retries = 3
}
`, env.Sandbox.OutreachURL(), sandbox.OversightAccessToken) + body
}

// frozenEnv is a sandbox whose clock stands still at a whole second close to the real time, so
// that events get exact timestamps and durations such as "24h" (counted from the real clock)
// still cover them.
func frozenEnv(t *testing.T) (*acctest.Env, time.Time) {
	base := time.Now().UTC().Truncate(time.Second)
	return acctest.NewEnvWithOptions(t, sandbox.Options{Now: func() time.Time { return base }}), base
}

func uiChange(t *testing.T, env *acctest.Env, method, path, body string) []byte {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	status, out := env.Sandbox.UIRequest(method, path, b)
	if status >= 300 {
		t.Fatalf("UI %s %s: %d %s", method, path, status, out)
	}
	return out
}

var idInBody = regexp.MustCompile(`"id":([0-9]+)`)

func TestAccAuditEventsDataSource_uiChangeAppearsInTheNextPlan(t *testing.T) {
	env, base := frozenEnv(t)
	const cfg = `
data "outreach_audit_events" "plugin" {
  since = "1h"
}
`
	pluginEvents := "data.outreach_audit_events.plugin"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: oversightConfig(env, cfg),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pluginEvents, tfjsonpath.New("events"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(pluginEvents, tfjsonpath.New("event_names"), knownvalue.ListSizeExact(9)),
				},
			},
			{
				PreConfig: func() {
					created := uiChange(t, env, http.MethodPost, "/api/v2/pluginFieldMappings",
						`{"data":{"type":"pluginFieldMapping","attributes":{"crmObject":"lead","outreachField":"optedOut","crmField":"donotemail"},`+
							`"relationships":{"plugin":{"data":{"type":"plugin","id":1}}}}}`)
					id := idInBody.FindSubmatch(created)[1]
					env.Sandbox.AdvanceClock(90 * time.Second)
					uiChange(t, env, http.MethodPatch, "/api/v2/pluginFieldMappings/"+string(id),
						`{"data":{"type":"pluginFieldMapping","id":`+string(id)+`,"attributes":{"updatesOut":false}}}`)
				},
				Config: oversightConfig(env, cfg),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pluginEvents, tfjsonpath.New("events"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(pluginEvents, tfjsonpath.New("events").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name":       knownvalue.StringExact("plugin_field_mapping_updated"),
						"action":     knownvalue.StringExact("update"),
						"result":     knownvalue.StringExact("completed"),
						"timestamp":  knownvalue.StringExact(base.Add(90 * time.Second).Format(time.RFC3339)),
						"request_id": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)),
						"agent":      knownvalue.StringRegexp(regexp.MustCompile(`"name":"Sandbox Admin".*"source":"ui"`)),
						"changes":    knownvalue.StringRegexp(regexp.MustCompile(`"after":false,"attribute":"updatesOut","before":true`)),
					})),
					statecheck.ExpectKnownValue(pluginEvents, tfjsonpath.New("events").AtSliceIndex(1), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name":      knownvalue.StringExact("plugin_field_mapping_created"),
						"timestamp": knownvalue.StringExact(base.Format(time.RFC3339)),
					})),
				},
			},
		},
	})
}

func TestAccAuditEventsDataSource_filtersWindowAndPaging(t *testing.T) {
	env, base := frozenEnv(t)
	env.Sandbox.LoadSyntheticAuditEvents(10, base.Add(-72*time.Hour))
	env.Sandbox.LoadSyntheticAuditEvents(1200, base.Add(-time.Minute)) // more than one page of 1000
	env.MustOutreach(http.StatusCreated, http.MethodPost, "/api/v2/pluginFieldMappings", map[string]any{"data": map[string]any{
		"type":          "pluginFieldMapping",
		"attributes":    map[string]any{"crmObject": "contact", "outreachField": "optedOut", "crmField": "donotemail"},
		"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}},
	}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: oversightConfig(env, `
data "outreach_audit_events" "all" {}

data "outreach_audit_events" "day" {
  since = "24h"
}

data "outreach_audit_events" "newest" {
  since = "`+base.Add(-48*time.Hour).Format(time.RFC3339)+`"
  limit = 3
}

data "outreach_audit_events" "created_mappings" {
  event_names = ["plugin_field_mapping_created"]
}

data "outreach_audit_events" "deletes" {
  actions = ["delete"]
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.outreach_audit_events.all", tfjsonpath.New("events"), knownvalue.ListSizeExact(1211)),
				statecheck.ExpectKnownValue("data.outreach_audit_events.all", tfjsonpath.New("events").AtSliceIndex(1210).AtMapKey("timestamp"),
					knownvalue.StringExact(base.Add(-72*time.Hour-9*time.Minute).Format(time.RFC3339))),
				statecheck.ExpectKnownValue("data.outreach_audit_events.day", tfjsonpath.New("events"), knownvalue.ListSizeExact(1201)),
				statecheck.ExpectKnownValue("data.outreach_audit_events.newest", tfjsonpath.New("events"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("plugin_field_mapping_created"), "timestamp": knownvalue.StringExact(base.Format(time.RFC3339))}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"timestamp": knownvalue.StringExact(base.Add(-time.Minute).Format(time.RFC3339))}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"timestamp": knownvalue.StringExact(base.Add(-2 * time.Minute).Format(time.RFC3339))}),
				})),
				statecheck.ExpectKnownValue("data.outreach_audit_events.created_mappings", tfjsonpath.New("events"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"action": knownvalue.StringExact("create"),
						"agent":  knownvalue.StringRegexp(regexp.MustCompile(`"name":"Sandbox Integration".*"source":"api"`)),
					}),
				})),
				statecheck.ExpectKnownValue("data.outreach_audit_events.deletes", tfjsonpath.New("events"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

func TestAccPublicAPIDataSources_missingScopeIsNamed(t *testing.T) {
	env := acctest.NewEnv(t) // its provider block uses the plugins.all token
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(`data "outreach_audit_events" "x" {}`),
				ExpectError: regexp.MustCompile(`(?s)Missing Outreach scope auditLogs\.read.*outreach_audit_events needs the auditLogs\.read scope`),
			},
			{
				Config:      env.Config(`data "outreach_sequences" "x" {}`),
				ExpectError: regexp.MustCompile(`(?s)Missing Outreach scope sequences\.read.*outreach_sequences needs the sequences\.read scope`),
			},
		},
	})
	if w := env.Sandbox.Stats().OutreachWrites; w != 0 {
		t.Errorf("OutreachWrites = %d, want 0: the data sources only read", w)
	}
}

func TestAccAuditEventsDataSource_invalidInput(t *testing.T) {
	env := acctest.NewEnv(t)
	cases := []struct{ body, want string }{
		{`since = "yesterday"`, `(?s)Invalid since.*since = "yesterday".*RFC 3339 time.*positive\s+duration`},
		{`since = "-24h"`, `(?s)Invalid since.*since = "-24h".*got\s+"-24h"`},
		{`since = "7d"`, `(?s)Invalid since.*no\s+day\s+unit`},
		{`limit = 0`, `(?s)limit.*value must be at least 1`},
		{`event_names = ["plugin_created,plugin_updated"]`, `(?s)event_names.*must be an audit event name in snake_case`},
		{`actions = ["destroy"]`, `(?s)actions.*value must be one of`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      oversightConfig(env, "data \"outreach_audit_events\" \"x\" {\n  "+tc.body+"\n}\n"),
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
	if n := env.Sandbox.Stats().OutreachRequests; n != 0 {
		t.Errorf("OutreachRequests = %d, want 0: invalid input must be refused before any request", n)
	}
}

// TestAccWatchingGuideChecks runs the guide's check blocks as written: with a UI change and an
// enabled transactional sequence they warn, and the run still succeeds.
func TestAccWatchingGuideChecks(t *testing.T) {
	env, _ := frozenEnv(t)
	checks, err := os.ReadFile("../../examples/guides/watching-the-plugin/checks.tf")
	if err != nil {
		t.Fatal(err)
	}
	uiChange(t, env, http.MethodPatch, "/api/v2/pluginObjects/1", `{"data":{"type":"pluginObject","id":1,"attributes":{"pushing":false}}}`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: oversightConfig(env, string(checks)+`
data "outreach_audit_events" "same_day" {
  since = "24h"
}
`),
			// Terraform plans a check block's own data sources as "read during apply" every time, so the
			// plan after the apply is never empty; that is how check blocks work, not drift.
			ExpectNonEmptyPlan: true,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.outreach_audit_events.same_day", tfjsonpath.New("events"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("plugin_type_mapping_updated")}),
				})),
			},
		}},
	})
}
