package dynamics

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// testToken is the static token of the unit tests; tests assert it never leaks into an error.
const testToken = "unit-test-token-6f1c"

// recorded is one request a fake server saw.
type recorded struct {
	Method string
	Host   string
	Path   string // escaped path relative to /api/data/v9.2/
	Query  string
	Header http.Header
	Body   []byte
	ctx    context.Context // the server side of the request, done when the client goes away
}

// fakeDV is an httptest server whose behaviour a test gives as a function, recording every request.
type fakeDV struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
	fn   func(w http.ResponseWriter, r *recorded)
}

func newFake(t *testing.T, fn func(w http.ResponseWriter, r *recorded)) *fakeDV {
	t.Helper()
	f := &fakeDV{t: t, fn: fn}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec := recorded{
			Method: r.Method,
			Host:   r.Host,
			Path:   strings.TrimPrefix(r.URL.EscapedPath(), "/api/data/v9.2/"),
			Query:  r.URL.RawQuery,
			Header: r.Header.Clone(),
			Body:   b,
			ctx:    r.Context(),
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
		f.fn(w, &rec)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDV) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// sleeps records the delays the policy asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newTestClient returns a client for f with a recorded, non-waiting sleep. Each test server has its
// own port, so its write lock and "recently written" state are its own.
func newTestClient(t *testing.T, f *fakeDV) (*Client, *sleeps) {
	t.Helper()
	s := &sleeps{}
	c, err := New(Config{
		URL:         f.srv.URL + "/some/path/",
		HTTPClient:  f.srv.Client(),
		StaticToken: testToken,
		Policy:      httpx.Policy{MaxRetries: 3, Sleep: s.sleep, UserAgent: "dynamics-test"},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

// jsonEqual compares two JSON documents structurally.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	gb, _ := json.MarshalIndent(g, "", "  ")
	wb, _ := json.MarshalIndent(w, "", "  ")
	if string(gb) != string(wb) {
		t.Errorf("body mismatch\n got: %s\nwant: %s", gb, wb)
	}
}

// booleanDefinition is a Boolean column as Dataverse returns it from the cast GET (abridged from
// the documented sample), with a French label beside the English one.
const booleanDefinition = `{
  "@odata.context": "https://org/api/data/v9.2/$metadata#EntityDefinitions('contact')/Attributes/Microsoft.Dynamics.CRM.BooleanAttributeMetadata/$entity",
  "MetadataId": "73f33b3d-112a-ed11-9db1-00224804f8e2",
  "EntityLogicalName": "contact",
  "LogicalName": "new_salesoptout",
  "SchemaName": "new_SalesOptOut",
  "AttributeType": "Boolean",
  "AttributeTypeName": {"Value": "BooleanType"},
  "ColumnNumber": 1234567890123,
  "DefaultValue": false,
  "IsCustomAttribute": true,
  "IsManaged": false,
  "IsValidForCreate": true,
  "IsValidForUpdate": true,
  "IsValidForRead": true,
  "RequiredLevel": {"Value": "None", "CanBeChanged": true, "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"},
  "DisplayName": {
    "LocalizedLabels": [
      {"Label": "Sales opt-out", "LanguageCode": 1033, "IsManaged": false, "MetadataId": "a1"},
      {"Label": "Désinscription", "LanguageCode": 1036, "IsManaged": false, "MetadataId": "a2"}
    ],
    "UserLocalizedLabel": {"Label": "Sales opt-out", "LanguageCode": 1033, "IsManaged": false, "MetadataId": "a1"}
  },
  "Description": {"LocalizedLabels": [], "UserLocalizedLabel": null},
  "OptionSet@odata.associationLinkUrl": "https://org/x",
  "OptionSet": {
    "Name": "contact_new_salesoptout",
    "OptionSetType": "Boolean",
    "TrueOption": {"Value": 1, "Label": {"LocalizedLabels": [{"Label": "Opted out", "LanguageCode": 1033}, {"Label": "Oui", "LanguageCode": 1036}]}},
    "FalseOption": {"Value": 0, "Label": {"LocalizedLabels": [{"Label": "Subscribed", "LanguageCode": 1033}]}}
  }
}`
