package outreach

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// noSleep is a Policy.Sleep that records the delays instead of waiting.
type noSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (n *noSleep) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.delays = append(n.delays, d)
	n.mu.Unlock()
	return ctx.Err()
}

func (n *noSleep) all() []time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]time.Duration(nil), n.delays...)
}

func testPolicy(s *noSleep) httpx.Policy {
	return httpx.Policy{MaxRetries: 3, UserAgent: "outreach-test", Sleep: s.sleep}
}

func newTestClient(t *testing.T, url string, auth TokenSource) (*Client, *noSleep) {
	t.Helper()
	s := &noSleep{}
	if auth == nil {
		auth = StaticToken("tok")
	}
	c, err := New(Config{BaseURL: url, Policy: testPolicy(s), Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// recorded is one request as the fake server saw it.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// fakeAPI answers with handler and records every request.
type fakeAPI struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newFakeAPI(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, n int)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b})
		n := len(f.reqs)
		f.mu.Unlock()
		handler(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func writeDoc(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func TestListFollowsNextLinkVerbatim(t *testing.T) {
	var api *fakeAPI
	api = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			// The cursor carries an escaped "+" and "/" that a rebuilt URL would re-encode.
			writeDoc(w, 200, `{"data":[{"type":"pluginFieldMapping","id":5,"attributes":{"crmObject":"lead","outreachField":"optedOut","crmField":"donotemail","updatesOut":true}}],
				"links":{"first":"x","next":"`+api.URL+`/api/v2/pluginFieldMappings?page%5Bsize%5D=1000&page%5Bafter%5D=a%2Bb%2Fc"}}`)
		default:
			writeDoc(w, 200, `{"data":[{"type":"pluginFieldMapping","id":"6","attributes":{"crmObject":"contact"}}],"links":{"next":null}}`)
		}
	})
	c, _ := newTestClient(t, api.URL, nil)
	ms, err := c.ListFieldMappings(context.Background(), MappingFilter{PluginID: 1, CRMObject: "lead"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].ID != 5 || ms[1].ID != 6 || ms[0].CRMField != "donotemail" || !ms[0].UpdatesOut {
		t.Fatalf("unexpected mappings: %+v", ms)
	}
	reqs := api.requests()
	if len(reqs) != 2 {
		t.Fatalf("want 2 requests, got %d", len(reqs))
	}
	if want := "page[size]=1000&filter[plugin][id]=1&filter[crmObject]=lead"; reqs[0].RawQuery != want {
		t.Errorf("first query = %q, want %q", reqs[0].RawQuery, want)
	}
	if want := "page%5Bsize%5D=1000&page%5Bafter%5D=a%2Bb%2Fc"; reqs[1].RawQuery != want {
		t.Errorf("next link not followed verbatim: query %q, want %q", reqs[1].RawQuery, want)
	}
	for _, r := range reqs {
		if r.Header.Get("Accept") != mediaType || r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("headers: %v", r.Header)
		}
		if r.Header.Get("Content-Type") != "" {
			t.Errorf("a GET without body sent Content-Type %q", r.Header.Get("Content-Type"))
		}
		if r.Header.Get("User-Agent") != "outreach-test" {
			t.Errorf("User-Agent = %q", r.Header.Get("User-Agent"))
		}
	}
}

