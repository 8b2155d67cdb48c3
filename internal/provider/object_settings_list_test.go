package provider_test

import (
	"strings"
	"testing"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

const osType = "outreach_dynamics_object_settings"

// One result per CRM object of the plugin, with its identity and, when asked, every setting.
func TestListObjectSettings_everyObject(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	results := p.List(osType, map[string]any{"plugin_id": 1}, true, 0)
	requireNoErrors(t, results)
	objects := map[string]bool{}
	for _, r := range results {
		id := listIdentity(t, p, osType, r)
		if id["plugin_id"] != int64(1) {
			t.Errorf("%q: identity plugin_id = %v, want 1", r.DisplayName, id["plugin_id"])
		}
		object, _ := id["object"].(string)
		objects[object] = true
		res := listResource(t, p, osType, r)
		if res["object"] != object || res["id"] == nil || res["outreach_object"] == nil {
			t.Errorf("%q: resource %v does not describe %s", r.DisplayName, res, object)
		}
		if object == "lead" && !strings.HasPrefix(r.DisplayName, "lead ↔ prospect: ") {
			t.Errorf("display name %q, want it to start with %q", r.DisplayName, "lead ↔ prospect: ")
		}
	}
	for _, o := range []string{"lead", "contact", "account", "opportunity", "task", "appointment", "systemuser"} {
		if !objects[o] {
			t.Errorf("no result for %s; listed %v", o, objects)
		}
	}
	if len(results) != 7 {
		t.Errorf("listed %d objects, want 7", len(results))
	}

	limited := p.List(osType, nil, false, 2)
	if len(limited) != 2 {
		t.Errorf("limit 2 listed %d objects", len(limited))
	}
}
