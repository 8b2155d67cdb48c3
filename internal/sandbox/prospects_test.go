package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// prospectDoc is a prospect create document with optional sandbox-only meta.
func prospectDoc(attrs map[string]any, meta map[string]any) map[string]any {
	doc := resource(typeProspect, nil, attrs, false)
	if meta != nil {
		data, _ := doc["data"].(map[string]any)
		data["meta"] = meta
	}
	return doc
}

func createProspectT(t *testing.T, s *Server, attrs map[string]any, meta map[string]any) resObj {
	t.Helper()
	r := api(t, s, http.MethodPost, "/api/v2/prospects", prospectDoc(attrs, meta))
	mustStatus(t, r, http.StatusCreated)
	return r.doc(t).one(t)
}

func patchProspectT(t *testing.T, s *Server, id int64, attrs map[string]any) resObj {
	t.Helper()
	r := api(t, s, http.MethodPatch, "/api/v2/prospects/"+itoa(id), resource(typeProspect, id, attrs, false))
	mustStatus(t, r, http.StatusOK)
	return r.doc(t).one(t)
}

// connections reads meta.dataConnections of a prospect.
func connections(t *testing.T, s *Server, id int64) []map[string]string {
	t.Helper()
	r := api(t, s, http.MethodGet, "/api/v2/prospects/"+itoa(id)+"?provideDataConnections=true", nil)
	mustStatus(t, r, http.StatusOK)
	var d struct {
		Data struct {
			Meta struct {
				DataConnections []map[string]string `json:"dataConnections"`
			} `json:"meta"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	return d.Data.Meta.DataConnections
}

func TestProspectCreateReadList(t *testing.T) {
	s := startSandbox(t, Options{})
	created := createProspectT(t, s, map[string]any{
		"firstName": "Ada", "lastName": "Lovelace", "emails": []string{"ada@example.com", "ada@home.example"},
		"title": "Analyst", "custom7": "vip", "callOptedOut": true,
	}, nil)
	want := map[string]any{"firstName": "Ada", "lastName": "Lovelace", "title": "Analyst", "custom7": "vip",
		"callOptedOut": true, "optedOut": false, "emailOptedOut": false, "smsOptedOut": false, "company": nil, "optedOutAt": nil}
	for k, v := range want {
		if got := created.Attributes[k]; got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	if emails, _ := created.Attributes["emails"].([]any); len(emails) != 2 || emails[0] != "ada@example.com" {
		t.Errorf("emails %v", created.Attributes["emails"])
	}
	if created.Attributes["createdAt"] == nil || created.Attributes["updatedAt"] != created.Attributes["createdAt"] {
		t.Errorf("createdAt %v, updatedAt %v", created.Attributes["createdAt"], created.Attributes["updatedAt"])
	}
	if got := itemAt(t, s, "/api/v2/prospects/"+itoa(created.ID)); got.Attributes["firstName"] != "Ada" {
		t.Errorf("GET %v", got.Attributes)
	}
	createProspectT(t, s, map[string]any{"firstName": "Grace"}, nil)
	r := api(t, s, http.MethodGet, "/api/v2/prospects?filter[firstName]=Grace", nil)
	mustStatus(t, r, http.StatusOK)
	if list := r.doc(t).many(t); len(list) != 1 || list[0].Attributes["firstName"] != "Grace" {
		t.Errorf("filtered list %s", r.body)
	}
	// optedOut is not filterable in the public API (facts §2).
	wantError(t, api(t, s, http.MethodGet, "/api/v2/prospects?filter[optedOut]=true", nil), http.StatusUnprocessableEntity, errValidation, "filter[optedOut]", "")
	// Without provideDataConnections there is no meta.
	if r := api(t, s, http.MethodGet, "/api/v2/prospects/"+itoa(created.ID), nil); r.doc(t).Meta != nil || len(connections(t, s, created.ID)) != 0 {
		t.Errorf("unexpected data connections: %s", r.body)
	}
}

// fixedNow is a clock that only AdvanceClock moves, for exact timestamps.
func fixedNow() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

func TestProspectOptedOutAt(t *testing.T) {
	s := startSandbox(t, Options{Now: fixedNow})
	p := createProspectT(t, s, map[string]any{"firstName": "Opt"}, nil)
	s.AdvanceClock(time.Hour)
	out := patchProspectT(t, s, p.ID, map[string]any{"optedOut": true})
	if out.Attributes["optedOutAt"] != formatTime(s.Now()) {
		t.Fatalf("optedOutAt %v, want %s", out.Attributes["optedOutAt"], formatTime(s.Now()))
	}
	s.AdvanceClock(time.Hour)
	// Setting it true again keeps the original opt-out time.
	if again := patchProspectT(t, s, p.ID, map[string]any{"optedOut": true}); again.Attributes["optedOutAt"] != out.Attributes["optedOutAt"] {
		t.Errorf("optedOutAt moved: %v", again.Attributes["optedOutAt"])
	}
	if in := patchProspectT(t, s, p.ID, map[string]any{"optedOut": false}); in.Attributes["optedOutAt"] != nil {
		t.Errorf("optedOutAt after opting back in: %v", in.Attributes["optedOutAt"])
	}
}

func TestProspectValidation(t *testing.T) {
	s := startSandbox(t, Options{})
	p := createProspectT(t, s, map[string]any{"firstName": "Valid"}, nil)
	rec, err := s.org.CreateRecord("contact", map[string]any{"lastname": "Linked"})
	if err != nil {
		t.Fatal(err)
	}
	createProspectT(t, s, nil, map[string]any{"dataConnections": []any{map[string]any{"type": "contact", "id": rec.ID}}})
	for _, tc := range []struct {
		name    string
		method  string
		body    any
		status  int
		id      string
		pointer string
		detail  string
	}{
		{"unknown attribute", http.MethodPost, prospectDoc(map[string]any{"salesOptOut": true}, nil), 422, errValidation, "/data/attributes/salesOptOut", "unknown attribute"},
		{"read-only optedOutAt", http.MethodPost, prospectDoc(map[string]any{"optedOutAt": "2025-01-01T00:00:00Z"}, nil), 422, errValidation, "/data/attributes/optedOutAt", "read only"},
		{"string for a boolean", http.MethodPost, prospectDoc(map[string]any{"optedOut": "true"}, nil), 422, errValidation, "/data/attributes/optedOut", "true or false"},
		{"null for a boolean", http.MethodPost, prospectDoc(map[string]any{"optedOut": nil}, nil), 422, errValidation, "/data/attributes/optedOut", ""},
		{"number for a string", http.MethodPost, prospectDoc(map[string]any{"custom1": 5}, nil), 422, errValidation, "/data/attributes/custom1", "string or null"},
		{"emails not an array", http.MethodPost, prospectDoc(map[string]any{"emails": "a@example.com"}, nil), 422, errValidation, "/data/attributes/emails", "array"},
		{"relationship", http.MethodPost, map[string]any{"data": map[string]any{"type": typeProspect, "relationships": map[string]any{"account": map[string]any{"data": map[string]any{"type": "account", "id": 1}}}}}, 422, errValidation, "/data/relationships/account", ""},
		{"client id", http.MethodPost, map[string]any{"data": map[string]any{"type": typeProspect, "id": 9}}, 422, errValidation, "/data/id", ""},
		{"wrong type", http.MethodPost, resource(typeMapping, nil, nil, false), 409, errConflict, "/data/type", ""},
		{"unknown meta", http.MethodPost, prospectDoc(nil, map[string]any{"crm": "lead"}), 422, errValidation, "/data/meta/crm", "unknown meta member"},
		{"crmObject", http.MethodPost, prospectDoc(nil, map[string]any{"crmObject": "account"}), 422, errValidation, "/data/meta/crmObject", ""},
		{"connection to no record", http.MethodPost, prospectDoc(nil, map[string]any{"dataConnections": []any{map[string]any{"type": "lead", "id": rec.ID}}}), 422, errValidation, "/data/meta/dataConnections/0/id", "no Dynamics lead"},
		{"record already connected", http.MethodPost, prospectDoc(nil, map[string]any{"dataConnections": []any{map[string]any{"type": "contact", "id": rec.ID}}}), 422, errValidation, "/data/meta/dataConnections/0/id", "already connected"},
		{"connection on PATCH", http.MethodPatch, map[string]any{"data": map[string]any{"type": typeProspect, "id": p.ID, "meta": map[string]any{"crmObject": "lead"}}}, 422, errValidation, "/data/meta/crmObject", "when the prospect is created"},
		{"PATCH id mismatch", http.MethodPatch, resource(typeProspect, p.ID+100, map[string]any{"title": "x"}, false), 409, errConflict, "/data/id", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/api/v2/prospects"
			if tc.method == http.MethodPatch {
				path += "/" + itoa(p.ID)
			}
			before := len(s.st.Prospects)
			wantError(t, api(t, s, tc.method, path, tc.body), tc.status, tc.id, tc.pointer, tc.detail)
			if len(s.st.Prospects) != before {
				t.Error("a refused write changed the prospects")
			}
		})
	}
	wantError(t, api(t, s, http.MethodGet, "/api/v2/prospects/999", nil), http.StatusNotFound, errNotFound, "", "prospect 999")
	wantError(t, call(t, s, http.MethodPost, "/api/v2/prospects", StaticAccessToken, prospectDoc(nil, nil), "application/json"), http.StatusUnsupportedMediaType, errUnsupportedMediaType, "", "")
}

// TestProspectScopes: prospects need prospects.* scopes; plugins.all grants none of them.
func TestProspectScopes(t *testing.T) {
	s := startSandbox(t, Options{})
	p := createProspectT(t, s, nil, nil)
	wantError(t, call(t, s, http.MethodGet, "/api/v2/prospects", ReadOnlyAccessToken, nil, ""), http.StatusForbidden, errScope, "", "prospects.read")
	// A token minted through OAuth carries plugins.all only.
	minted := mintRefresh(t, s, SeedRefreshToken)
	mustStatus(t, call(t, s, http.MethodGet, "/api/v2/plugins", minted.AccessToken, nil, ""), http.StatusOK)
	wantError(t, call(t, s, http.MethodDelete, "/api/v2/prospects/"+itoa(p.ID), minted.AccessToken, nil, ""), http.StatusForbidden, errScope, "", "prospects.delete")
	mustStatus(t, api(t, s, http.MethodDelete, "/api/v2/prospects/"+itoa(p.ID), nil), http.StatusNoContent)
	wantError(t, api(t, s, http.MethodGet, "/api/v2/prospects/"+itoa(p.ID), nil), http.StatusNotFound, errNotFound, "", "")
}

func TestProspectDataConnections(t *testing.T) {
	s := startSandbox(t, Options{})
	rec, err := s.org.CreateRecord("lead", map[string]any{"lastname": "Linked"})
	if err != nil {
		t.Fatal(err)
	}
	p := createProspectT(t, s, nil, map[string]any{"dataConnections": []any{map[string]any{"type": "lead", "id": rec.ID}}})
	got := connections(t, s, p.ID)
	if len(got) != 1 || got[0]["type"] != "lead" || got[0]["id"] != rec.ID {
		t.Fatalf("dataConnections %v", got)
	}
	r := api(t, s, http.MethodGet, "/api/v2/prospects?provideDataConnections=true", nil)
	if !json.Valid(r.body) || !strings.Contains(string(r.body), `"dataConnections":[{"id":"`+rec.ID+`","type":"lead"}]`) {
		t.Errorf("collection without connections: %s", r.body)
	}
}
