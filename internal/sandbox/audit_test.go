package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

type auditObj struct {
	Type       string `json:"type"`
	ID         int64  `json:"id"`
	Attributes struct {
		EventName string           `json:"eventName"`
		Action    string           `json:"action"`
		Result    string           `json:"result"`
		Timestamp string           `json:"timestamp"`
		RequestID string           `json:"requestId"`
		Agent     map[string]any   `json:"agent"`
		Changes   []map[string]any `json:"changes"`
	} `json:"attributes"`
}

func auditList(t *testing.T, s *Server, query string) ([]auditObj, jsonDoc) {
	t.Helper()
	r := call(t, s, http.MethodGet, "/api/v2/auditLogs"+query, OversightAccessToken, nil, "")
	mustStatus(t, r, http.StatusOK)
	d := r.doc(t)
	var out []auditObj
	if err := json.Unmarshal(d.Data, &out); err != nil {
		t.Fatalf("data: %v\n%s", err, d.Data)
	}
	return out, d
}

func fixedClock() Options {
	base := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	return Options{Now: func() time.Time { return base }}
}

func TestAuditLogRecordsPluginWritesWithTheirAgent(t *testing.T) {
	s := startSandbox(t, fixedClock())
	m := createMappingT(t, s, "lead", "firstName", "firstname", nil)
	s.AdvanceClock(time.Minute)
	status, body := s.UIRequest(http.MethodPatch, "/api/v2/pluginFieldMappings/"+itoa(m.ID),
		mustJSON(t, resource(typeMapping, m.ID, map[string]any{"updatesIn": false}, false)))
	if status != http.StatusOK {
		t.Fatalf("UI PATCH: %d %s", status, body)
	}
	s.AdvanceClock(time.Minute)
	mustStatus(t, api(t, s, http.MethodDelete, "/api/v2/pluginFieldMappings/"+itoa(m.ID), nil), http.StatusNoContent)
	// A rejected write changes nothing and records nothing; reads record nothing.
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", mappingDoc("lead", "nope", "nope", nil)), http.StatusUnprocessableEntity)
	mustStatus(t, api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings", nil), http.StatusOK)

	got, _ := auditList(t, s, "?sort=-timestamp")
	if len(got) != 3 {
		t.Fatalf("%d entries, want 3 (create, UI update, delete): %+v", len(got), got)
	}
	del, upd, cre := got[0].Attributes, got[1].Attributes, got[2].Attributes
	if cre.EventName != "plugin_field_mapping_created" || cre.Action != "create" || upd.EventName != "plugin_field_mapping_updated" ||
		upd.Action != "update" || del.EventName != "plugin_field_mapping_destroyed" || del.Action != "delete" {
		t.Fatalf("events = %s/%s, %s/%s, %s/%s", cre.EventName, cre.Action, upd.EventName, upd.Action, del.EventName, del.Action)
	}
	if upd.Timestamp != "2026-05-04T12:01:00.000Z" || upd.Result != "completed" || len(upd.RequestID) != 36 || upd.RequestID == cre.RequestID {
		t.Errorf("update entry = %+v", upd)
	}
	if upd.Agent["name"] != "Sandbox Admin" || upd.Agent["source"] != "ui" {
		t.Errorf("UI change agent = %v, want the administrator in the UI", upd.Agent)
	}
	if cre.Agent["name"] != "Sandbox Integration" || cre.Agent["source"] != "api" || cre.Agent["id"] != float64(1) {
		t.Errorf("API change agent = %v, want the token's user", cre.Agent)
	}
	if len(upd.Changes) != 1 || upd.Changes[0]["attribute"] != "updatesIn" || upd.Changes[0]["before"] != true || upd.Changes[0]["after"] != false ||
		upd.Changes[0]["resourceId"] != float64(m.ID) {
		t.Errorf("update changes = %v, want updatesIn true → false on mapping %d", upd.Changes, m.ID)
	}
	if st := s.Stats(); st.OutreachWrites != 3 {
		t.Errorf("OutreachWrites = %d, want 3: a UI change is not an API request", st.OutreachWrites)
	}
}

func TestAuditLogNamesEachPluginResource(t *testing.T) {
	s := startSandbox(t, fixedClock())
	mustStatus(t, api(t, s, http.MethodPatch, "/api/v2/pluginObjects/1", resource(typeObject, 1, map[string]any{"pushing": false}, false)), http.StatusOK)
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/plugins/1/actions/refreshFields", nil), http.StatusNoContent)
	r := call(t, s, http.MethodPost, "/api/v2/prospects", StaticAccessToken, resource(typeProspect, nil, map[string]any{"firstName": "Ann"}, false), "")
	mustStatus(t, r, http.StatusCreated)
	got, _ := auditList(t, s, "?sort=id")
	var names []string
	for _, e := range got {
		names = append(names, e.Attributes.EventName)
	}
	if strings.Join(names, ",") != "plugin_type_mapping_updated,plugin_updated" {
		t.Fatalf("events = %v, want the type mapping update and the refresh, nothing for the prospect", names)
	}
}

func TestAuditLogFiltersSortsAndPages(t *testing.T) {
	s := startSandbox(t, fixedClock())
	now := s.Now()
	s.LoadSyntheticAuditEvents(5, now.Add(-time.Hour)) // 11:56 .. 12:00 minus an hour
	createMappingT(t, s, "lead", "firstName", "firstname", nil)

	got, _ := auditList(t, s, "?filter[eventName]=plugin_field_mapping_created,plugin_destroyed")
	if len(got) != 1 || got[0].Attributes.EventName != "plugin_field_mapping_created" {
		t.Fatalf("eventName filter: %+v", got)
	}
	got, _ = auditList(t, s, "?filter[action]=update")
	if len(got) != 5 {
		t.Fatalf("action filter: %d entries, want the 5 updates", len(got))
	}
	since := url.QueryEscape(now.Add(-62*time.Minute).Format(time.RFC3339) + "..inf")
	got, _ = auditList(t, s, "?sort=-timestamp&filter[timestamp]="+since)
	if len(got) != 4 || got[0].Attributes.EventName != "plugin_field_mapping_created" || got[1].Attributes.Timestamp != "2026-05-04T11:00:00.000Z" ||
		got[3].Attributes.Timestamp != "2026-05-04T10:58:00.000Z" {
		t.Fatalf("since..inf, newest first: %+v", got)
	}
	upTo := url.QueryEscape("neginf.." + now.Add(-63*time.Minute).Format(time.RFC3339))
	got, _ = auditList(t, s, "?filter[timestamp]="+upTo)
	if len(got) != 2 {
		t.Fatalf("neginf..t: %d entries, want 2", len(got))
	}

	// Paging newest first with two per page visits every entry once, in order.
	var seen []string
	next := "?sort=-timestamp&page[size]=2"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		page, d := auditList(t, s, next)
		for _, e := range page {
			seen = append(seen, e.Attributes.Timestamp)
		}
		next = ""
		if link := d.Links["next"]; link != "" {
			rest, ok := strings.CutPrefix(link, s.OutreachURL()+"/api/v2/auditLogs")
			if !ok {
				t.Fatalf("next link %q is not on the collection", link)
			}
			next = rest
		}
	}
	if len(seen) != 6 {
		t.Fatalf("paged %d entries, want 6: %v", len(seen), seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] > seen[i-1] {
			t.Fatalf("not newest first: %v", seen)
		}
	}
}

