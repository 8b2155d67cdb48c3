package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// admin calls the admin API with a plain JSON body.
func admin(t *testing.T, s *Server, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		if raw, ok := body.(string); ok {
			b = []byte(raw)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.OutreachURL()+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func dataverseGet(t *testing.T, s *Server, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.DynamicsURL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+DynamicsAccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := dataverseClient(t, s).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestPersistenceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	s1 := startSandbox(t, Options{StateDir: dir})
	if s1.CACertPath() != filepath.Join(dir, "ca.pem") {
		t.Fatalf("CACertPath %q", s1.CACertPath())
	}
	m := createMappingT(t, s1, "contact", "optedOut", "donotemail", map[string]any{"emptyPlaceholder": "-"})
	// Written through before the response: a crash now would lose nothing.
	var onDisk struct {
		Outreach struct {
			Mappings map[string]fieldMapping `json:"plugin_field_mappings"`
		} `json:"outreach"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "state.json")); err != nil || json.Unmarshal(b, &onDisk) != nil {
		t.Fatalf("state.json after a create: %v", err)
	}
	if got := onDisk.Outreach.Mappings[itoa(m.ID)]; got.EmptyPlaceholder == nil || *got.EmptyPlaceholder != "-" {
		t.Fatalf("state.json does not hold the mapping just created: %+v", onDisk.Outreach.Mappings)
	}
	c := createConditionT(t, s1, "lead", "polling", "donotemail", "equals", val(true))
	mustStatus(t, api(t, s1, http.MethodPatch, "/api/v2/pluginObjects/1", resource(typeObject, 1, map[string]any{"pollingFrequency": 240}, false)), http.StatusOK)
	tok := mintRefresh(t, s1, SeedRefreshToken)
	createBooleanColumn(t, s1, "lead", "new_SalesOptOut", "Sales Opt Out")
	mustStatus(t, api(t, s1, http.MethodPost, "/api/v2/plugins/1/actions/refreshFields", nil), http.StatusNoContent)
	s1.AdvanceClock(time.Hour)
	clock1 := s1.Now()
	ca1 := s1.CACertPEM()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	for name, perm := range map[string]os.FileMode{"state.json": 0o600, "ca.pem": 0o644, "ca-key.pem": 0o600, "key.pem": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != perm {
			t.Errorf("%s: %v %v, want %v", name, err, fi, perm)
		}
	}

	s2 := startSandbox(t, Options{StateDir: dir})
	if !bytes.Equal(s2.CACertPEM(), ca1) {
		t.Error("the CA changed across a restart; SSL_CERT_FILE would break")
	}
	if d := s2.Now().Sub(clock1); d < 0 || d > time.Minute {
		t.Errorf("clock offset lost: %v → %v", clock1, s2.Now())
	}
	got := itemAt(t, s2, "/api/v2/pluginFieldMappings/"+itoa(m.ID))
	if got.Attributes["emptyPlaceholder"] != "-" || got.Attributes["createdAt"] != m.Attributes["createdAt"] {
		t.Errorf("mapping after restart %v", got.Attributes)
	}
	if got := itemAt(t, s2, "/api/v2/pluginSyncConditions/"+itoa(c.ID)); got.Attributes["value"] != true {
		t.Errorf("condition after restart %v", got.Attributes)
	}
	if got := itemAt(t, s2, "/api/v2/pluginObjects/1"); got.Attributes["pollingFrequency"] != float64(240) {
		t.Errorf("object after restart %v", got.Attributes)
	}
	if got := itemAt(t, s2, "/api/v2/plugins/1"); got.Attributes["instanceUrl"] != s2.DynamicsURL() {
		t.Errorf("instanceUrl %v, want %s", got.Attributes["instanceUrl"], s2.DynamicsURL())
	}
	if len(crmField(t, s2, "lead", "new_salesoptout")) != 1 {
		t.Error("refreshed catalog lost")
	}
	// The Dataverse half kept the column too, and serves it with the same CA.
	if resp := dataverseGet(t, s2, "/api/data/v9.2/EntityDefinitions(LogicalName='lead')/Attributes(LogicalName='new_salesoptout')"); resp.StatusCode != http.StatusOK {
		t.Errorf("column after restart: %d", resp.StatusCode)
	}
	// Tokens survive: the minted access token still works, the rotated refresh token too.
	mustStatus(t, call(t, s2, http.MethodGet, "/api/v2/plugins", tok.AccessToken, nil, ""), http.StatusOK)
	mintRefresh(t, s2, tok.RefreshToken)
	// Ids are never reused.
	if n := createMappingT(t, s2, "lead", "optedOut", "donotphone", nil); n.ID <= m.ID {
		t.Errorf("id %d after %d", n.ID, m.ID)
	}
}

func TestOutreachFaults(t *testing.T) {
	s := startSandbox(t, Options{})
	mustStatus(t, admin(t, s, http.MethodPut, "/_sandbox/faults", map[string]any{"outreach_429": 2, "outreach_429_retry_after": "7"}), http.StatusOK)
	for i := 0; i < 2; i++ {
		r := api(t, s, http.MethodGet, "/api/v2/plugins", nil)
		wantError(t, r, http.StatusTooManyRequests, errRateLimit, "", "")
		if r.header.Get("Retry-After") != "7" || r.header.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("429 headers %v", r.header)
		}
	}
	mustStatus(t, api(t, s, http.MethodGet, "/api/v2/plugins", nil), http.StatusOK)

	date := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)
	mustStatus(t, admin(t, s, http.MethodPut, "/_sandbox/faults", map[string]any{"outreach_503": 1, "outreach_503_retry_after": date}), http.StatusOK)
	r := api(t, s, http.MethodPatch, "/api/v2/pluginObjects/1", resource(typeObject, 1, map[string]any{"polling": false}, false))
	wantError(t, r, http.StatusServiceUnavailable, errMaintenance, "", "")
	if r.header.Get("Retry-After") != date {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	if got := itemAt(t, s, "/api/v2/pluginObjects/1"); got.Attributes["polling"] != true {
		t.Error("a request refused for maintenance changed state")
	}

	// Unknown fields are a typo in a test, not a configuration.
	r = admin(t, s, http.MethodPut, "/_sandbox/faults", map[string]any{"outreach_492": 1})
	if r.status != http.StatusBadRequest {
		t.Fatalf("unknown fault field: %d %s", r.status, r.body)
	}
	mustStatus(t, admin(t, s, http.MethodPut, "/_sandbox/faults", map[string]any{"outreach_429": 5}), http.StatusOK)
	s.Reset()
	mustStatus(t, api(t, s, http.MethodGet, "/api/v2/plugins", nil), http.StatusOK)
}

func TestLatencyFault(t *testing.T) {
	s := startSandbox(t, Options{})
	const delay = 150 * time.Millisecond
	s.SetFaults(Faults{LatencyMS: int(delay / time.Millisecond)})
	start := time.Now()
	mustStatus(t, api(t, s, http.MethodGet, "/api/v2/plugins", nil), http.StatusOK)
	if d := time.Since(start); d < delay {
		t.Errorf("Outreach request took %v, want ≥ %v", d, delay)
	}
	start = time.Now()
	dataverseGet(t, s, "/api/data/v9.2/EntityDefinitions(LogicalName='contact')")
	if d := time.Since(start); d < delay {
		t.Errorf("Dataverse request took %v, want ≥ %v", d, delay)
	}
}

func TestDynamicsFaultsAreForwarded(t *testing.T) {
	s := startSandbox(t, Options{})
	r := admin(t, s, http.MethodPut, "/_sandbox/faults", `{"dynamics_429": 1, "dynamics_retry_after": "3"}`)
	mustStatus(t, r, http.StatusOK)
	resp := dataverseGet(t, s, "/api/data/v9.2/EntityDefinitions(LogicalName='contact')")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
		t.Fatalf("Dataverse with dynamics_429: %d Retry-After=%q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := dataverseGet(t, s, "/api/data/v9.2/EntityDefinitions(LogicalName='contact')"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the fault: %d", resp.StatusCode)
	}
}

func TestAdminAPI(t *testing.T) {
	s := startSandbox(t, Options{})
	stats := func() Stats {
		r := admin(t, s, http.MethodGet, "/_sandbox/stats", nil)
		mustStatus(t, r, http.StatusOK)
		var st Stats
		if err := json.Unmarshal(r.body, &st); err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		_ = json.Unmarshal(r.body, &raw)
		if _, ok := raw["outreach_requests"]; !ok {
			t.Fatalf("stats body %s", r.body)
		}
		return st
	}
	before := stats()
	api(t, s, http.MethodGet, "/api/v2/plugins", nil)
	call(t, s, http.MethodGet, "/api/v2/plugins", "", nil, "") // a 401 is still a request
	dataverseGet(t, s, "/api/data/v9.2/EntityDefinitions(LogicalName='contact')")
	after := stats()
	if after.OutreachRequests-before.OutreachRequests != 2 || after.DynamicsRequests-before.DynamicsRequests != 1 {
		t.Errorf("stats %+v → %+v", before, after)
	}

	// Clock.
	t0 := s.Now()
	r := admin(t, s, http.MethodPost, "/_sandbox/clock", map[string]any{"advance_seconds": 3600})
	mustStatus(t, r, http.StatusOK)
	if d := s.Now().Sub(t0); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("clock moved %v", d)
	}
	for _, body := range []string{`{"advance_seconds": -5}`, `{}`, `{"advance": 5}`, `nope`} {
		if r := admin(t, s, http.MethodPost, "/_sandbox/clock", body); r.status != http.StatusBadRequest {
			t.Errorf("clock %s: %d", body, r.status)
		}
	}

	// Reset restores the seed.
	m := createMappingT(t, s, "contact", "optedOut", "donotemail", nil)
	mustStatus(t, api(t, s, http.MethodPatch, "/api/v2/pluginObjects/1", resource(typeObject, 1, map[string]any{"polling": false}, false)), http.StatusOK)
	mustStatus(t, admin(t, s, http.MethodPost, "/_sandbox/reset", nil), http.StatusNoContent)
	wantError(t, api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings/"+itoa(m.ID), nil), 404, errNotFound, "", "")
	if got := itemAt(t, s, "/api/v2/pluginObjects/1"); got.Attributes["polling"] != true {
		t.Errorf("reset kept the patched object: %v", got.Attributes)
	}

	// Dependencies are handed to the org.
	mustStatus(t, admin(t, s, http.MethodPost, "/_sandbox/dynamics/dependencies", map[string]any{"entity": "contact", "attribute": "donotemail", "count": 2}), http.StatusNoContent)
	if r := admin(t, s, http.MethodPost, "/_sandbox/dynamics/dependencies", map[string]any{"entity": "contact", "attribute": "donotemail", "count": 2, "kind": "x"}); r.status != http.StatusBadRequest {
		t.Errorf("unknown field: %d", r.status)
	}
	if r := admin(t, s, http.MethodPost, "/_sandbox/dynamics/dependencies", map[string]any{"entity": "", "attribute": "donotemail", "count": 1}); r.status != http.StatusBadRequest {
		t.Errorf("missing entity: %d", r.status)
	}

	if r := admin(t, s, http.MethodGet, "/_sandbox/nothing", nil); r.status != http.StatusNotFound || !strings.Contains(string(r.body), "error") {
		t.Errorf("unknown admin route: %d %s", r.status, r.body)
	}
	// Since the second snapshot: POST, PATCH and two GETs; admin requests are not counted.
	if final := stats(); final.OutreachRequests != after.OutreachRequests+4 {
		t.Errorf("outreach requests %d → %d, want +4", after.OutreachRequests, final.OutreachRequests)
	}
}
