package outreach_test

// Client tests against the in-process sandbox: the sandbox is written from the contract alone,
// so these tests check the client against an independent reading of it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

const (
	sbToken         = "sandbox-outreach-token"
	sbReadOnlyToken = "sandbox-readonly-token"
	sbClientID      = "sandbox-client"
	sbClientSecret  = "sandbox-secret"
	sbRedirectURI   = "https://localhost/callback"
	sbSeedRefresh   = "sandbox-refresh-token"
	sbS2SApp        = "sandbox-s2s-app"
	sbS2SInstall    = "1001"
	sbPluginID      = int64(1)
)

func startSandbox(t *testing.T, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	srv, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Concurrent requests make the shared transport dial spare connections that never carry
		// a request; http.Server.Shutdown waits 5 s before it treats those as idle. Closing them
		// from the client side first keeps Close immediate.
		if tr, ok := http.DefaultTransport.(*http.Transport); ok {
			tr.CloseIdleConnections()
		}
		_ = srv.Close()
	})
	return srv
}

// sleepRecorder is a Policy.Sleep that records each delay instead of waiting. When advance is
// set it also moves the sandbox clock by the delay, as real waiting would.
type sleepRecorder struct {
	mu      sync.Mutex
	delays  []time.Duration
	advance func(time.Duration)
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	if s.advance != nil {
		s.advance(d)
	}
	return ctx.Err()
}

func (s *sleepRecorder) Delays() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}

func policy(s *sleepRecorder) httpx.Policy {
	if s == nil {
		s = &sleepRecorder{}
	}
	return httpx.Policy{MaxRetries: 3, UserAgent: "terraform-provider-outreach-test", Sleep: s.Sleep}
}

func staticClient(t *testing.T, srv *sandbox.Server, token string, s *sleepRecorder) *outreach.Client {
	t.Helper()
	c, err := outreach.New(outreach.Config{BaseURL: srv.OutreachURL(), Policy: policy(s), Auth: outreach.StaticToken(token)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tokenRecorder is a transport that records the form of every /oauth/token request, so that a
// test can see which refresh token each mint spent.
type tokenRecorder struct {
	mu    sync.Mutex
	forms []url.Values
}

func (r *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/oauth/token" && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		form, _ := url.ParseQuery(string(b))
		r.mu.Lock()
		r.forms = append(r.forms, form)
		r.mu.Unlock()
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *tokenRecorder) Mints() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]url.Values(nil), r.forms...)
}