func TestAuditLogQueryErrors(t *testing.T) {
	s := startSandbox(t, fixedClock())
	for _, tc := range []struct{ query, param, detail string }{
		{"?filter[timestamp]=yesterday", "filter[timestamp]", "range"},
		{"?filter[timestamp]=2026-05-04T00:00:00Z..2026-05-01T00:00:00Z", "filter[timestamp]", "range"},
		{"?filter[agent]=x", "filter[agent]", "not a filterable attribute"},
		{"?sort=eventName", "sort", "timestamp"},
		{"?page[size]=1001", "page[size]", "1 to 1000"},
		{"?sort=-timestamp&page[after]=" + encodeAuditCursor(auditQuery{}, &auditEvent{ID: 1}), "page[after]", "cursor"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := call(t, s, http.MethodGet, "/api/v2/auditLogs"+tc.query, OversightAccessToken, nil, "")
			wantError(t, r, http.StatusUnprocessableEntity, errValidation, tc.param, tc.detail)
		})
	}
}

func TestAuditLogIsReadOnlyCollectionWithItsScope(t *testing.T) {
	s := startSandbox(t, fixedClock())
	r := call(t, s, http.MethodGet, "/api/v2/auditLogs", StaticAccessToken, nil, "")
	wantError(t, r, http.StatusForbidden, errScope, "", "auditLogs.read")
	r = call(t, s, http.MethodGet, "/api/v2/sequences", ReadOnlyAccessToken, nil, "")
	wantError(t, r, http.StatusForbidden, errScope, "", "sequences.read")
	r = call(t, s, http.MethodPost, "/api/v2/auditLogs", OversightAccessToken, resource(typeAuditLog, nil, map[string]any{}, false), "")
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST auditLogs: %d, want 405", r.status)
	}
	r = call(t, s, http.MethodGet, "/api/v2/auditLogs/1", OversightAccessToken, nil, "")
	wantError(t, r, http.StatusNotFound, errNotFound, "", "")
	// The oversight token reads the public resources and nothing of the plugin.
	r = call(t, s, http.MethodGet, "/api/v2/pluginFieldMappings", OversightAccessToken, nil, "")
	wantError(t, r, http.StatusForbidden, errScope, "", "plugins.read")
}

