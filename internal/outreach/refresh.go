package outreach

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// RefreshConfig configures the rotating refresh-token source (contract section 4).
type RefreshConfig struct {
	// BaseURL is the Outreach host; default DefaultBaseURL. The token endpoint is BaseURL/oauth/token.
	BaseURL string
	// ClientID, ClientSecret and RedirectURI are those of the OAuth client that obtained the grant.
	ClientID, ClientSecret, RedirectURI string
	// RefreshToken is the configured grant. Outreach rotates refresh tokens on every use, so after
	// the first mint the newest one lives in the cache file and this value only seeds the chain.
	RefreshToken string
	// CacheDir holds the token cache; "" = filepath.Join(os.UserCacheDir(), "terraform-provider-outreach").
	CacheDir string
	// HTTPClient is the transport; nil = default.
	HTTPClient *http.Client
	// Policy is the shared retry and logging policy.
	Policy httpx.Policy
	// Now is the clock; nil = time.Now.
	Now func() time.Time
}

// cacheDirName is the folder under the user cache directory.
const cacheDirName = "terraform-provider-outreach"

// defaultAccessTokenLifetime is Outreach's documented access token lifetime, used when a token
// response has no expires_in.
const defaultAccessTokenLifetime = 7200 * time.Second

// DefaultCacheDir returns filepath.Join(os.UserCacheDir(), "terraform-provider-outreach"), the
// directory used when RefreshConfig.CacheDir is empty.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cannot determine the user cache directory (%v); set a token cache directory explicitly", err)
	}
	return filepath.Join(d, cacheDirName), nil
}

// TokenCachePath is where the token cache of one grant lives: a file in cacheDir ("" =
// DefaultCacheDir) named from a SHA-256 of the base URL, the client id and the configured
// (seed) refresh token. One OAuth client often serves several grants (two Outreach orgs or users
// behind one app, as two provider aliases or two workspaces sharing the directory); each grant
// rotates its own chain, so each gets its own file, and no run ever overwrites another grant's
// newest refresh token. The name is a hash, never the token. The file holds the newest refresh
// token and the current access token (never the client secret) and is readable by its owner
// only. It returns "" when cacheDir is empty and the user cache directory is unknown.
func TokenCachePath(cacheDir, baseURL, clientID, refreshToken string) string {
	if cacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return ""
		}
		cacheDir = d
	}
	if b, _, err := normalizeBaseURL(baseURL); err == nil {
		baseURL = b
	}
	sum := sha256.Sum256([]byte("grant\x00" + baseURL + "\x00" + clientID + "\x00" + refreshToken))
	return filepath.Join(cacheDir, "outreach-token-"+hex.EncodeToString(sum[:12])+".json")
}

// legacyTokenCachePath is where versions before the per-grant cache kept the one chain of an OAuth
// client. It is read once, to carry a grant's rotated token over (its seed may have expired
// since), and never written.
func legacyTokenCachePath(cacheDir, baseURL, clientID string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + clientID))
	return filepath.Join(cacheDir, "outreach-token-"+hex.EncodeToString(sum[:12])+".json")
}

// NewRefreshSource returns a token source for a rotating OAuth refresh token. It persists the
// chain in the cache file TokenCachePath(cfg.CacheDir, cfg.BaseURL, cfg.ClientID,
// cfg.RefreshToken), one per grant, so that:
//   - a rotated refresh token is never lost between runs (the old one dies after 14 days or 100
//     newer tokens);
//   - a still-valid access token is reused by later processes, which keeps `terraform plan`
//     followed by `apply` clear of Outreach's one-mint-per-60-seconds throttle;
//   - several provider processes sharing the directory mint once, under an exclusive file lock
//     held across read-cache → mint → write-cache.
//
// A newly configured RefreshToken is a new grant with a file of its own: it never replaces the
// chain of another grant, which may be in use by another alias or workspace.
//
// The source implements InvalidatingTokenSource.
func NewRefreshSource(cfg RefreshConfig) (TokenSource, error) {
	base, _, err := normalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, v string }{
		{"client id", cfg.ClientID}, {"client secret", cfg.ClientSecret}, {"refresh token", cfg.RefreshToken},
	} {
		if strings.TrimSpace(f.v) == "" {
			return nil, fmt.Errorf("outreach OAuth: the %s is empty", f.name)
		}
	}
	dir := cfg.CacheDir
	if dir == "" {
		if dir, err = DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	// Create the directory and the lock file now, so that an unwritable cache directory fails
	// before a refresh token is spent rather than after.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("outreach OAuth: creating the token cache directory: %w", err)
	}
	path := TokenCachePath(dir, base, cfg.ClientID, cfg.RefreshToken)
	lf, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("outreach OAuth: the token cache directory is not writable: %w", err)
	}
	_ = lf.Close()
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &refreshSource{
		cfg:      cfg,
		base:     base,
		endpoint: base + "/oauth/token",
		path:     path,
		legacy:   legacyTokenCachePath(dir, base, cfg.ClientID),
		http:     httpx.New(cfg.HTTPClient, cfg.Policy),
		now:      now,
	}, nil
}

