package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

const scType = "outreach_dynamics_sync_condition"

// scCreateOutOfBand creates a sync condition as someone in the Outreach UI would and returns its id.
func scCreateOutOfBand(t *testing.T, env *acctest.Env, object, trigger, field, operator string, value any) string {
	t.Helper()
	body := env.MustOutreach(http.StatusCreated, http.MethodPost, "/api/v2/pluginSyncConditions", map[string]any{
		"data": map[string]any{
			"type": "pluginSyncCondition",
			"attributes": map[string]any{
				"crmObject": object, "trigger": trigger, "field": field, "operator": operator, "value": value,
			},
			"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}},
		},
	})
	var doc struct {
		Data struct {
			ID json.Number `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Data.ID.String()
}

// Conditions are listed with a readable name and their identity, filtered by object and trigger.
func TestListSyncConditions_filtersAndIdentity(t *testing.T) {
	env := acctest.NewEnv(t)
	leadPolling := scCreateOutOfBand(t, env, "lead", "polling", "donotemail", "equals", false)
	scCreateOutOfBand(t, env, "lead", "inboundCreate", "donotemail", "notEquals", true)
	scCreateOutOfBand(t, env, "contact", "polling", "donotbulkemail", "equals", true)
	p := env.Protocol()

	names := func(config map[string]any) []string {
		results := p.List(scType, config, false, 0)
		requireNoErrors(t, results)
		var out []string
		for _, r := range results {
			out = append(out, r.DisplayName)
		}
		sort.Strings(out)
		return out
	}
	for _, c := range []struct {
		config map[string]any
		want   []string
	}{
		{nil, []string{"contact polling: donotbulkemail equals true", "lead inbound_create: donotemail not_equals true", "lead polling: donotemail equals false"}},
		{map[string]any{"object": "lead"}, []string{"lead inbound_create: donotemail not_equals true", "lead polling: donotemail equals false"}},
		{map[string]any{"trigger": "polling"}, []string{"contact polling: donotbulkemail equals true", "lead polling: donotemail equals false"}},
		{map[string]any{"object": "lead", "trigger": "polling", "plugin_id": 1}, []string{"lead polling: donotemail equals false"}},
	} {
		if got := names(c.config); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("filter %v listed %q, want %q", c.config, got, c.want)
		}
	}

	results := p.List(scType, map[string]any{"object": "lead", "trigger": "polling"}, true, 0)
	requireNoErrors(t, results)
	if len(results) != 1 {
		t.Fatalf("listed %d conditions, want 1", len(results))
	}
	want := map[string]any{"id": leadPolling, "plugin_id": int64(1)}
	if got := listIdentity(t, p, scType, results[0]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("identity = %v, want %v", got, want)
	}
	res := listResource(t, p, scType, results[0])
	for k, v := range map[string]any{"id": leadPolling, "object": "lead", "trigger": "polling", "field": "donotemail", "operator": "equals", "value": "false"} {
		if res[k] != v {
			t.Errorf("resource %s = %#v, want %#v", k, res[k], v)
		}
	}
}