func TestListFollowsPathOnlyNextLink(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeDoc(w, 200, `{"data":[],"links":{"next":"/api/v2/plugins?page[after]=opaque"}}`)
			return
		}
		writeDoc(w, 200, `{"data":[{"type":"plugin","id":1,"attributes":{"kind":"dynamics"}}],"links":{}}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	ps, err := c.ListPlugins(context.Background(), PluginFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Kind != "dynamics" {
		t.Fatalf("plugins = %+v", ps)
	}
	if q := api.requests()[1].RawQuery; q != "page[after]=opaque" {
		t.Errorf("second query = %q", q)
	}
}

func TestListRefusesNextLinkToAnotherHost(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		writeDoc(w, 200, `{"data":[]}`)
	}))
	defer other.Close()
	for name, next := range map[string]string{
		"other host":          other.URL + "/api/v2/plugins?page[after]=x",
		"scheme-relative":     strings.Replace(other.URL, "http:", "", 1) + "/api/v2/plugins",
		"https on same host":  "", // filled below
		"relative, no slash":  "plugins?page[after]=x",
		"userinfo on the URL": "",
	} {
		t.Run(name, func(t *testing.T) {
			var api *fakeAPI
			api = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
				link := next
				switch name {
				case "https on same host":
					link = strings.Replace(api.URL, "http:", "https:", 1) + "/api/v2/plugins?page[after]=x"
				case "userinfo on the URL":
					link = strings.Replace(api.URL, "http://", "http://user:pw@", 1) + "/api/v2/plugins?page[after]=x"
				}
				writeDoc(w, 200, `{"data":[{"type":"plugin","id":1}],"links":{"next":`+jsonString(link)+`}}`)
			})
			c, _ := newTestClient(t, api.URL, nil)
			_, err := c.ListPlugins(context.Background(), PluginFilter{})
			if err == nil || !strings.Contains(err.Error(), "refusing") {
				t.Fatalf("want a refusal, got %v", err)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("error echoes userinfo: %v", err)
			}
			if len(api.requests()) != 1 {
				t.Errorf("requests = %d, want 1", len(api.requests()))
			}
		})
	}
	if otherHits.Load() != 0 {
		t.Fatalf("the other host received %d requests", otherHits.Load())
	}
}

func TestListStopsOnRepeatedNextLink(t *testing.T) {
	var api *fakeAPI
	api = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":[],"links":{"next":"`+api.URL+`/api/v2/plugins?page[after]=same"}}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	if _, err := c.ListPlugins(context.Background(), PluginFilter{}); err == nil || !strings.Contains(err.Error(), "already visited") {
		t.Fatalf("want a loop error, got %v", err)
	}
	if n := len(api.requests()); n != 2 {
		t.Fatalf("requests = %d, want 2", n)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestDecodeIgnoresUnknownAttributesAndReadsRelationships(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":{"type":"pluginObject","id":"12",
			"attributes":{"crmObject":"lead","outreachObject":"prospect","polling":true,"pollingFrequency":"15",
				"pushing":null,"inboundCreate":true,"brandNewAttribute":{"nested":[1,2]},"updatedAt":"2025-01-02T03:04:05.123Z"},
			"relationships":{"plugin":{"data":{"type":"plugin","id":1}},"somethingElse":{"links":{"related":"x"}}},
			"links":{"self":"x"},"meta":{"canWrite":true}},"included":[]}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	o, err := c.GetPluginObject(context.Background(), 12)
	if err != nil {
		t.Fatal(err)
	}
	want := PluginObject{ID: 12, PluginID: 1, CRMObject: "lead", OutreachObject: "prospect", Polling: true,
		PollingFrequency: 15, InboundCreate: true, UpdatedAt: time.Date(2025, 1, 2, 3, 4, 5, 123e6, time.UTC)}
	if !o.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("UpdatedAt = %v", o.UpdatedAt)
	}
	o.UpdatedAt = want.UpdatedAt
	if *o != want {
		t.Fatalf("got %+v\nwant %+v", *o, want)
	}
}

func TestDecodeRefusesResourceOfAnotherType(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":{"type":"prospect","id":3,"attributes":{}}}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	if _, err := c.GetFieldMapping(context.Background(), 3); err == nil || !strings.Contains(err.Error(), "prospect") {
		t.Fatalf("want a type error, got %v", err)
	}
}

func TestParseFlexInt(t *testing.T) {
	for in, want := range map[string]int64{`42`: 42, `"42"`: 42, `null`: 0, `""`: 0, `3.0`: 3, ` 7 `: 7} {
		got, err := parseFlexInt([]byte(in))
		if err != nil || got != want {
			t.Errorf("parseFlexInt(%s) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{`"abc"`, `1.5`, `true`, `{}`} {
		if _, err := parseFlexInt([]byte(in)); err == nil {
			t.Errorf("parseFlexInt(%s) succeeded", in)
		}
	}
}

func TestCreateFieldMappingRequestDocument(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 201, `{"data":{"type":"pluginFieldMapping","id":77,"attributes":{"crmObject":"lead","outreachField":"optedOut",
			"crmField":"donotemail","updatesIn":false,"updatesOut":true,"emptyPlaceholder":"n/a","externalMappedType":null,
			"createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"},
			"relationships":{"plugin":{"data":{"type":"plugin","id":1}}}}}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	ph := "n/a"
	m, err := c.CreateFieldMapping(context.Background(), FieldMapping{
		ID: 999, PluginID: 1, CRMObject: "lead", OutreachField: "optedOut", CRMField: "donotemail",
		UpdatesOut: true, EmptyPlaceholder: &ph,
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 77 || m.PluginID != 1 || m.EmptyPlaceholder == nil || *m.EmptyPlaceholder != "n/a" || m.ExternalMappedType != nil {
		t.Fatalf("decoded %+v", m)
	}
	r := api.requests()[0]
	if r.Method != http.MethodPost || r.Path != "/api/v2/pluginFieldMappings" {
		t.Fatalf("request %s %s", r.Method, r.Path)
	}
	if r.Header.Get("Content-Type") != mediaType || r.Header.Get("Accept") != mediaType {
		t.Errorf("media types: %v", r.Header)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	d := doc["data"]
	if d["type"] != "pluginFieldMapping" {
		t.Errorf("type = %v", d["type"])
	}
	if _, ok := d["id"]; ok {
		t.Errorf("create sent an id: %s", r.Body)
	}
	attrs, ok := d["attributes"].(map[string]any)
	if !ok {
		t.Fatalf("no attributes: %s", r.Body)
	}
	for k, want := range map[string]any{"crmObject": "lead", "outreachField": "optedOut", "crmField": "donotemail",
		"updatesIn": false, "updatesOut": true, "skipEmptyIn": false, "skipEmptyOut": false, "emptyPlaceholder": "n/a", "externalMappedType": nil} {
		if got, ok := attrs[k]; !ok || got != want {
			t.Errorf("attribute %s = %v (present %v), want %v", k, got, ok, want)
		}
	}
	if !strings.Contains(string(r.Body), `"plugin":{"data":{"type":"plugin","id":1}}`) {
		t.Errorf("plugin relationship not an integer id: %s", r.Body)
	}
}

func TestUpdateFieldMappingSendsEveryMutableAttribute(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":{"type":"pluginFieldMapping","id":5,"attributes":{}}}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	if _, err := c.UpdateFieldMapping(context.Background(), FieldMapping{ID: 5, PluginID: 1, CRMObject: "lead",
		OutreachField: "optedOut", CRMField: "new_salesoptout", UpdatesIn: true}); err != nil {
		t.Fatal(err)
	}
	r := api.requests()[0]
	if r.Method != http.MethodPatch || r.Path != "/api/v2/pluginFieldMappings/5" {
		t.Fatalf("request %s %s", r.Method, r.Path)
	}
	var doc struct {
		Data struct {
			Type          string                     `json:"type"`
			ID            json.RawMessage            `json:"id"`
			Attributes    map[string]json.RawMessage `json:"attributes"`
			Relationships json.RawMessage            `json:"relationships"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc.Data.ID) != "5" || doc.Data.Type != "pluginFieldMapping" {
		t.Errorf("type/id = %s/%s, want an integer id", doc.Data.Type, doc.Data.ID)
	}
	want := map[string]string{"outreachField": `"optedOut"`, "crmField": `"new_salesoptout"`, "updatesIn": "true",
		"updatesOut": "false", "skipEmptyIn": "false", "skipEmptyOut": "false", "emptyPlaceholder": "null", "externalMappedType": "null"}
	if len(doc.Data.Attributes) != len(want) {
		t.Errorf("attributes = %s", r.Body)
	}
	for k, v := range want {
		if string(doc.Data.Attributes[k]) != v {
			t.Errorf("%s = %s, want %s", k, doc.Data.Attributes[k], v)
		}
	}
	if doc.Data.Relationships != nil {
		t.Errorf("PATCH sent relationships: %s", doc.Data.Relationships)
	}
}

func TestUpdatePluginObjectSendsOnlySetAttributes(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":{"type":"pluginObject","id":3,"attributes":{"polling":false,"pollingFrequency":60}}}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	f, freq := false, int64(60)
	o, err := c.UpdatePluginObject(context.Background(), 3, PluginObjectPatch{Polling: &f, PollingFrequency: &freq})
	if err != nil {
		t.Fatal(err)
	}
	if o.PollingFrequency != 60 {
		t.Errorf("decoded %+v", o)
	}
	body := string(api.requests()[0].Body)
	if want := `{"data":{"type":"pluginObject","id":3,"attributes":{"polling":false,"pollingFrequency":60}}}`; body != want {
		t.Fatalf("body = %s\nwant   %s", body, want)
	}
}

// echoConditionServer answers a create with condition 9 as given, and a PATCH with the stored
// condition after the attributes it carries, dropping values when the operator leaves in/notIn
// (as the sandbox does).
func echoConditionServer(t *testing.T) *fakeAPI {
	var api *fakeAPI
	stored := map[string]json.RawMessage{}
	api = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		var doc struct {
			Data struct {
				Attributes map[string]json.RawMessage `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(api.requests()[n-1].Body, &doc); err != nil {
			t.Errorf("request body: %v", err)
		}
		if r.Method == http.MethodPost {
			stored = map[string]json.RawMessage{}
		}
		_, sentValues := doc.Data.Attributes["values"]
		for k, v := range doc.Data.Attributes {
			stored[k] = v
		}
		if op := string(stored["operator"]); !sentValues && op != `"in"` && op != `"notIn"` {
			delete(stored, "values")
		}
		b, _ := json.Marshal(map[string]any{"data": map[string]any{"type": "pluginSyncCondition", "id": 9, "attributes": stored,
			"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}}}})
		writeDoc(w, map[bool]int{true: 201, false: 200}[r.Method == http.MethodPost], string(b))
	})
	return api
}

// TestUpdateSyncConditionWithAStalePriorStillConverges: a prior older than the server (a skipped
// refresh) leaves out an attribute that differs; the answer shows it and a second PATCH sends it.
func TestUpdateSyncConditionWithAStalePriorStillConverges(t *testing.T) {
	api := echoConditionServer(t)
	c, _ := newTestClient(t, api.URL, nil)
	ctx := context.Background()
	created, err := c.CreateSyncCondition(ctx, SyncCondition{PluginID: 1, CRMObject: "lead", Trigger: "polling",
		Field: "jobtitle", Operator: "equals", Value: json.RawMessage(`"UI edit"`)})
	if err != nil {
		t.Fatal(err)
	}
	stale := *created
	stale.Value = json.RawMessage(`"CEO"`) // what state still says
	next := stale
	next.Operator = "notEquals"
	got, err := c.UpdateSyncCondition(ctx, stale, next)
	if err != nil || got.Operator != "notEquals" || string(got.Value) != `"CEO"` {
		t.Fatalf("updated %+v, %v", got, err)
	}
	reqs := api.requests()
	if len(reqs) != 3 || string(reqs[1].Body) != `{"data":{"type":"pluginSyncCondition","id":9,"attributes":{"operator":"notEquals"}}}` ||
		string(reqs[2].Body) != `{"data":{"type":"pluginSyncCondition","id":9,"attributes":{"value":"CEO"}}}` {
		for _, r := range reqs {
			t.Logf("%s %s", r.Method, r.Body)
		}
		t.Fatal("want the operator PATCH, then one PATCH of the value the answer showed")
	}
}

func TestSyncConditionValueEncoding(t *testing.T) {
	api := echoConditionServer(t)
	c, _ := newTestClient(t, api.URL, nil)
	ctx := context.Background()
	s, err := c.CreateSyncCondition(ctx, SyncCondition{PluginID: 1, CRMObject: "lead", Trigger: "inboundCreate",
		Field: "donotemail", Operator: "isBlank"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Value != nil || s.Values != nil || s.Operator != "isBlank" || s.ID != 9 {
		t.Errorf("decoded %+v", s)
	}
	isBlank := SyncCondition{ID: 9, Field: "donotemail", Operator: "isBlank"}
	toEqualsCond := SyncCondition{ID: 9, Field: "donotemail", Operator: "equals", Value: json.RawMessage(`true`)}
	if _, err := c.UpdateSyncCondition(ctx, isBlank, toEqualsCond); err != nil {
		t.Fatal(err)
	}
	inCond := SyncCondition{ID: 9, Field: "firstname", Operator: "in", Values: []json.RawMessage{json.RawMessage(`"x"`)}}
	if _, err := c.UpdateSyncCondition(ctx, toEqualsCond, inCond); err != nil {
		t.Fatal(err)
	}
	// Back from in to equals: values are not sent (null is not allowed for values).
	if _, err := c.UpdateSyncCondition(ctx, inCond, SyncCondition{ID: 9, Field: "firstname", Operator: "equals", Value: json.RawMessage(`"y"`)}); err != nil {
		t.Fatal(err)
	}
	// The same value written differently is no change: only the operator goes out.
	if _, err := c.UpdateSyncCondition(ctx, SyncCondition{ID: 9, Field: "n", Operator: "equals", Value: json.RawMessage(`1.0`)},
		SyncCondition{ID: 9, Field: "n", Operator: "notEquals", Value: json.RawMessage(`1`)}); err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	attrsOf := func(b []byte) map[string]json.RawMessage {
		var doc struct {
			Data struct {
				Attributes map[string]json.RawMessage `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Data.Attributes
	}
	create := attrsOf(reqs[0].Body)
	if _, ok := create["value"]; ok {
		t.Errorf("create sent value: %s", reqs[0].Body)
	}
	if _, ok := create["values"]; ok {
		t.Errorf("create sent values: %s", reqs[0].Body)
	}
	if string(create["trigger"]) != `"inboundCreate"` || string(create["crmObject"]) != `"lead"` {
		t.Errorf("create attributes: %s", reqs[0].Body)
	}
	patches := []struct{ name, want string }{
		{"isBlank → equals", `{"operator":"equals","value":true}`},
		{"equals → in on another field", `{"field":"firstname","operator":"in","value":null,"values":["x"]}`},
		{"in → equals", `{"operator":"equals","value":"y"}`},
		{"equals → notEquals, same value", `{"operator":"notEquals"}`},
	}
	for i, p := range patches {
		var doc struct {
			Data struct {
				Attributes json.RawMessage `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(reqs[i+1].Body, &doc); err != nil {
			t.Fatal(err)
		}
		if got := string(doc.Data.Attributes); got != p.want {
			t.Errorf("patch %s: attributes %s, want %s", p.name, got, p.want)
		}
	}
	if _, err := c.CreateSyncCondition(ctx, SyncCondition{PluginID: 1, Value: json.RawMessage(`{bad`)}); err == nil {
		t.Error("invalid JSON value accepted")
	}
}

func TestAPIErrorFromJSONAPIDocument(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 422, `{"errors":[{"id":"validationError","title":"Validation Error",
			"detail":"outreachField \"optedOut\" is already mapped on lead","source":{"pointer":"/data/attributes/outreachField"}},
			{"id":"validationError","title":"Validation Error","details":"crmField is unknown","source":{"pointer":"/data/attributes/crmField"}}]}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	_, err := c.CreateFieldMapping(context.Background(), FieldMapping{PluginID: 1, CRMObject: "lead", OutreachField: "optedOut"})
	e, ok := AsAPIError(err)
	if !ok {
		t.Fatalf("not an APIError: %v", err)
	}
	if e.StatusCode != 422 || e.ID != "validationError" || e.Pointer != "/data/attributes/outreachField" ||
		e.Detail != `outreachField "optedOut" is already mapped on lead` || len(e.Errors) != 2 || e.Errors[1].Detail != "crmField is unknown" {
		t.Fatalf("decoded %+v", e)
	}
	want := `Outreach API returned 422 Unprocessable Entity: validationError: outreachField "optedOut" is already mapped on lead ` +
		`(at /data/attributes/outreachField); validationError: crmField is unknown (at /data/attributes/crmField) [POST /api/v2/pluginFieldMappings]`
	if err.Error() != want {
		t.Fatalf("Error() =\n%s\nwant\n%s", err, want)
	}
	if IsNotFound(err) {
		t.Error("a 422 is not a not-found")
	}
}

func TestAPIErrorFromPlainText401(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(401)
		_, _ = io.WriteString(w, "Invalid access token\n")
	})
	c, _ := newTestClient(t, api.URL, nil)
	_, err := c.GetPlugin(context.Background(), 1)
	e, ok := AsAPIError(err)
	if !ok || e.StatusCode != 401 || e.Body != "Invalid access token" || len(e.Errors) != 0 {
		t.Fatalf("got %#v", err)
	}
	want := `Outreach API returned 401 Unauthorized: "Invalid access token" — check the access token or credentials [GET /api/v2/plugins/1]`
	if err.Error() != want {
		t.Fatalf("Error() = %s\nwant      %s", err, want)
	}
	// A static token cannot be renewed: exactly one request.
	if n := len(api.requests()); n != 1 {
		t.Fatalf("requests = %d", n)
	}
}

func TestAPIErrorRedactsBody(t *testing.T) {
	e := decodeAPIError("GET", "/x", 500, []byte(`oops access_token=abc123secret Bearer xyz.secret`))
	if strings.Contains(e.Error(), "abc123secret") || strings.Contains(e.Error(), "xyz.secret") {
		t.Fatalf("secret in error: %s", e)
	}
}

func TestIsNotFound(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 404, `{"errors":[{"id":"resourceNotFound","title":"Resource Not Found","detail":"pluginFieldMapping 5 not found"}]}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	err := c.DeleteFieldMapping(context.Background(), 5)
	if !IsNotFound(err) {
		t.Fatalf("IsNotFound(%v) = false", err)
	}
	if IsNotFound(errors.New("x")) || IsNotFound(nil) {
		t.Fatal("IsNotFound of a non-API error")
	}
}

// flipSource returns "old" until invalidated, then "new".
type flipSource struct {
	mu          sync.Mutex
	invalidated []string
}

func (f *flipSource) Token(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.invalidated) > 0 {
		return "new", nil
	}
	return "old", nil
}

func (f *flipSource) Invalidate(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidated = append(f.invalidated, tok)
}

func TestUnauthorizedInvalidatesAndRetriesOnce(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Header.Get("Authorization") != "Bearer new" {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, "Invalid access token")
			return
		}
		writeDoc(w, 201, `{"data":{"type":"pluginFieldMapping","id":1}}`)
	})
	src := &flipSource{}
	c, _ := newTestClient(t, api.URL, src)
	if _, err := c.CreateFieldMapping(context.Background(), FieldMapping{PluginID: 1}); err != nil {
		t.Fatal(err)
	}
	if len(src.invalidated) != 1 || src.invalidated[0] != "old" {
		t.Fatalf("invalidated %v", src.invalidated)
	}
	if n := len(api.requests()); n != 2 {
		t.Fatalf("requests = %d, want 2", n)
	}
}

func TestUnauthorizedTwiceIsReported(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(401)
		_, _ = io.WriteString(w, "Invalid access token")
	})
	src := &flipSource{}
	c, _ := newTestClient(t, api.URL, src)
	_, err := c.GetPlugin(context.Background(), 1)
	if e, ok := AsAPIError(err); !ok || e.StatusCode != 401 {
		t.Fatalf("got %v", err)
	}
	if n := len(api.requests()); n != 2 {
		t.Fatalf("requests = %d, want 2 (one retry with a new token)", n)
	}
}

// TestCreateIsSentAgainAfter503AndReadsAreRetried: a 503 says the request was not processed
// (contract 1, scheduledServerMaintenance), so a create is sent again after Retry-After until
// Outreach answers, and is never reconciled as "lost, not found" instead.
func TestCreateIsSentAgainAfter503AndReadsAreRetried(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/pluginSyncConditions") && n > 5 {
			writeDoc(w, 201, `{"data":{"type":"pluginSyncCondition","id":4,"attributes":{"operator":"isBlank"}}}`)
			return
		}
		w.Header().Set("Retry-After", "2")
		writeDoc(w, 503, `{"errors":[{"id":"scheduledServerMaintenance","title":"Maintenance"}]}`)
	})
	c, s := newTestClient(t, api.URL, nil)
	got, err := c.CreateSyncCondition(context.Background(), SyncCondition{PluginID: 1, Operator: "isBlank"})
	if err != nil || got.ID != 4 {
		t.Fatalf("create: %+v, %v", got, err)
	}
	count := func(method, suffix string) int {
		n := 0
		for _, r := range api.requests() {
			if r.Method == method && strings.HasSuffix(r.Path, suffix) {
				n++
			}
		}
		return n
	}
	// Six POSTs (more than MaxRetries allows a flaky request), and no read-back list.
	if n, lists := count(http.MethodPost, "/pluginSyncConditions"), count(http.MethodGet, "/pluginSyncConditions"); n != 6 || lists != 0 {
		t.Fatalf("create sent %d times with %d lists, want 6 and 0", n, lists)
	}
	if err := c.RefreshFields(context.Background(), 1); err == nil {
		t.Fatal("refreshFields succeeded against a 503")
	}
	if n := count(http.MethodPost, "/actions/refreshFields"); n != 4 {
		t.Fatalf("refreshFields (idempotent) should be retried 3 times: sent %d times", n)
	}
	for _, d := range s.all() {
		if d != 2*time.Second {
			t.Fatalf("retry delay %v, want Retry-After 2s", d)
		}
	}
}