type refreshSource struct {
	cfg      RefreshConfig
	base     string
	endpoint string
	path     string
	legacy   string // the pre-per-grant cache file, read when path does not exist yet
	http     *httpx.Client
	now      func() time.Time

	// mu serializes Token and Invalidate within this source; the cross-process (and cross-source)
	// exclusion is the cache lock.
	mu      sync.Mutex
	access  string
	expires time.Time
	// invalid is the last access token the API refused: it must not be taken from the cache again
	// (another process may not have noticed yet that it no longer works).
	invalid string
}

// tokenCache is the cache file's content. It holds secrets (the refresh and access tokens) and is
// therefore written with mode 0600; the configured refresh token is kept only as a hash, because
// it is needed just to recognise a new grant, and the client secret is never written.
type tokenCache struct {
	Version      int       `json:"version"`
	BaseURL      string    `json:"base_url"`
	ClientID     string    `json:"client_id"`
	SeedSHA256   string    `json:"seed_sha256"`
	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at"`
}

const tokenCacheVersion = 1

func seedHash(refreshToken string) string {
	sum := sha256.Sum256([]byte(refreshToken))
	return hex.EncodeToString(sum[:])
}

func (s *refreshSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != "" && s.fresh(s.expires) {
		return s.access, nil
	}
	unlock, err := lockTokenCache(ctx, s.path+".lock")
	if err != nil {
		return "", err
	}
	defer unlock()

	cache, err := readTokenCache(s.path)
	if err != nil {
		// A damaged cache is not fatal: the configured token starts a new chain. It is logged
		// because a rotated refresh token may have been lost with it.
		logf(ctx, s.cfg.Policy, "ignoring an unreadable Outreach token cache", map[string]any{"path": s.path, "error": err.Error()})
		cache = nil
	}
	if cache == nil && err == nil {
		// No chain of this grant yet: an older version may have kept it in the per-client file.
		// Only a chain of this very grant is taken over; the file is left for other grants.
		if old, lerr := readTokenCache(s.legacy); lerr == nil && old != nil && (old.SeedSHA256 == seedHash(s.cfg.RefreshToken) || old.RefreshToken == s.cfg.RefreshToken) {
			logf(ctx, s.cfg.Policy, "carrying the Outreach token chain over from the per-client cache file", nil)
			cache = old
		}
	}
	seed := seedHash(s.cfg.RefreshToken)
	refresh := s.cfg.RefreshToken
	if cache != nil && cache.BaseURL == s.base && cache.ClientID == s.cfg.ClientID &&
		(cache.SeedSHA256 == seed || cache.RefreshToken == s.cfg.RefreshToken) && cache.RefreshToken != "" {
		if cache.AccessToken != "" && cache.AccessToken != s.invalid && s.fresh(cache.ExpiresAt) {
			logf(ctx, s.cfg.Policy, "reusing the cached Outreach access token", map[string]any{
				"expires_at": cache.ExpiresAt.UTC().Format(time.RFC3339),
			})
			s.access, s.expires = cache.AccessToken, cache.ExpiresAt
			return s.access, nil
		}
		refresh = cache.RefreshToken
	} else {
		if cache != nil {
			// Only a damaged or hand-copied file gets here, since the file is named by the seed.
			logf(ctx, s.cfg.Policy, "the Outreach token cache belongs to another grant; starting the chain from the configured refresh token", nil)
		}
		cache = &tokenCache{SeedSHA256: seed}
	}

	tr, err := s.mint(ctx, refresh)
	if err != nil {
		return "", err
	}
	if tr.RefreshToken != "" {
		cache.RefreshToken = tr.RefreshToken
	} else {
		cache.RefreshToken = refresh
	}
	cache.Version = tokenCacheVersion
	cache.BaseURL, cache.ClientID = s.base, s.cfg.ClientID
	cache.AccessToken, cache.ExpiresAt, cache.UpdatedAt = tr.AccessToken, tr.ExpiresAt, s.now().UTC()
	if err := writeTokenCache(s.path, cache); err != nil {
		// The directory was writable when the source was made, so this is rare (a full disk).
		// The minted token is still good for this run and the previous refresh token stays valid
		// for a while, so the run goes on; the log says why the next one may have to start over.
		logf(ctx, s.cfg.Policy, "could not persist the rotated Outreach refresh token", map[string]any{"path": s.path, "error": err.Error()})
	}
	s.access, s.expires = tr.AccessToken, tr.ExpiresAt
	return s.access, nil
}

