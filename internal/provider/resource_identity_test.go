package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// These tests drive identity through the protocol server, so they run with any CLI or none:
// state written before identity existed (by an older provider version, or by Terraform < 1.12,
// which never stores one) reaches Read without an identity, and Read must fill it in.
// TestAccIdentity_* prove the same end to end on a CLI with identity support.

// identityFixture is one resource type's object in the sandbox, as state without identity.
type identityFixture struct {
	typeName string
	state    map[string]any
	identity map[string]any
	// gone is state of an object that does not exist (any more).
	gone map[string]any
}

func identityFixtures(t *testing.T, env *acctest.Env) []identityFixture {
	t.Helper()
	mappingID := strconv.FormatInt(fmCreateMappingOutOfBand(env, "lead", "optedOut", "donotemail"), 10)
	conditionID := scCreateOutOfBand(t, env, "lead", "polling", "donotemail", "equals", false)
	createSalesOptOutColumnOutOfBand(env)
	return []identityFixture{
		{
			typeName: fmType,
			state: map[string]any{"id": mappingID, "plugin_id": 1, "object": "lead", "outreach_field": "optedOut",
				"dynamics_field": "donotemail", "direction": "bidirectional"},
			identity: map[string]any{"object": "lead", "outreach_field": "optedOut", "plugin_id": int64(1)},
			gone:     map[string]any{"id": "999999", "plugin_id": 1, "object": "lead", "outreach_field": "callOptedOut", "dynamics_field": "donotphone"},
		},
		{
			typeName: scType,
			state:    map[string]any{"id": conditionID, "plugin_id": 1, "object": "lead", "trigger": "polling", "field": "donotemail", "operator": "equals", "value": "false"},
			identity: map[string]any{"id": conditionID, "plugin_id": int64(1)},
			gone:     map[string]any{"id": "999999", "plugin_id": 1, "object": "lead", "trigger": "polling", "field": "donotemail", "operator": "is_blank"},
		},
		{
			typeName: osType,
			state:    map[string]any{"id": pluginObjectID(t, env, "lead"), "plugin_id": 1, "object": "lead"},
			identity: map[string]any{"object": "lead", "plugin_id": int64(1)},
			gone:     map[string]any{"id": "999999", "plugin_id": 1, "object": "contact"},
		},
		{
			typeName: sofType,
			state:    map[string]any{"entity": "contact", "schema_name": "new_SalesOptOut", "logical_name": "new_salesoptout"},
			identity: map[string]any{"entity": "contact", "logical_name": "new_salesoptout"},
			gone:     map[string]any{"entity": "contact", "schema_name": "new_Gone", "logical_name": "new_gone"},
		},
	}
}