// TestCreateRefusedBy503GivesUpAfterTheMaintenanceBound: with no deadline on the context, the
// re-sends stop once maxUnavailableWait would be exceeded, with an error that says nothing was
// created.
func TestCreateRefusedBy503GivesUpAfterTheMaintenanceBound(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "60")
		writeDoc(w, 503, `{"errors":[{"id":"scheduledServerMaintenance","title":"Maintenance"}]}`)
	})
	c, s := newTestClient(t, api.URL, nil)
	_, err := c.CreateSyncCondition(context.Background(), SyncCondition{PluginID: 1, Operator: "isBlank"})
	if e, ok := AsAPIError(err); !ok || e.StatusCode != 503 || !strings.Contains(err.Error(), "was not created") {
		t.Fatalf("create: %v", err)
	}
	var total time.Duration
	for _, d := range s.all() {
		total += d
	}
	if total != maxUnavailableWait || len(api.requests()) != int(maxUnavailableWait/time.Minute)+1 {
		t.Fatalf("waited %s over %d requests, want %s", total, len(api.requests()), maxUnavailableWait)
	}
}

func TestNewValidatesBaseURL(t *testing.T) {
	for url, ok := range map[string]bool{
		"":                            true,
		"https://api.outreach.io/":    true,
		"http://127.0.0.1:8787":       true,
		"http://127.5.6.7":            true,
		"http://localhost:1":          true,
		"http://[::1]:9":              true,
		"http://api.outreach.io":      false,
		"http://10.0.0.1":             false,
		"ftp://api.outreach.io":       false,
		"https://user:pw@example.com": false,
		"https://example.com?x=1":     false,
		"api.outreach.io":             false,
		// userinfo in URLs that fail other checks first must not be echoed either
		"ftp://user:pw@api.outreach.io":       false,
		"user:pw@api.outreach.io":             false,
		"https://user:pw@api outreach.io":     false,
		"https://user:pw@api.outreach.io/%zz": false,
	} {
		c, err := New(Config{BaseURL: url, Auth: StaticToken("t")})
		if (err == nil) != ok {
			t.Errorf("New(%q): err = %v, want ok=%v", url, err, ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error echoes userinfo: %v", err)
		}
		if err == nil && strings.HasSuffix(c.BaseURL(), "/") {
			t.Errorf("BaseURL %q keeps a trailing slash", c.BaseURL())
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without Auth succeeded")
	}
}

func TestFilterValuesAreEscaped(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if got := r.URL.Query().Get("filter[instanceUrl]"); got != "https://x.crm.dynamics.com/?a=b&c" {
			t.Errorf("filter value decoded as %q", got)
		}
		writeDoc(w, 200, `{"data":[]}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	if _, err := c.ListPlugins(context.Background(), PluginFilter{InstanceURL: "https://x.crm.dynamics.com/?a=b&c"}); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidIDsAreRefusedLocally(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1", nil)
	ctx := context.Background()
	if _, err := c.GetFieldMapping(ctx, 0); err == nil {
		t.Error("id 0 accepted")
	}
	if err := c.DeleteSyncCondition(ctx, -1); err == nil {
		t.Error("id -1 accepted")
	}
	if _, err := c.CreateFieldMapping(ctx, FieldMapping{}); err == nil {
		t.Error("create without plugin accepted")
	}
}

// JSON:API relationships may be to-many (an array of identifiers) or carry identifiers whose ids
// are not integers; a relationship the client does not use must not make the resource unreadable.
func TestDecodeIgnoresToManyAndForeignRelationships(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 200, `{"data":[{"type":"pluginFieldMapping","id":5,
			"attributes":{"crmObject":"lead","outreachField":"optedOut","crmField":"donotemail"},
			"relationships":{"plugin":{"data":{"type":"plugin","id":"2"}},
				"syncedRecords":{"data":[{"type":"prospect","id":1},{"type":"prospect","id":2}],"meta":{"count":2}},
				"owner":{"data":{"type":"externalUser","id":"a1b2-c3"}}}}]}`)
	})
	c, _ := newTestClient(t, api.URL, nil)
	ms, err := c.ListFieldMappings(context.Background(), MappingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != 5 || ms[0].PluginID != 2 || ms[0].CRMField != "donotemail" {
		t.Fatalf("got %+v", ms)
	}
}