func TestAuditLogKeepsNinetyDays(t *testing.T) {
	s := startSandbox(t, fixedClock())
	s.LoadSyntheticAuditEvents(1, s.Now())
	s.AdvanceClock(89 * 24 * time.Hour)
	if got, _ := auditList(t, s, ""); len(got) != 1 {
		t.Fatalf("after 89 days: %d entries, want 1", len(got))
	}
	s.AdvanceClock(2 * 24 * time.Hour)
	if got, _ := auditList(t, s, ""); len(got) != 0 {
		t.Fatalf("after 91 days: %d entries, want 0", len(got))
	}
}

func TestUIRouteServesThePluginAPIAsTheAdministrator(t *testing.T) {
	s := startSandbox(t, fixedClock())
	r := call(t, s, http.MethodPost, "/_sandbox/ui/api/v2/pluginFieldMappings", "", mappingDoc("lead", "firstName", "firstname", nil), "")
	mustStatus(t, r, http.StatusCreated)
	r = call(t, s, http.MethodPost, "/_sandbox/ui/api/v2/pluginFieldMappings", "", mappingDoc("lead", "nope", "firstname", nil), "")
	wantError(t, r, http.StatusUnprocessableEntity, errValidation, "/data/attributes/outreachField", "")
	got, _ := auditList(t, s, "")
	if len(got) != 1 || got[0].Attributes.Agent["source"] != "ui" {
		t.Fatalf("entries = %+v, want one UI create", got)
	}
	if st := s.Stats(); st.OutreachRequests != 1 { // the audit read only
		t.Errorf("OutreachRequests = %d, want 1: UI changes are not API requests", st.OutreachRequests)
	}
}

func TestSequencesServeTransactionalAndFilterByName(t *testing.T) {
	s := startSandbox(t, fixedClock())
	id := s.AddSequence("Webinar follow-up", true, false, "shared")
	r := call(t, s, http.MethodGet, "/api/v2/sequences?filter[name]=Order%20receipts", OversightAccessToken, nil, "")
	mustStatus(t, r, http.StatusOK)
	got := r.doc(t).many(t)
	if len(got) != 1 || got[0].Attributes["transactional"] != true || got[0].Attributes["enabled"] != true || got[0].Attributes["shareType"] != "private" {
		t.Fatalf("filter[name]: %+v", got)
	}
	r = call(t, s, http.MethodGet, "/api/v2/sequences", OversightAccessToken, nil, "")
	if all := r.doc(t).many(t); len(all) != 4 || all[3].ID != id {
		t.Fatalf("sequences: %+v, want the 3 seeded and the added one", all)
	}
	r = call(t, s, http.MethodGet, "/api/v2/sequences?filter[transactional]=true", OversightAccessToken, nil, "")
	wantError(t, r, http.StatusUnprocessableEntity, errValidation, "filter[transactional]", "not a filterable attribute")
	r = call(t, s, http.MethodGet, "/api/v2/sequences/"+itoa(id), OversightAccessToken, nil, "")
	mustStatus(t, r, http.StatusOK)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