// pluginObjectID is the id of plugin 1's object for a CRM object.
func pluginObjectID(t *testing.T, env *acctest.Env, object string) string {
	t.Helper()
	var doc struct {
		Data []struct {
			ID json.Number `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(env.MustOutreach(http.StatusOK, http.MethodGet, "/api/v2/pluginObjects?filter[plugin][id]=1&filter[crmObject]="+object, nil), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Data) != 1 {
		t.Fatalf("plugin 1 has %d %s objects", len(doc.Data), object)
	}
	return doc.Data[0].ID.String()
}

func decodeIdentity(t *testing.T, p *acctest.Protocol, typeName string, id *tfprotov6.ResourceIdentityData) map[string]any {
	t.Helper()
	if id == nil {
		return nil
	}
	m, _ := p.Decode(p.IdentityType(typeName), id.IdentityData).(map[string]any)
	return m
}

// Read fills in the identity of state that has none, for every resource.
func TestIdentity_readFillsInOldState(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	for _, f := range identityFixtures(t, env) {
		t.Run(f.typeName, func(t *testing.T) {
			resp := p.Read(f.typeName, f.state, nil)
			if acctest.HasError(resp.Diagnostics) {
				t.Fatalf("Read: %s", acctest.DiagnosticsText(resp.Diagnostics))
			}
			if got := decodeIdentity(t, p, f.typeName, resp.NewIdentity); fmt.Sprint(got) != fmt.Sprint(f.identity) {
				t.Errorf("identity after Read = %v, want %v", got, f.identity)
			}
		})
	}
}

// An object deleted outside Terraform is removed from state even when the state has no identity
// yet: the framework refuses a Read that returns no identity, removal or not, so the identity is
// filled in from the prior state first.
func TestIdentity_removedObjectWithoutIdentity(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	for _, f := range identityFixtures(t, env) {
		t.Run(f.typeName, func(t *testing.T) {
			resp := p.Read(f.typeName, f.gone, nil)
			if acctest.HasError(resp.Diagnostics) {
				t.Fatalf("Read: %s", acctest.DiagnosticsText(resp.Diagnostics))
			}
			if state := p.Decode(p.ResourceType(f.typeName), resp.NewState); state != nil {
				t.Errorf("state after Read = %v, want the object removed", state)
			}
			if resp.NewIdentity == nil {
				t.Error("Read returned no identity")
			}
		})
	}
}

// Once stored, an identity never changes: a mapping whose Outreach field was changed in the
// Outreach UI keeps its identity (the plan then replaces it, outreach_field being part of it).
func TestIdentity_neverChanges(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	id := fmCreateMappingOutOfBand(env, "lead", "optedOut", "donotemail")
	env.MustOutreach(http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/v2/pluginFieldMappings/%d", id), map[string]any{
		"data": map[string]any{"type": "pluginFieldMapping", "id": id, "attributes": map[string]any{"outreachField": "emailOptedOut"}},
	})
	identity := map[string]any{"object": "lead", "outreach_field": "optedOut", "plugin_id": int64(1)}
	resp := p.Read(fmType, map[string]any{"id": strconv.FormatInt(id, 10), "plugin_id": 1, "object": "lead",
		"outreach_field": "optedOut", "dynamics_field": "donotemail"}, identity)
	if acctest.HasError(resp.Diagnostics) {
		t.Fatalf("Read: %s", acctest.DiagnosticsText(resp.Diagnostics))
	}
	if got := decodeIdentity(t, p, fmType, resp.NewIdentity); fmt.Sprint(got) != fmt.Sprint(identity) {
		t.Errorf("identity after Read = %v, want it unchanged: %v", got, identity)
	}
	state, _ := p.Decode(p.ResourceType(fmType), resp.NewState).(map[string]any)
	if state["outreach_field"] != "emailOptedOut" {
		t.Errorf("state outreach_field = %v, want the drift (emailOptedOut) shown", state["outreach_field"])
	}
}

// An import by identity without plugin_id takes the provider's plugin, and the imported identity
// says which; one by identity with the wrong plugin is refused.
func TestIdentity_importByIdentity(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	mappingID := fmCreateMappingOutOfBand(env, "lead", "optedOut", "donotemail")
	conditionID := scCreateOutOfBand(t, env, "lead", "polling", "donotemail", "equals", false)

	resp := p.ImportByIdentity(fmType, map[string]any{"object": "lead", "outreach_field": "optedOut"})
	if acctest.HasError(resp.Diagnostics) || len(resp.ImportedResources) != 1 {
		t.Fatalf("import: %d resources, %s", len(resp.ImportedResources), acctest.DiagnosticsText(resp.Diagnostics))
	}
	imported := resp.ImportedResources[0]
	want := map[string]any{"object": "lead", "outreach_field": "optedOut", "plugin_id": int64(1)}
	if got := decodeIdentity(t, p, fmType, imported.Identity); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("imported identity = %v, want %v", got, want)
	}
	state, _ := p.Decode(p.ResourceType(fmType), imported.State).(map[string]any)
	if state["id"] != strconv.FormatInt(mappingID, 10) {
		t.Errorf("imported id = %v, want %d", state["id"], mappingID)
	}

	bad := p.ImportByIdentity(fmType, map[string]any{"object": "leed", "outreach_field": "optedOut"})
	if !acctest.HasError(bad.Diagnostics) || !strings.Contains(acctest.DiagnosticsText(bad.Diagnostics), `"leed"`) {
		t.Errorf("identity object = leed: %s, want an error naming it", acctest.DiagnosticsText(bad.Diagnostics))
	}

	wrong := p.ImportByIdentity(scType, map[string]any{"id": conditionID, "plugin_id": 2})
	if text := acctest.DiagnosticsText(wrong.Diagnostics); !strings.Contains(text, "belongs to plugin 1, not 2") {
		t.Errorf("condition imported with plugin_id 2: %s, want it refused", text)
	}
	right := p.ImportByIdentity(scType, map[string]any{"id": conditionID, "plugin_id": 1})
	if acctest.HasError(right.Diagnostics) {
		t.Errorf("condition imported with its own plugin: %s", acctest.DiagnosticsText(right.Diagnostics))
	}
}
