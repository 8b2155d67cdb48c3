package outreach

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// storeAPI is a fake collection for creates whose answers go astray: a POST stores the resource
// it carries (when apply is set), then answer responds (or fails to); a GET lists what is stored.
type storeAPI struct {
	*fakeAPI
	mu    sync.Mutex
	items []json.RawMessage
	posts int
}

func newStoreAPI(t *testing.T, apply bool, answer func(w http.ResponseWriter, r *http.Request), seed ...string) *storeAPI {
	t.Helper()
	s := &storeAPI{}
	for _, item := range seed {
		s.items = append(s.items, json.RawMessage(item))
	}
	s.fakeAPI = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		s.mu.Lock()
		switch r.Method {
		case http.MethodPost:
			s.posts++
			if apply {
				s.items = append(s.items, s.store(t, s.requests()[n-1].Body))
			}
			s.mu.Unlock()
			answer(w, r)
		case http.MethodGet:
			b, err := json.Marshal(map[string]any{"data": s.items, "links": map[string]any{"next": nil}})
			s.mu.Unlock()
			if err != nil {
				t.Error(err)
			}
			writeDoc(w, 200, string(b))
		default:
			s.mu.Unlock()
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	})
	return s
}

// store turns a create document into the stored resource, with the next id.
func (s *storeAPI) store(t *testing.T, body []byte) json.RawMessage {
	t.Helper()
	var doc struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	doc.Data["id"] = 100 + len(s.items)
	b, err := json.Marshal(doc.Data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s *storeAPI) postCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts
}

func (s *storeAPI) gets() []recorded {
	var out []recorded
	for _, r := range s.requests() {
		if r.Method == http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

func badGateway(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
}

// dropConnection closes the connection without an answer, as a reset or a timed-out proxy would.
func dropConnection(t *testing.T) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Fatal("no hijacker")
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.Close()
	}
}

var optedOutMapping = FieldMapping{PluginID: 1, CRMObject: "lead", OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true}

// TestCreateFieldMappingReconcilesABadGateway: the mapping is created and a proxy answers 502. The
// client must not POST again but find the mapping with the narrowest list and return it.
func TestCreateFieldMappingReconcilesABadGateway(t *testing.T) {
	api := newStoreAPI(t, true, badGateway)
	c, _ := newTestClient(t, api.URL, nil)
	m, err := c.CreateFieldMapping(context.Background(), optedOutMapping)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 100 || m.PluginID != 1 || m.CRMField != "donotemail" || m.UpdatesIn || !m.UpdatesOut {
		t.Fatalf("reconciled %+v", m)
	}
	if n := api.postCount(); n != 1 {
		t.Errorf("POST sent %d times, want 1", n)
	}
	gets := api.gets()
	if len(gets) != 1 {
		t.Fatalf("%d reconciliation reads, want 1", len(gets))
	}
	if want := "page[size]=1000&filter[plugin][id]=1&filter[crmObject]=lead&filter[outreachField]=optedOut"; gets[0].RawQuery != want {
		t.Errorf("reconciliation query %q, want %q", gets[0].RawQuery, want)
	}
}

// TestCreateSyncConditionReconcilesADroppedConnection: the condition is created and the connection
// drops. Among the conditions of the object and trigger, the one equal to what was sent is
// returned (1.0 equals 1), the newest of two identical ones.
func TestCreateSyncConditionReconcilesADroppedConnection(t *testing.T) {
	api := newStoreAPI(t, true, dropConnection(t),
		`{"type":"pluginSyncCondition","id":3,"attributes":{"crmObject":"lead","trigger":"polling","field":"numberofemployees","operator":"greaterThan","value":2}}`,
		`{"type":"pluginSyncCondition","id":4,"attributes":{"crmObject":"lead","trigger":"polling","field":"numberofemployees","operator":"lessThan","value":1}}`,
		`{"type":"pluginSyncCondition","id":5,"attributes":{"crmObject":"lead","trigger":"polling","field":"numberofemployees","operator":"greaterThan","value":1.0}}`)
	c, _ := newTestClient(t, api.URL, nil)
	got, err := c.CreateSyncCondition(context.Background(), SyncCondition{PluginID: 1, CRMObject: "lead", Trigger: "polling",
		Field: "numberofemployees", Operator: "greaterThan", Value: json.RawMessage(`1`)})
	if err != nil {
		t.Fatal(err)
	}
	// 5 (1.0) and 103 (the stored create) both match; 103 is the newest.
	if got.ID != 103 || got.PluginID != 1 {
		t.Fatalf("reconciled %+v", got)
	}
	if n := api.postCount(); n != 1 {
		t.Errorf("POST sent %d times, want 1", n)
	}
	if gets := api.gets(); len(gets) != 1 || gets[0].RawQuery != "page[size]=1000&filter[plugin][id]=1&filter[crmObject]=lead&filter[trigger]=polling" {
		t.Errorf("reconciliation reads %+v", gets)
	}
}