func (s *refreshSource) Invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalid = token
	if s.access == token {
		s.access, s.expires = "", time.Time{}
	}
}

// fresh says whether a token expiring at exp may still be used.
func (s *refreshSource) fresh(exp time.Time) bool {
	return s.now().Add(expirySkew).Before(exp)
}

// CachePath returns the cache file this source uses.
func (s *refreshSource) CachePath() string { return s.path }

type tokenResult struct {
	AccessToken, RefreshToken string
	ExpiresAt                 time.Time
}

const oauthEndpointName = "Outreach OAuth token endpoint"

// mint runs the refresh grant. The request is a non-idempotent POST for httpx: the grant rotates
// the refresh token, so replaying it after a lost answer would spend a token whose successor was
// never seen. httpx still retries a 429 (the request was refused, nothing rotated) after its
// Retry-After, and a dial error (nothing was sent).
func (s *refreshSource) mint(ctx context.Context, refresh string) (tokenResult, error) {
	form := url.Values{}
	form.Set("grant_type", "refresh_token")
	form.Set("client_id", s.cfg.ClientID)
	form.Set("client_secret", s.cfg.ClientSecret)
	if s.cfg.RedirectURI != "" {
		form.Set("redirect_uri", s.cfg.RedirectURI)
	}
	form.Set("refresh_token", refresh)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Accept", "application/json")
	started := s.now()
	resp, err := s.http.Do(ctx, &httpx.Request{
		Method: http.MethodPost, URL: s.endpoint, Header: h, Body: []byte(form.Encode()),
	})
	if err != nil {
		return tokenResult{}, fmt.Errorf("%s: %w", oauthEndpointName, err)
	}
	if resp.StatusCode != http.StatusOK {
		return tokenResult{}, s.tokenError(resp)
	}
	var body struct {
		AccessToken  string  `json:"access_token"`
		RefreshToken string  `json:"refresh_token"`
		ExpiresIn    flexInt `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.AccessToken == "" {
		return tokenResult{}, fmt.Errorf("%s: the answer has no access_token", oauthEndpointName)
	}
	// The lifetime counts from when the request was sent, which errs on the early side.
	life := time.Duration(body.ExpiresIn) * time.Second
	if life <= 0 {
		life = defaultAccessTokenLifetime
	}
	exp := started.Add(life)
	logf(ctx, s.cfg.Policy, "minted an Outreach access token from the refresh token", map[string]any{
		"expires_at": exp.UTC().Format(time.RFC3339), "rotated": body.RefreshToken != "" && body.RefreshToken != refresh,
	})
	return tokenResult{AccessToken: body.AccessToken, RefreshToken: body.RefreshToken, ExpiresAt: exp}, nil
}

func (s *refreshSource) tokenError(resp *httpx.Response) error {
	e := decodeTokenEndpointError(oauthEndpointName, resp.StatusCode, resp.Body)
	switch {
	case e.Code == "invalid_grant":
		e.Hint = "the refresh token is invalid or expired (refresh tokens last 14 days, or until 100 newer ones exist): " +
			"obtain a new refresh token through the OAuth authorization-code flow and set it in the provider configuration " +
			"(a new token starts a chain of its own in " + filepath.Dir(s.path) + "); if the token is new, check the client id, " +
			"client secret and redirect URI, which Outreach also reports as invalid_grant"
	case e.Code == "invalid_client" || e.Code == "unauthorized_client":
		e.Hint = "check the OAuth client id, client secret and redirect URI"
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Hint = "Outreach allows one access token per user every 60 seconds and the retries ran out; wait a minute and try again " +
			"(provider processes that share the token cache directory reuse each other's tokens)"
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized:
		e.Hint = "check the OAuth client id, client secret, redirect URI and refresh token"
	}
	return e
}

// readTokenCache returns the cache, nil when there is none.
func readTokenCache(path string) (*tokenCache, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c tokenCache
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, errors.New("the token cache is not valid JSON")
	}
	if c.Version != tokenCacheVersion {
		return nil, fmt.Errorf("unknown token cache version %d", c.Version)
	}
	return &c, nil
}

// writeTokenCache replaces the cache atomically: a reader (another process, after taking the
// lock) sees the old file or the new one, never a torn write that would lose the refresh token.
func writeTokenCache(path string, c *tokenCache) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".outreach-token-*.tmp") // created 0600
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	// Sync before rename: otherwise a crash can leave the new name pointing at an empty file.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(name, path)
}
