package sandbox

import (
	"net/http"
	"testing"
)

// Write counters let acceptance tests prove that a rejected plan wrote nothing, so they must
// count writes, and only writes.
func TestStatsCountWritesOnly(t *testing.T) {
	s := startSandbox(t, Options{})
	before := s.Stats()
	mustStatus(t, api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings", nil), http.StatusOK)
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/plugins/1/actions/refreshFields", nil), http.StatusNoContent)
	bad := map[string]any{"data": map[string]any{"type": "pluginFieldMapping", "attributes": map[string]any{
		"crmObject": "lead", "outreachField": "optedOut", "crmField": "nosuchcolumn",
	}, "relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}}}}
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", bad), http.StatusUnprocessableEntity)
	dv := dataverseClient(t, s)
	req, err := http.NewRequest(http.MethodGet, s.DynamicsURL()+"/api/data/v9.2/EntityDefinitions(LogicalName='contact')", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+DynamicsAccessToken)
	resp, err := dv.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	after := s.Stats()
	if got := after.OutreachRequests - before.OutreachRequests; got != 3 {
		t.Errorf("outreach requests = %d, want 3", got)
	}
	if got := after.OutreachWrites - before.OutreachWrites; got != 2 {
		t.Errorf("outreach writes = %d, want 2 (the action and the refused POST)", got)
	}
	if got := after.DynamicsRequests - before.DynamicsRequests; got != 1 {
		t.Errorf("dynamics requests = %d, want 1", got)
	}
	if got := after.DynamicsWrites - before.DynamicsWrites; got != 0 {
		t.Errorf("dynamics writes = %d, want 0", got)
	}
}

// A lost response is a write that happened and an answer that did not arrive.
func TestLostResponseFaultAppliesTheWrite(t *testing.T) {
	s := startSandbox(t, Options{})
	s.SetFaults(Faults{OutreachLoseResponse: 1})
	body := map[string]any{"data": map[string]any{"type": "pluginFieldMapping", "attributes": map[string]any{
		"crmObject": "lead", "outreachField": "optedOut", "crmField": "donotemail",
	}, "relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}}}}
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", body), http.StatusBadGateway)
	list := api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings?filter[crmObject]=lead", nil)
	mustStatus(t, list, http.StatusOK)
	if got := len(list.doc(t).many(t)); got != 1 {
		t.Fatalf("%d mappings after a lost response, want the 1 that was written", got)
	}
	// The fault fires once: the next write is answered normally (here: the duplicate is refused).
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", body), http.StatusUnprocessableEntity)
}
