package outreach

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func auditPage(next string, entries ...string) string {
	n := "null"
	if next != "" {
		n = jsonString(next)
	}
	return `{"data":[` + strings.Join(entries, ",") + `],"links":{"next":` + n + `}}`
}

func auditEntry(id, name, ts string) string {
	return `{"type":"auditLog","id":` + id + `,"attributes":{"eventName":"` + name + `","action":"update","result":"completed",` +
		`"timestamp":"` + ts + `","requestId":"7d3c0c3e-0000-4000-8000-000000000001","agent":{"name":"Ann","id":7},` +
		`"changes":[{"field":"updatesIn"}],"orgId":"o","unknownMember":1}}`
}

func TestListAuditEventsSendsServerSideFiltersAndFollowsPages(t *testing.T) {
	var f *fakeAPI
	f = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeDoc(w, 200, auditPage(f.URL+"/api/v2/auditLogs?page[after]=c1",
				auditEntry(`2`, "plugin_updated", "2026-03-02T10:00:00.000Z")))
			return
		}
		writeDoc(w, 200, auditPage("", auditEntry(`"a-1"`, "plugin_created", "2026-03-01T10:00:00Z")))
	})
	c, _ := newTestClient(t, f.URL, nil)
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	got, err := c.ListAuditEvents(context.Background(), AuditEventFilter{
		EventNames: []string{"plugin_created", "plugin_updated"}, Actions: []string{"update"}, Since: since,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "2" || got[1].ID != "a-1" {
		t.Fatalf("events = %+v, want ids 2 and a-1 in server order", got)
	}
	e := got[0]
	if e.Name != "plugin_updated" || e.Action != "update" || e.Result != "completed" ||
		e.RequestID != "7d3c0c3e-0000-4000-8000-000000000001" || !e.Timestamp.Equal(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("decoded event = %+v", e)
	}
	if string(e.Agent) != `{"name":"Ann","id":7}` || string(e.Changes) != `[{"field":"updatesIn"}]` {
		t.Errorf("agent/changes = %s / %s, want the JSON as sent", e.Agent, e.Changes)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	q, err := url.ParseQuery(reqs[0].RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"page[size]":        "1000",
		"sort":              "-timestamp",
		"filter[eventName]": "plugin_created,plugin_updated",
		"filter[action]":    "update",
		"filter[timestamp]": "2026-02-28T23:00:00Z..inf",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("first request %s = %q, want %q (query %s)", k, q.Get(k), v, reqs[0].RawQuery)
		}
	}
	if reqs[1].RawQuery != "page[after]=c1" {
		t.Errorf("second request query = %q, want the next link verbatim", reqs[1].RawQuery)
	}
}

func TestListAuditEventsStopsAtLimit(t *testing.T) {
	var f *fakeAPI
	f = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, auditPage(f.URL+"/api/v2/auditLogs?page[after]=p"+string(rune('0'+n)),
			auditEntry(`1`, "plugin_updated", "2026-03-02T10:00:00Z"), auditEntry(`2`, "plugin_updated", "2026-03-02T09:00:00Z")))
	})
	c, _ := newTestClient(t, f.URL, nil)
	got, err := c.ListAuditEvents(context.Background(), AuditEventFilter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d events, want the limit of 3", len(got))
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2: the walk must stop once the limit is reached", len(reqs))
	}
	if q, _ := url.ParseQuery(reqs[0].RawQuery); q.Get("page[size]") != "3" || q.Has("filter[timestamp]") || q.Has("filter[eventName]") {
		t.Errorf("first query = %q, want page[size]=3 and no empty filters", reqs[0].RawQuery)
	}
}

func TestListAuditEventsMissingScopeNamesIt(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 403, `{"errors":[{"id":"unauthorizedOauthScope","title":"Unauthorized OAuth Scope"}]}`)
	})
	c, _ := newTestClient(t, f.URL, nil)
	_, err := c.ListAuditEvents(context.Background(), AuditEventFilter{})
	if err == nil || !strings.Contains(err.Error(), "lacks the auditLogs.read scope") {
		t.Fatalf("err = %v, want a hint naming auditLogs.read", err)
	}
	_, err = c.ListSequences(context.Background(), SequenceFilter{})
	if err == nil || !strings.Contains(err.Error(), "lacks the sequences.read scope") {
		t.Fatalf("err = %v, want a hint naming sequences.read", err)
	}
}

func TestListAuditEventsRefusesAnotherType(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":[{"type":"sequence","id":1,"attributes":{}}],"links":{}}`)
	})
	c, _ := newTestClient(t, f.URL, nil)
	if _, err := c.ListAuditEvents(context.Background(), AuditEventFilter{}); err == nil || !strings.Contains(err.Error(), "expected a auditLog resource") {
		t.Fatalf("err = %v, want a type mismatch", err)
	}
}

func TestListSequencesFiltersTransactionalAndEnabled(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":[
 {"type":"sequence","id":1,"attributes":{"name":"Nurture","enabled":true,"transactional":false,"shareType":"shared","updatedAt":"2026-01-01T00:00:00Z"},"relationships":{"sequenceSteps":{"data":[{"type":"sequenceStep","id":4}]}}},
 {"type":"sequence","id":2,"attributes":{"name":"Receipts","enabled":true,"transactional":true,"shareType":"private","updatedAt":null}},
 {"type":"sequence","id":3,"attributes":{"name":"Old notices","enabled":false,"transactional":true,"shareType":"private"}}
],"links":{"next":null}}`)
	})
	c, _ := newTestClient(t, f.URL, nil)
	yes, no := true, false
	cases := []struct {
		name string
		f    SequenceFilter
		want []int64
	}{
		{"all", SequenceFilter{}, []int64{1, 2, 3}},
		{"transactional", SequenceFilter{Transactional: &yes}, []int64{2, 3}},
		{"enabled transactional", SequenceFilter{Transactional: &yes, Enabled: &yes}, []int64{2}},
		{"disabled", SequenceFilter{Enabled: &no}, []int64{3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.ListSequences(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, s := range got {
				ids = append(ids, s.ID)
			}
			if len(ids) != len(tc.want) {
				t.Fatalf("ids = %v, want %v", ids, tc.want)
			}
			for i := range ids {
				if ids[i] != tc.want[i] {
					t.Fatalf("ids = %v, want %v", ids, tc.want)
				}
			}
		})
	}
	got, _ := c.ListSequences(context.Background(), SequenceFilter{})
	if s := got[1]; s.Name != "Receipts" || s.ShareType != "private" || !s.Transactional || !s.Enabled || !s.UpdatedAt.IsZero() {
		t.Errorf("sequence 2 = %+v", s)
	}
	if q := f.requests()[0].RawQuery; strings.Contains(q, "filter[") {
		t.Errorf("query = %q: transactional and enabled are not documented as filterable and must be applied locally", q)
	}
}