// TestCreateRefusalIsNotReconciled: a 4xx is a definite refusal; nothing is read back.
func TestCreateRefusalIsNotReconciled(t *testing.T) {
	for status, body := range map[int]string{
		422: `{"errors":[{"id":"validationError","detail":"outreachField \"optedOut\" is already mapped on lead","source":{"pointer":"/data/attributes/outreachField"}}]}`,
		429: `{"errors":[{"id":"rateLimitExceeded"}]}`,
	} {
		api := newStoreAPI(t, false, func(w http.ResponseWriter, _ *http.Request) { writeDoc(w, status, body) })
		c, _ := newTestClient(t, api.URL, nil)
		_, err := c.CreateFieldMapping(context.Background(), optedOutMapping)
		if e, ok := AsAPIError(err); !ok || e.StatusCode != status {
			t.Fatalf("%d: err = %v", status, err)
		}
		if gets := api.gets(); len(gets) != 0 {
			t.Errorf("%d: %d reconciliation reads after a refusal, want 0", status, len(gets))
		}
	}
}

// TestCreateLostAnswerWithNothingWrittenReturnsTheOriginalError: the 502 came before the write; the
// list finds nothing that matches (another mapping of the same Outreach field is not ours), so the
// original error is returned and the create is not sent again.
func TestCreateLostAnswerWithNothingWrittenReturnsTheOriginalError(t *testing.T) {
	api := newStoreAPI(t, false, badGateway,
		`{"type":"pluginFieldMapping","id":8,"attributes":{"crmObject":"lead","outreachField":"optedOut","crmField":"new_salesoptout","updatesOut":true}}`)
	c, _ := newTestClient(t, api.URL, nil)
	_, err := c.CreateFieldMapping(context.Background(), optedOutMapping)
	if e, ok := AsAPIError(err); !ok || e.StatusCode != http.StatusBadGateway {
		t.Fatalf("err = %v, want the original 502", err)
	}
	if !strings.Contains(err.Error(), "it was not created") {
		t.Errorf("error does not say the mapping was not created: %v", err)
	}
	if n := api.postCount(); n != 1 {
		t.Errorf("POST sent %d times, want 1 (never re-sent blindly)", n)
	}
	if n := len(api.gets()); n != 1 {
		t.Errorf("%d reconciliation reads, want 1", n)
	}
}

// TestCreateLostAnswerWhoseReadBackFailsSaysSo: when the list fails too, the user is told that the
// outcome is unknown, with the create's own error in the chain.
func TestCreateLostAnswerWhoseReadBackFailsSaysSo(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.Method == http.MethodPost {
			badGateway(w, r)
			return
		}
		writeDoc(w, 500, `{"errors":[{"id":"internalError"}]}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	_, err := c.CreateSyncCondition(context.Background(), SyncCondition{PluginID: 1, CRMObject: "lead", Trigger: "polling",
		Field: "donotemail", Operator: "isBlank"})
	if e, ok := AsAPIError(err); !ok || e.StatusCode != http.StatusBadGateway {
		t.Fatalf("err = %v, want the original 502 first in the chain", err)
	}
	if !strings.Contains(err.Error(), "whether the pluginSyncCondition was created is unknown") || !strings.Contains(err.Error(), "500") {
		t.Errorf("error does not say the outcome is unknown: %v", err)
	}
}

// TestCreateReconcilesAfterTheContextEnds: the caller gives up (an interrupt, a Terraform timeout)
// while the server applies the create; the read back runs on a context of its own, so the mapping
// that was created is still reported.
func TestCreateReconcilesAfterTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api := newStoreAPI(t, true, func(_ http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done() // no answer: the client gave up first
	})
	c, _ := newTestClient(t, api.URL, nil)
	m, err := c.CreateFieldMapping(ctx, optedOutMapping)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 100 {
		t.Fatalf("reconciled %+v", m)
	}
	if ctx.Err() == nil {
		t.Fatal("the caller's context did not end")
	}
}

// TestCreateUnreadableSuccessIsReconciled: a 201 whose body a proxy mangled still means created.
func TestCreateUnreadableSuccessIsReconciled(t *testing.T) {
	api := newStoreAPI(t, true, func(w http.ResponseWriter, _ *http.Request) { writeDoc(w, 201, `<html>`) })
	c, _ := newTestClient(t, api.URL, nil)
	m, err := c.CreateFieldMapping(context.Background(), optedOutMapping)
	if err != nil || m.ID != 100 {
		t.Fatalf("create = %+v, %v", m, err)
	}
}

// TestCreateTokenErrorIsNotReconciled: no request went out, so there is nothing to look for.
func TestCreateTokenErrorIsNotReconciled(t *testing.T) {
	api := newStoreAPI(t, false, badGateway)
	c, _ := newTestClient(t, api.URL, failingSource{})
	if _, err := c.CreateFieldMapping(context.Background(), optedOutMapping); err == nil || ambiguous(err) {
		t.Fatalf("err = %v", err)
	}
	if n := len(api.requests()); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

type failingSource struct{}

func (failingSource) Token(context.Context) (string, error) {
	return "", errors.New("no token for you")
}

func TestSameJSON(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`1`, `1.0`, true},
		{`1`, `1e0`, true},
		{`100`, ` 1E2 `, true},
		{`9007199254740993`, `9007199254740992`, false},
		{`1`, `"1"`, false},
		{`"a"`, `"a"`, true},
		{`true`, `true`, true},
		{`true`, `false`, false},
		{`null`, ``, true},
		{``, `0`, false},
		{`["a",1]`, `["a",1.00]`, true},
		{`["a",1]`, `[1,"a"]`, false},
		{`{"x":1,"y":[2]}`, `{"y":[2.0],"x":1}`, true},
		{`{"x":1}`, `{"x":1,"y":2}`, false},
	} {
		if got := sameJSON(json.RawMessage(tc.a), json.RawMessage(tc.b)); got != tc.want {
			t.Errorf("sameJSON(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