func refreshSource(t *testing.T, srv *sandbox.Server, dir string, rec *tokenRecorder, s *sleepRecorder) outreach.TokenSource {
	t.Helper()
	src, err := outreach.NewRefreshSource(outreach.RefreshConfig{
		BaseURL: srv.OutreachURL(), ClientID: sbClientID, ClientSecret: sbClientSecret, RedirectURI: sbRedirectURI,
		RefreshToken: sbSeedRefresh, CacheDir: dir, HTTPClient: &http.Client{Transport: rec},
		Policy: policy(s), Now: srv.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func clientWith(t *testing.T, srv *sandbox.Server, auth outreach.TokenSource) *outreach.Client {
	t.Helper()
	c, err := outreach.New(outreach.Config{BaseURL: srv.OutreachURL(), Policy: policy(nil), Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type cacheFile struct {
	RefreshToken string `json:"refresh_token"`
	AccessToken  string `json:"access_token"`
}

func readCache(t *testing.T, srv *sandbox.Server, dir string) (cacheFile, []byte) {
	t.Helper()
	b, err := os.ReadFile(outreach.TokenCachePath(dir, srv.OutreachURL(), sbClientID, sbSeedRefresh))
	if err != nil {
		t.Fatal(err)
	}
	var c cacheFile
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c, b
}

// TestSandboxPagingAcrossSyncConditions is the paging acceptance test. Field mappings cannot be
// used: (plugin, crmObject, outreachField) is unique and the sandbox catalog offers far fewer
// than 2,500 such combinations (checked below), so it pages across 2,500 sync conditions,
// which have no uniqueness rule.
func TestSandboxPagingAcrossSyncConditions(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()

	outreachFields, err := c.ListFields(ctx, outreach.FieldFilter{PluginID: sbPluginID, Side: "outreach"})
	if err != nil {
		t.Fatal(err)
	}
	if len(outreachFields) >= 2500 {
		t.Fatalf("the catalog now has %d (object, outreach field) pairs: page across field mappings instead", len(outreachFields))
	}
	t.Logf("the catalog offers %d distinct (object, outreachField) pairs, fewer than 2,500: paging across sync conditions", len(outreachFields))

	const n = 2500
	created := make(map[int64]bool, n)
	var mu sync.Mutex
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				s, err := c.CreateSyncCondition(ctx, outreach.SyncCondition{
					PluginID: sbPluginID, CRMObject: "lead", Trigger: "outboundUpdate",
					Field: fmt.Sprintf("custom%d", i%20+1), Operator: "equals", Value: json.RawMessage(fmt.Sprintf(`"v%d"`, i)),
				})
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				created[s.ID] = true
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(created) != n {
		t.Fatalf("created %d distinct ids, want %d", len(created), n)
	}

	before := srv.Stats().OutreachRequests
	got, err := c.ListSyncConditions(ctx, outreach.ConditionFilter{PluginID: sbPluginID, CRMObject: "lead", Trigger: "outboundUpdate"})
	if err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Stats().OutreachRequests - before; reqs != 3 {
		t.Errorf("listing 2,500 conditions took %d requests, want 3 (page[size]=1000)", reqs)
	}
	seen := make(map[int64]int, len(got))
	for _, s := range got {
		seen[s.ID]++
		if s.PluginID != sbPluginID || s.CRMObject != "lead" || s.Operator != "equals" || len(s.Value) == 0 {
			t.Fatalf("condition decoded as %+v", s)
		}
	}
	if len(got) != n {
		t.Errorf("listed %d conditions, want %d", len(got), n)
	}
	for id := range created {
		if seen[id] != 1 {
			t.Errorf("condition %d listed %d times", id, seen[id])
		}
	}
}

func TestSandboxRetryAfterIsHonoured(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	s := &sleepRecorder{}
	c := staticClient(t, srv, sbToken, s)
	srv.SetFaults(sandbox.Faults{Outreach429: 1, Outreach429RetryAfter: "7"})
	before := srv.Stats().OutreachRequests
	p, err := c.GetPlugin(context.Background(), sbPluginID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != "dynamics" {
		t.Errorf("plugin %+v", p)
	}
	if d := s.Delays(); len(d) != 1 || d[0] != 7*time.Second {
		t.Fatalf("slept %v, want exactly [7s] from Retry-After", d)
	}
	if reqs := srv.Stats().OutreachRequests - before; reqs != 2 {
		t.Errorf("requests = %d, want 2", reqs)
	}
}

func TestSandboxPlainText401IsClear(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, "not-a-token", nil)
	_, err := c.ListPlugins(context.Background(), outreach.PluginFilter{})
	e, ok := outreach.AsAPIError(err)
	if !ok {
		t.Fatalf("not an APIError: %v", err)
	}
	if e.StatusCode != http.StatusUnauthorized || e.Body != "Invalid access token" {
		t.Fatalf("decoded %+v", e)
	}
	msg := err.Error()
	for _, want := range []string{"401 Unauthorized", `"Invalid access token"`, "check the access token or credentials"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "not-a-token") {
		t.Errorf("error echoes the token: %s", msg)
	}
}

func TestSandboxReadOnlyTokenGetsScopeError(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbReadOnlyToken, nil)
	ctx := context.Background()
	if _, err := c.ListPluginObjects(ctx, sbPluginID, ""); err != nil {
		t.Fatalf("read with plugins.read: %v", err)
	}
	_, err := c.CreateFieldMapping(ctx, outreach.FieldMapping{PluginID: sbPluginID, CRMObject: "lead", OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true})
	e, ok := outreach.AsAPIError(err)
	if !ok || e.StatusCode != http.StatusForbidden || e.ID != "unauthorizedOauthScope" || !strings.Contains(err.Error(), "scope") {
		t.Fatalf("got %v", err)
	}
}

func TestSandboxRefreshTokenRotationPersistedAndReused(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	ctx := context.Background()

	rec1 := &tokenRecorder{}
	c1 := clientWith(t, srv, refreshSource(t, srv, dir, rec1, nil))
	if _, err := c1.ListPlugins(ctx, outreach.PluginFilter{}); err != nil {
		t.Fatal(err)
	}
	if m := rec1.Mints(); len(m) != 1 || m[0].Get("refresh_token") != sbSeedRefresh {
		t.Fatalf("first mint: %v", m)
	}
	cache1, _ := readCache(t, srv, dir)
	if cache1.RefreshToken == "" || cache1.RefreshToken == sbSeedRefresh {
		t.Fatalf("the rotated refresh token was not persisted (cache has the seed or nothing)")
	}

	// A new process: a new source on the same cache directory reuses the access token.
	rec2 := &tokenRecorder{}
	c2 := clientWith(t, srv, refreshSource(t, srv, dir, rec2, nil))
	before := srv.Stats().OutreachRequests
	if _, err := c2.ListPlugins(ctx, outreach.PluginFilter{}); err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Stats().OutreachRequests - before; reqs != 1 || len(rec2.Mints()) != 0 {
		t.Fatalf("the second source minted: %d requests, %d mints", reqs, len(rec2.Mints()))
	}

	// Once the access token has expired, the second source mints with the rotated token.
	srv.AdvanceClock(7201 * time.Second)
	if _, err := c2.ListPlugins(ctx, outreach.PluginFilter{}); err != nil {
		t.Fatal(err)
	}
	m := rec2.Mints()
	if len(m) != 1 {
		t.Fatalf("mints after expiry: %d, want 1", len(m))
	}
	if got := m[0].Get("refresh_token"); got != cache1.RefreshToken || got == sbSeedRefresh {
		t.Fatalf("minted with %s, want the rotated token from the cache", map[bool]string{true: "the configured seed", false: "an unknown token"}[got == sbSeedRefresh])
	}
	cache2, _ := readCache(t, srv, dir)
	if cache2.RefreshToken == cache1.RefreshToken || cache2.AccessToken == cache1.AccessToken {
		t.Fatal("the second rotation was not persisted")
	}
}

func TestSandboxTokenCacheFileIsPrivate(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "cache") // created by the source
	c := clientWith(t, srv, refreshSource(t, srv, dir, &tokenRecorder{}, nil))
	if _, err := c.GetPlugin(context.Background(), sbPluginID); err != nil {
		t.Fatal(err)
	}
	path := outreach.TokenCachePath(dir, srv.OutreachURL(), sbClientID, sbSeedRefresh)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("cache file mode %v, want 0600", fi.Mode().Perm())
		}
		if di.Mode().Perm() != 0o700 {
			t.Errorf("cache dir mode %v, want 0700", di.Mode().Perm())
		}
	}
	_, raw := readCache(t, srv, dir)
	if bytes.Contains(raw, []byte(sbClientSecret)) {
		t.Error("the cache file contains the client secret")
	}
	if bytes.Contains(raw, []byte(sbSeedRefresh)) {
		t.Error("the cache file contains the configured refresh token in clear")
	}
	// No temp files are left behind by the atomic write.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("leftover temp file %s", e.Name())
		}
	}
}

