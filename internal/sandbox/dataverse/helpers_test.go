package dataverse

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock safe to read from the server's goroutines.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is an org behind a TLS test server, driven with plain net/http.
type harness struct {
	t     *testing.T
	org   *Org
	srv   *httptest.Server
	clock *testClock
	token string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	clock := &testClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	return newHarnessWith(t, Config{Now: clock.Now}, clock)
}

// newHarnessWith is newHarness with an org configured by cfg, whose Now must be clock's.
func newHarnessWith(t *testing.T, cfg Config, clock *testClock) *harness {
	t.Helper()
	org := NewOrg(cfg)
	srv := httptest.NewTLSServer(org.Handler())
	t.Cleanup(srv.Close)
	org.SetBaseURL(srv.URL + "/")
	return &harness{t: t, org: org, srv: srv, clock: clock, token: DefaultStaticToken}
}

const api = "/api/data/v9.2/"

// result is a decoded response.
type result struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r result) errCode() string { return str(r.body, "error", "code") }
func (r result) errMsg() string  { return str(r.body, "error", "message") }

// do sends a request. body may be nil, a string (sent as is) or a value (sent as JSON).
// headers are name/value pairs.
func (h *harness) do(method, path string, body any, headers ...string) result {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	// Clients send spaces in $filter percent-encoded.
	req, err := http.NewRequest(method, h.srv.URL+strings.ReplaceAll(path, " ", "%20"), rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("OData-MaxVersion", "4.0")
	req.Header.Set("OData-Version", "4.0")
	// Like Microsoft's metadata samples, the harness asks for the latest definitions; a test of
	// the metadata cache passes "Consistency", "" to read what the cache holds.
	req.Header.Set("Consistency", "Strong")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &res.body); err != nil {
			h.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return res
}

// form posts a form-encoded body.
func (h *harness) form(path string, values url.Values) result {
	h.t.Helper()
	resp, err := h.srv.Client().Post(h.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(values.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &res.body); err != nil {
			h.t.Fatalf("POST %s: %v\n%s", path, err, raw)
		}
	}
	return res
}

// expect fails unless the response has the status (and, for errors, the code).
func expect(t *testing.T, r result, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	if code != "" && r.errCode() != code {
		t.Fatalf("error code %q, want %q; body %s", r.errCode(), code, r.raw)
	}
	if status >= 400 && r.body != nil && r.header.Get("Content-Type") != contentTypeJSON {
		t.Fatalf("error Content-Type %q", r.header.Get("Content-Type"))
	}
}

// str digs a string out of nested JSON objects.
func str(m map[string]any, path ...string) string {
	v := dig(m, path...)
	s, _ := v.(string)
	return s
}

func dig(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// object returns m[k] as a JSON object, or nil when it is not one.
func object(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	return o
}

// localizedLabels returns m[prop].LocalizedLabels, failing the test unless it is a list of objects.
func localizedLabels(t *testing.T, m map[string]any, prop string) []map[string]any {
	t.Helper()
	list, ok := dig(m, prop, "LocalizedLabels").([]any)
	if !ok {
		t.Fatalf("%s.LocalizedLabels is not a list: %v", prop, m[prop])
	}
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		l, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s.LocalizedLabels holds a non-object: %v", prop, v)
		}
		out = append(out, l)
	}
	return out
}

func values(r result) []map[string]any {
	list, _ := r.body["value"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		m, _ := v.(map[string]any)
		out = append(out, m)
	}
	return out
}

// labelBody is a Label payload.
func labelBody(pairs ...any) map[string]any {
	var ll []map[string]any
	for i := 0; i+1 < len(pairs); i += 2 {
		ll = append(ll, map[string]any{"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel",
			"Label": pairs[i], "LanguageCode": pairs[i+1], "IsManaged": false})
	}
	return map[string]any{"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": ll}
}

// booleanColumn is a create body as Microsoft's sample sends it (facts 3.3).
func booleanColumn(schemaName string) map[string]any {
	return map[string]any{
		"@odata.type":       "Microsoft.Dynamics.CRM.BooleanAttributeMetadata",
		"AttributeType":     "Boolean",
		"AttributeTypeName": map[string]any{"Value": "BooleanType"},
		"DefaultValue":      false,
		"SchemaName":        schemaName,
		"DisplayName":       labelBody("Sales Opt-Out", 1033),
		"Description":       labelBody("Synced from Outreach", 1033),
		"RequiredLevel":     map[string]any{"Value": "None", "CanBeChanged": false, "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"},
		"OptionSet": map[string]any{
			"@odata.type":   "Microsoft.Dynamics.CRM.BooleanOptionSetMetadata",
			"OptionSetType": "Boolean",
			"TrueOption":    map[string]any{"Value": 1, "Label": labelBody("Opted Out", 1033)},
			"FalseOption":   map[string]any{"Value": 0, "Label": labelBody("Subscribed", 1033)},
		},
	}
}

// create makes a Boolean column and returns its MetadataId.
func (h *harness) create(entity, schemaName string, headers ...string) string {
	h.t.Helper()
	r := h.do("POST", api+"EntityDefinitions(LogicalName='"+entity+"')/Attributes", booleanColumn(schemaName), headers...)
	expect(h.t, r, http.StatusNoContent, "")
	loc := r.header.Get("OData-EntityId")
	open := strings.LastIndexByte(loc, '(')
	if open < 0 || !strings.HasSuffix(loc, ")") || !isGUID(loc[open+1:len(loc)-1]) {
		h.t.Fatalf("OData-EntityId %q does not end with (<guid>)", loc)
	}
	return loc[open+1 : len(loc)-1]
}

func attrPath(entity, attr string) string {
	return api + "EntityDefinitions(LogicalName='" + entity + "')/Attributes(LogicalName='" + attr + "')"
}

const booleanCast = "/Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
