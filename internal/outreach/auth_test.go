package outreach

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeClock is a settable clock shared by a token source and a fake server.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeOAuth is a token endpoint that rotates refresh tokens and records each grant's form.
type fakeOAuth struct {
	mu     sync.Mutex
	n      int
	forms  []url.Values
	answer func(n int, form url.Values) (int, http.Header, string)
}

func (f *fakeOAuth) handler(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/token" || r.Method != http.MethodPost {
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q", ct)
		}
		_ = r.ParseForm()
		f.mu.Lock()
		f.n++
		n := f.n
		f.forms = append(f.forms, r.PostForm)
		f.mu.Unlock()
		status, h, body := 200, http.Header{}, ""
		if f.answer != nil {
			status, h, body = f.answer(n, r.PostForm)
		}
		if body == "" {
			body = fmt.Sprintf(`{"access_token":"access-%d","token_type":"bearer","expires_in":7200,"refresh_token":"refresh-%d","scope":"plugins.all","created_at":0}`, n, n)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func (f *fakeOAuth) start(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(f.handler(t))
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeOAuth) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *fakeOAuth) form(i int) url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.forms[i]
}

func newRefresh(t *testing.T, base, dir, refresh string, clock *fakeClock, s *noSleep) TokenSource {
	t.Helper()
	if s == nil {
		s = &noSleep{}
	}
	src, err := NewRefreshSource(RefreshConfig{
		BaseURL: base, ClientID: "cid", ClientSecret: "very-secret-value", RedirectURI: "https://localhost/callback",
		RefreshToken: refresh, CacheDir: dir, Policy: testPolicy(s), Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestRefreshSourceRotatesPersistsAndReuses(t *testing.T) {
	oauth := &fakeOAuth{}
	srv := oauth.start(t)
	dir := t.TempDir()
	clock := newFakeClock()
	ctx := context.Background()

	a := newRefresh(t, srv.URL, dir, "seed", clock, nil)
	tok, err := a.Token(ctx)
	if err != nil || tok != "access-1" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	f := oauth.form(0)
	if f.Get("grant_type") != "refresh_token" || f.Get("refresh_token") != "seed" || f.Get("client_id") != "cid" ||
		f.Get("client_secret") != "very-secret-value" || f.Get("redirect_uri") != "https://localhost/callback" {
		t.Fatalf("grant form %v", f)
	}
	path := TokenCachePath(dir, srv.URL, "cid", "seed")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "very-secret-value") || strings.Contains(string(b), `"seed"`) {
		t.Fatalf("cache holds the client secret or the raw seed: %s", b)
	}
	var c tokenCache
	if err := json.Unmarshal(b, &c); err != nil || c.RefreshToken != "refresh-1" || c.AccessToken != "access-1" {
		t.Fatalf("cache %s (%v)", b, err)
	}

	// A second process: reuses the access token, no mint.
	b2 := newRefresh(t, srv.URL, dir, "seed", clock, nil)
	if tok, err := b2.Token(ctx); err != nil || tok != "access-1" || oauth.count() != 1 {
		t.Fatalf("second source: %q, %v, mints %d", tok, err, oauth.count())
	}
	// After expiry: mint with the rotated token, not the configured one.
	clock.Advance(7201 * time.Second)
	if tok, err := b2.Token(ctx); err != nil || tok != "access-2" {
		t.Fatalf("after expiry: %q, %v", tok, err)
	}
	if got := oauth.form(1).Get("refresh_token"); got != "refresh-1" {
		t.Fatalf("second mint used %q, want the rotated refresh-1", got)
	}
	// The first source's in-memory token has expired too; it picks up the second's from the cache.
	if tok, err := a.Token(ctx); err != nil || tok != "access-2" || oauth.count() != 2 {
		t.Fatalf("first source after expiry: %q, %v, mints %d", tok, err, oauth.count())
	}
}

// TestRefreshSourceGrantsKeepTheirOwnChains: a newly configured refresh token is another grant
// (another org or user of the same OAuth client): it gets a cache file of its own and leaves the
// first grant's chain as it is, so that switching back reuses that chain.
func TestRefreshSourceGrantsKeepTheirOwnChains(t *testing.T) {
	oauth := &fakeOAuth{}
	srv := oauth.start(t)
	dir, clock, ctx := t.TempDir(), newFakeClock(), context.Background()
	if _, err := newRefresh(t, srv.URL, dir, "seed", clock, nil).Token(ctx); err != nil {
		t.Fatal(err)
	}
	tok, err := newRefresh(t, srv.URL, dir, "brand-new-grant", clock, nil).Token(ctx)
	if err != nil || tok != "access-2" || oauth.form(1).Get("refresh_token") != "brand-new-grant" {
		t.Fatalf("new grant: %q, %v, form %v", tok, err, oauth.form(1))
	}
	c, err := readTokenCache(TokenCachePath(dir, srv.URL, "cid", "brand-new-grant"))
	if err != nil || c.SeedSHA256 != seedHash("brand-new-grant") || c.RefreshToken != "refresh-2" {
		t.Fatalf("cache of the new grant: %+v, %v", c, err)
	}
	first, err := readTokenCache(TokenCachePath(dir, srv.URL, "cid", "seed"))
	if err != nil || first.SeedSHA256 != seedHash("seed") || first.RefreshToken != "refresh-1" {
		t.Fatalf("the first grant's chain was touched: %+v, %v", first, err)
	}
	// Back to the first grant: its cached access token is still good, no mint.
	if tok, err := newRefresh(t, srv.URL, dir, "seed", clock, nil).Token(ctx); err != nil || tok != "access-1" || oauth.count() != 2 {
		t.Fatalf("first grant again: %q, %v, mints %d", tok, err, oauth.count())
	}
	// After expiry the first grant mints with its own rotated token.
	clock.Advance(7201 * time.Second)
	if _, err := newRefresh(t, srv.URL, dir, "seed", clock, nil).Token(ctx); err != nil || oauth.form(2).Get("refresh_token") != "refresh-1" {
		t.Fatalf("first grant after expiry: %v, form %v", err, oauth.form(2))
	}
}

// TestRefreshSourceTakesOverTheLegacyPerClientCache: the chain an earlier version kept in the
// per-client file is carried over for its own grant (the seed may have expired since), and
// ignored for any other grant.
func TestRefreshSourceTakesOverTheLegacyPerClientCache(t *testing.T) {
	oauth := &fakeOAuth{}
	srv := oauth.start(t)
	dir, clock, ctx := t.TempDir(), newFakeClock(), context.Background()
	base, _, err := normalizeBaseURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	legacy := &tokenCache{Version: tokenCacheVersion, BaseURL: base, ClientID: "cid", SeedSHA256: seedHash("seed"),
		RefreshToken: "rotated-long-ago", UpdatedAt: clock.Now()}
	if err := writeTokenCache(legacyTokenCachePath(dir, base, "cid"), legacy); err != nil {
		t.Fatal(err)
	}
	if _, err := newRefresh(t, srv.URL, dir, "other-grant", clock, nil).Token(ctx); err != nil || oauth.form(0).Get("refresh_token") != "other-grant" {
		t.Fatalf("another grant used the legacy chain: %v, form %v", err, oauth.form(0))
	}
	if _, err := newRefresh(t, srv.URL, dir, "seed", clock, nil).Token(ctx); err != nil || oauth.form(1).Get("refresh_token") != "rotated-long-ago" {
		t.Fatalf("the grant's legacy chain was not carried over: %v, form %v", err, oauth.form(1))
	}
	if c, err := readTokenCache(TokenCachePath(dir, srv.URL, "cid", "seed")); err != nil || c.RefreshToken != "refresh-2" {
		t.Fatalf("per-grant cache after the take-over: %+v, %v", c, err)
	}
}

func TestRefreshSourceInvalidateMintsAgain(t *testing.T) {
	oauth := &fakeOAuth{}
	srv := oauth.start(t)
	dir, clock, ctx := t.TempDir(), newFakeClock(), context.Background()
	src := newRefresh(t, srv.URL, dir, "seed", clock, nil)
	tok, _ := src.Token(ctx)
	inv, ok := src.(InvalidatingTokenSource)
	if !ok {
		t.Fatal("the refresh source cannot be invalidated")
	}
	inv.Invalidate(tok)
	tok2, err := src.Token(ctx)
	if err != nil || tok2 == tok || oauth.form(1).Get("refresh_token") != "refresh-1" {
		t.Fatalf("after invalidate: %q, %v", tok2, err)
	}
}

func TestRefreshSourceInvalidGrantIsClear(t *testing.T) {
	oauth := &fakeOAuth{answer: func(int, url.Values) (int, http.Header, string) {
		return 400, nil, `{"error":"invalid_grant","error_description":"The provided authorization grant is invalid"}`
	}}
	srv := oauth.start(t)
	_, err := newRefresh(t, srv.URL, t.TempDir(), "seed", newFakeClock(), nil).Token(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{"400", "invalid_grant", "obtain a new refresh token"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if oauth.count() != 1 {
		t.Errorf("a 400 was retried: %d calls", oauth.count())
	}
}

func TestRefreshSourceThrottleIsRetriedAfterRetryAfter(t *testing.T) {
	oauth := &fakeOAuth{answer: func(n int, _ url.Values) (int, http.Header, string) {
		if n == 1 {
			return 429, http.Header{"Retry-After": {"42"}}, `{"error":"rate_limited","error_description":"once every 60 seconds"}`
		}
		return 200, nil, ""
	}}
	srv := oauth.start(t)
	s := &noSleep{}
	tok, err := newRefresh(t, srv.URL, t.TempDir(), "seed", newFakeClock(), s).Token(context.Background())
	if err != nil || tok != "access-2" {
		t.Fatalf("%q, %v", tok, err)
	}
	if d := s.all(); len(d) != 1 || d[0] != 42*time.Second {
		t.Fatalf("delays %v, want [42s]", d)
	}
	if oauth.form(1).Get("refresh_token") != "seed" {
		t.Fatal("the refused grant's token was not the one retried")
	}
}

func TestRefreshSourceThrottleExhaustedIsClear(t *testing.T) {
	oauth := &fakeOAuth{answer: func(int, url.Values) (int, http.Header, string) {
		return 429, http.Header{"Retry-After": {"1"}}, `{"error":"rate_limited","error_description":"retry in 1 seconds"}`
	}}
	srv := oauth.start(t)
	_, err := newRefresh(t, srv.URL, t.TempDir(), "seed", newFakeClock(), nil).Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "every 60 seconds") || !strings.Contains(err.Error(), "429") {
		t.Fatalf("got %v", err)
	}
}

func TestRefreshGrantIsNotReplayedAfterServerError(t *testing.T) {
	oauth := &fakeOAuth{answer: func(int, url.Values) (int, http.Header, string) {
		return 502, nil, `bad gateway refresh_token=leaked`
	}}
	srv := oauth.start(t)
	_, err := newRefresh(t, srv.URL, t.TempDir(), "seed", newFakeClock(), nil).Token(context.Background())
	if err == nil || oauth.count() != 1 {
		t.Fatalf("err %v, calls %d (want exactly 1)", err, oauth.count())
	}
	if strings.Contains(err.Error(), "leaked") {
		t.Fatalf("error carries a secret: %v", err)
	}
}

func TestRefreshSourceIgnoresCorruptCache(t *testing.T) {
	oauth := &fakeOAuth{}
	srv := oauth.start(t)
	dir := t.TempDir()
	if err := os.WriteFile(TokenCachePath(dir, srv.URL, "cid", "seed"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if tok, err := newRefresh(t, srv.URL, dir, "seed", newFakeClock(), nil).Token(context.Background()); err != nil || tok != "access-1" {
		t.Fatalf("%q, %v", tok, err)
	}
}

func TestNewRefreshSourceValidates(t *testing.T) {
	base := RefreshConfig{BaseURL: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s", RefreshToken: "r", CacheDir: t.TempDir()}
	for name, mut := range map[string]func(*RefreshConfig){
		"no client id":     func(c *RefreshConfig) { c.ClientID = "" },
		"no secret":        func(c *RefreshConfig) { c.ClientSecret = "" },
		"no refresh token": func(c *RefreshConfig) { c.RefreshToken = " " },
		"remote http":      func(c *RefreshConfig) { c.BaseURL = "http://api.outreach.io" },
		"unwritable dir":   func(c *RefreshConfig) { c.CacheDir = "/proc/outreach-cannot-be-here" },
	} {
		cfg := base
		mut(&cfg)
		if _, err := NewRefreshSource(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "s\"") {
			t.Errorf("%s: error quotes a secret: %v", name, err)
		}
	}
}

func TestTokenCachePath(t *testing.T) {
	a := TokenCachePath("/d", "https://api.outreach.io", "x", "r")
	if a != TokenCachePath("/d", "https://api.outreach.io/", "x", "r") {
		t.Error("a trailing slash changes the cache file")
	}
	for _, other := range []string{
		TokenCachePath("/d", "https://api.outreach.io", "y", "r"),
		TokenCachePath("/d", "https://other.example", "x", "r"),
		TokenCachePath("/d", "https://api.outreach.io", "x", "r2"),
	} {
		if a == other {
			t.Error("different clients, hosts or grants share a cache file")
		}
	}
	if filepath.Dir(a) != "/d" || !strings.HasPrefix(filepath.Base(a), "outreach-token-") || strings.Contains(filepath.Base(a), "r.") {
		t.Errorf("path %q", a)
	}
	if def := TokenCachePath("", "", "x", "r"); def != "" && !strings.Contains(def, cacheDirName) {
		t.Errorf("default path %q", def)
	}
}

// TestMain lets TestTokenCacheLockAcrossProcesses run this test binary as a second process that
// holds the token-cache lock, without a pseudo-test that would show up as skipped.
func TestMain(m *testing.M) {
	if path := os.Getenv("OUTREACH_TEST_HOLD_LOCK"); path != "" {
		holdLockUntilStdinCloses(path)
	}
	os.Exit(m.Run())
}

func holdLockUntilStdinCloses(path string) {
	unlock, err := lockTokenCache(context.Background(), path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin) // hold until stdin closes (or the process is killed)
	unlock()
	os.Exit(0)
}

func TestTokenCacheLockAcrossProcesses(t *testing.T) {
	for _, kill := range []bool{false, true} {
		t.Run(fmt.Sprintf("kill=%v", kill), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "OUTREACH_TEST_HOLD_LOCK="+path)
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if strings.TrimSpace(line) != "locked" {
				t.Fatalf("helper: %q", line)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if unlock, err := lockTokenCache(ctx, path); err == nil {
				unlock()
				t.Fatal("took a lock another process holds")
			}
			// Either a clean release or the holder's death frees the lock: no stale lock.
			if kill {
				_ = cmd.Process.Kill()
			} else {
				stdin.Close()
			}
			_ = cmd.Wait()
			ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel2()
			unlock, err := lockTokenCache(ctx2, path)
			if err != nil {
				t.Fatalf("lock not released: %v", err)
			}
			unlock()
		})
	}
}

func TestTokenCacheLockWithinProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := lockTokenCache(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := lockTokenCache(ctx, path); err == nil {
		t.Fatal("second lock in the same process succeeded")
	}
	unlock()
	unlock2, err := lockTokenCache(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
}

func TestStaticToken(t *testing.T) {
	if tok, err := StaticToken("abc").Token(context.Background()); tok != "abc" || err != nil {
		t.Fatal(tok, err)
	}
	if _, err := StaticToken("").Token(context.Background()); err == nil {
		t.Fatal("empty static token accepted")
	}
	if _, ok := StaticToken("abc").(InvalidatingTokenSource); ok {
		t.Fatal("a static token cannot mint again and must not claim to")
	}
}

// ---- S2S -------------------------------------------------------------------------------------

func testKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestS2SSourceSignsAndCaches(t *testing.T) {
	key := testKey(t)
	clock := newFakeClock()
	var calls int
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		calls++
		if r.URL.Path != "/api/app/installs/1001/actions/accessToken" || r.Method != http.MethodPost {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		var claims jwt.RegisteredClaims
		_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer("app-guid"), jwt.WithTimeFunc(clock.Now))
		if err != nil {
			w.WriteHeader(401)
			return
		}
		if claims.ExpiresAt.Sub(claims.IssuedAt.Time) != time.Hour || !claims.IssuedAt.Equal(clock.Now()) {
			t.Errorf("claims iat %v exp %v", claims.IssuedAt, claims.ExpiresAt)
		}
		writeDoc(w, 200, fmt.Sprintf(`{"data":{"meta":{"accessToken":"s2s-%d","expiresAt":%q}}}`, n, clock.Now().Add(time.Hour).Format(time.RFC3339)))
	})
	src, err := NewS2SSource(S2SConfig{BaseURL: api.URL, AppID: "app-guid", InstallID: "1001", PrivateKey: key, Now: clock.Now, Policy: testPolicy(&noSleep{})})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		if tok, err := src.Token(ctx); err != nil || tok != "s2s-1" {
			t.Fatalf("%q, %v", tok, err)
		}
	}
	clock.Advance(59 * time.Minute) // within the expiry skew
	if tok, _ := src.Token(ctx); tok != "s2s-2" {
		t.Fatalf("token near expiry not renewed: %q", tok)
	}
	inv, ok := src.(InvalidatingTokenSource)
	if !ok {
		t.Fatal("the S2S source cannot be invalidated")
	}
	inv.Invalidate("s2s-2")
	if tok, _ := src.Token(ctx); tok != "s2s-3" || calls != 3 {
		t.Fatalf("after invalidate: %q, calls %d", tok, calls)
	}
}

func TestS2SSourceRejectedKeyIsClear(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeDoc(w, 401, `{"errors":[{"id":"unauthorized","title":"Unauthorized","detail":"invalid app token: token signature is invalid"}]}`)
	})
	src, err := NewS2SSource(S2SConfig{BaseURL: api.URL, AppID: "a", InstallID: "1", PrivateKey: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "signature is invalid") || !strings.Contains(err.Error(), "private key") {
		t.Fatalf("got %v", err)
	}
}

func TestNewS2SSourceValidates(t *testing.T) {
	k := testKey(t)
	for name, cfg := range map[string]S2SConfig{
		"no app id":     {InstallID: "1", PrivateKey: k},
		"no install id": {AppID: "a", PrivateKey: k},
		"no key":        {AppID: "a", InstallID: "1"},
		"remote http":   {BaseURL: "http://example.com", AppID: "a", InstallID: "1", PrivateKey: k},
	} {
		if _, err := NewS2SSource(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParsePrivateKey(t *testing.T) {
	key := testKey(t)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	der8, _ := x509.MarshalPKCS8PrivateKey(key)
	pkcs8 := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der8}))
	file := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(file, []byte(pkcs8), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"pkcs1":           pkcs1,
		"pkcs8":           pkcs8,
		"path":            file,
		"escaped newline": strings.ReplaceAll(strings.TrimSpace(pkcs1), "\n", `\n`),
		"after a cert":    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + pkcs8,
	} {
		got, err := ParsePrivateKey(in)
		if err != nil || !got.Equal(key) {
			t.Errorf("%s: %v", name, err)
		}
	}

	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	secretish := "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
	for name, in := range map[string]string{
		"empty":        "",
		"ec key":       string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})),
		"public key":   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		"encrypted":    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + secretish + "\n-----END ENCRYPTED PRIVATE KEY-----\n",
		"bad pkcs1":    "-----BEGIN RSA PRIVATE KEY-----\n" + secretish + "\n-----END RSA PRIVATE KEY-----\n",
		"bare base64":  secretish,
		"multi-line":   secretish + "\n" + secretish,
		"no such file": filepath.Join(t.TempDir(), "missing.pem"),
	} {
		_, err := ParsePrivateKey(in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), secretish[10:30]) {
			t.Errorf("%s: error echoes the input: %v", name, err)
		}
	}
}