func TestSandboxConcurrentRefreshSourcesMintOnce(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	rec := &tokenRecorder{}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine is its own "process": its own source and client.
			src, err := outreach.NewRefreshSource(outreach.RefreshConfig{
				BaseURL: srv.OutreachURL(), ClientID: sbClientID, ClientSecret: sbClientSecret, RedirectURI: sbRedirectURI,
				RefreshToken: sbSeedRefresh, CacheDir: dir, HTTPClient: &http.Client{Transport: rec}, Policy: policy(nil), Now: srv.Now,
			})
			if err != nil {
				errs <- err
				return
			}
			c, err := outreach.New(outreach.Config{BaseURL: srv.OutreachURL(), Policy: policy(nil), Auth: src})
			if err != nil {
				errs <- err
				return
			}
			if _, err := c.ListPluginObjects(context.Background(), sbPluginID, "lead"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if m := rec.Mints(); len(m) != 1 {
		t.Fatalf("%d sources sharing a cache minted %d times, want 1", n, len(m))
	}
}

func TestSandboxThrottledMintWaitsForRetryAfter(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	// Two caches (two machines) for the same user: the second mint within 60 s is throttled.
	if _, err := refreshSource(t, srv, t.TempDir(), &tokenRecorder{}, nil).Token(ctx); err != nil {
		t.Fatal(err)
	}
	s := &sleepRecorder{advance: srv.AdvanceClock}
	tok, err := refreshSource(t, srv, t.TempDir(), &tokenRecorder{}, s).Token(ctx)
	if err != nil || tok == "" {
		t.Fatalf("throttled mint not retried: %v", err)
	}
	if d := s.Delays(); len(d) != 1 || d[0] <= 0 || d[0] > 60*time.Second {
		t.Fatalf("delays %v, want one wait of at most 60 s from Retry-After", d)
	}
}

func TestSandboxThrottledMintWithoutWaitIsClear(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	if _, err := refreshSource(t, srv, t.TempDir(), &tokenRecorder{}, nil).Token(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := refreshSource(t, srv, t.TempDir(), &tokenRecorder{}, nil).Token(ctx) // sleeps do not move the clock
	if err == nil || !strings.Contains(err.Error(), "429") || !strings.Contains(err.Error(), "60 seconds") {
		t.Fatalf("got %v", err)
	}
}

func TestSandboxInvalidRefreshTokenIsClear(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	src, err := outreach.NewRefreshSource(outreach.RefreshConfig{
		BaseURL: srv.OutreachURL(), ClientID: sbClientID, ClientSecret: sbClientSecret, RedirectURI: sbRedirectURI,
		RefreshToken: "revoked-refresh-token", CacheDir: t.TempDir(), Policy: policy(nil), Now: srv.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientWith(t, srv, src).ListPlugins(context.Background(), outreach.PluginFilter{})
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") || !strings.Contains(err.Error(), "obtain a new refresh token") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "revoked-refresh-token") || strings.Contains(err.Error(), sbClientSecret) {
		t.Fatalf("error carries a secret: %v", err)
	}
}

func TestSandboxS2S(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv := startSandbox(t, sandbox.Options{S2SPublicKey: &key.PublicKey})
	ctx := context.Background()

	src, err := outreach.NewS2SSource(outreach.S2SConfig{BaseURL: srv.OutreachURL(), AppID: sbS2SApp, InstallID: sbS2SInstall,
		PrivateKey: key, Policy: policy(nil), Now: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	c := clientWith(t, srv, src)
	if _, err := c.ListPlugins(ctx, outreach.PluginFilter{Kind: "dynamics"}); err != nil {
		t.Fatalf("S2S token refused: %v", err)
	}
	before := srv.Stats().OutreachRequests
	if _, err := c.GetPlugin(ctx, sbPluginID); err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Stats().OutreachRequests - before; reqs != 1 {
		t.Errorf("the S2S token was not cached: %d requests", reqs)
	}

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := outreach.NewS2SSource(outreach.S2SConfig{BaseURL: srv.OutreachURL(), AppID: sbS2SApp, InstallID: sbS2SInstall,
		PrivateKey: other, Policy: policy(nil), Now: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientWith(t, srv, bad).ListPlugins(ctx, outreach.PluginFilter{})
	if err == nil {
		t.Fatal("a JWT signed with another key was accepted")
	}
	for _, want := range []string{"401", "private key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestSandboxFieldMappingLifecycle(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()

	m, err := c.CreateFieldMapping(ctx, outreach.FieldMapping{PluginID: sbPluginID, CRMObject: "lead",
		OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == 0 || m.PluginID != sbPluginID || m.UpdatesIn || !m.UpdatesOut || m.CreatedAt.IsZero() {
		t.Fatalf("created %+v", m)
	}
	_, err = c.CreateFieldMapping(ctx, outreach.FieldMapping{PluginID: sbPluginID, CRMObject: "lead",
		OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true})
	if e, ok := outreach.AsAPIError(err); !ok || e.StatusCode != 422 || e.Pointer != "/data/attributes/outreachField" {
		t.Fatalf("duplicate mapping: %v", err)
	}

	ph := "-"
	m.SkipEmptyOut, m.EmptyPlaceholder = true, &ph
	up, err := c.UpdateFieldMapping(ctx, *m)
	if err != nil {
		t.Fatal(err)
	}
	if !up.SkipEmptyOut || up.EmptyPlaceholder == nil || *up.EmptyPlaceholder != "-" {
		t.Fatalf("updated %+v", up)
	}
	up.EmptyPlaceholder = nil
	if up, err = c.UpdateFieldMapping(ctx, *up); err != nil || up.EmptyPlaceholder != nil {
		t.Fatalf("clearing the placeholder: %+v, %v", up, err)
	}

	list, err := c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: sbPluginID, OutreachField: "optedOut"})
	if err != nil || len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if err := c.DeleteFieldMapping(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFieldMapping(ctx, m.ID); !outreach.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := c.DeleteFieldMapping(ctx, m.ID); !outreach.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestSandboxSyncConditionOperatorChanges(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()
	s, err := c.CreateSyncCondition(ctx, outreach.SyncCondition{PluginID: sbPluginID, CRMObject: "contact",
		Trigger: "outboundCreate", Field: "custom3", Operator: "in", Values: []json.RawMessage{json.RawMessage(`"a"`), json.RawMessage(`"b"`)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Values) != 2 || s.Value != nil {
		t.Fatalf("created %+v", s)
	}
	// in → equals: the old values go with the operator; the PATCH cannot send them as null.
	prior := *s
	s.Operator, s.Value, s.Values = "equals", json.RawMessage(`"x"`), nil
	if s, err = c.UpdateSyncCondition(ctx, prior, *s); err != nil {
		t.Fatal(err)
	}
	if s.Values != nil || string(s.Value) != `"x"` {
		t.Fatalf("after in → equals: %+v", s)
	}
	// equals → isBlank: the value must be cleared.
	prior = *s
	s.Operator, s.Value = "isBlank", nil
	if s, err = c.UpdateSyncCondition(ctx, prior, *s); err != nil || s.Value != nil {
		t.Fatalf("after equals → isBlank: %+v, %v", s, err)
	}
	if got, err := c.GetSyncCondition(ctx, s.ID); err != nil || got.Operator != "isBlank" || got.Trigger != "outboundCreate" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	if err := c.DeleteSyncCondition(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxPluginObjectsFieldsAndRefresh(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()

	plugins, err := c.ListPlugins(ctx, outreach.PluginFilter{Kind: "dynamics"})
	if err != nil || len(plugins) != 1 || plugins[0].ID != sbPluginID || plugins[0].InstanceURL != srv.DynamicsURL() {
		t.Fatalf("plugins %+v, %v", plugins, err)
	}
	objs, err := c.ListPluginObjects(ctx, sbPluginID, "lead")
	if err != nil || len(objs) != 1 || objs[0].OutreachObject != "prospect" || objs[0].PluginID != sbPluginID {
		t.Fatalf("objects %+v, %v", objs, err)
	}
	freq, on := int64(15), true
	o, err := c.UpdatePluginObject(ctx, objs[0].ID, outreach.PluginObjectPatch{PollingFrequency: &freq, Polling: &on})
	if err != nil || o.PollingFrequency != 15 || !o.Polling || o.Pushing != objs[0].Pushing {
		t.Fatalf("patched %+v, %v", o, err)
	}
	bad := int64(7)
	if _, err := c.UpdatePluginObject(ctx, objs[0].ID, outreach.PluginObjectPatch{PollingFrequency: &bad}); err == nil {
		t.Fatal("polling frequency 7 accepted")
	}

	fields, err := c.ListFields(ctx, outreach.FieldFilter{PluginID: sbPluginID, CRMObject: "lead", Side: "crm", Name: "donotemail"})
	if err != nil || len(fields) != 1 || fields[0].Type != "boolean" {
		t.Fatalf("fields %+v, %v", fields, err)
	}
	if err := c.RefreshFields(ctx, sbPluginID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPlugin(ctx, 999); !outreach.IsNotFound(err) {
		t.Fatalf("unknown plugin: %v", err)
	}
}
