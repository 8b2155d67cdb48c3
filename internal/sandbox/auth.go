package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Fixed credentials of the sandbox (DESIGN.md, "Sandbox").
const (
	// StaticAccessToken is the Outreach token with scopes plugins.all and prospects.all (user 1).
	// It never expires.
	StaticAccessToken = "sandbox-outreach-token"
	// ReadOnlyAccessToken is the Outreach token with scope plugins.read only (user 2).
	ReadOnlyAccessToken = "sandbox-readonly-token"
	// OversightAccessToken is the Outreach token with scopes auditLogs.read and sequences.read
	// only (user 3): what watching the plugin from the public API needs, and nothing else.
	OversightAccessToken = "sandbox-oversight-token"
	// OAuthClientID, OAuthClientSecret and OAuthRedirectURI identify the sandbox's OAuth client.
	OAuthClientID     = "sandbox-client"
	OAuthClientSecret = "sandbox-secret"
	OAuthRedirectURI  = "https://localhost/callback"
	// SeedRefreshToken is the first refresh token of user 1; every refresh returns a new one.
	SeedRefreshToken = "sandbox-refresh-token"
	// SecondSeedRefreshToken is the first refresh token of user 5, another Outreach user who
	// authorized the same OAuth client: two grants behind one app, each with its own rotation.
	SecondSeedRefreshToken = "sandbox-refresh-token-user-5"
	// S2SAppID is the S2S GUID the app JWT must carry as iss; S2SInstallID its installation.
	S2SAppID     = "sandbox-s2s-app"
	S2SInstallID = 1001
	// DynamicsAccessToken is the static Dataverse bearer token.
	DynamicsAccessToken = "sandbox-dynamics-token"
	// AzureTenantID, AzureClientID and AzureClientSecret are the Entra ID app the emulated
	// authority accepts for the client-credentials flow.
	AzureTenantID     = "00000000-0000-0000-0000-0000000000aa"
	AzureClientID     = "sandbox-azure-client"
	AzureClientSecret = "sandbox-azure-secret"

	sandboxUserID   = int64(1)
	readOnlyUserID  = int64(2)
	oversightUserID = int64(3)
	uiAdminUserID   = int64(4) // the administrator working in the Outreach UI (ui.go)
	secondUserID    = int64(5) // a second user who authorized the same OAuth client

	scopeRead   = "plugins.read"
	scopeWrite  = "plugins.write"
	scopeDelete = "plugins.delete"
	scopeAll    = "plugins.all"
	// scopeProspectsAll covers the prospect API the runtime simulation adds (prospects.read,
	// .write, .delete); scopes stay per resource, so plugins.all grants no prospect access.
	scopeProspectsAll = "prospects.all"

	accessTokenTTL   = 7200 * time.Second
	s2sTokenTTL      = time.Hour
	refreshTokenTTL  = 14 * 24 * time.Hour
	refreshTokenKeep = 100 // a refresh token dies once this many newer ones exist
	mintInterval     = 60 * time.Second
	rateLimit        = 10000
	rateWindowLength = time.Hour
)

// accessToken is a token minted by /oauth/token or the S2S exchange.
type accessToken struct {
	UserID    int64     `json:"user_id,omitempty"`
	InstallID int64     `json:"install_id,omitempty"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expires_at"`
}

type refreshToken struct {
	UserID    int64     `json:"user_id"`
	Seq       int64     `json:"seq"` // ordinal among the user's refresh tokens, from 1
	CreatedAt time.Time `json:"created_at"`
}

// rateWindow is a fixed one-hour window that opens with the first request of a principal.
type rateWindow struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

// principal is who a request acts as.
type principal struct {
	rateKey string // the rate limit is per user; an S2S token has no user, so per install
	scopes  []string
	// userID (0 for an S2S token) and installID name the principal in audit entries; viaUI marks
	// the administrator of ui.go.
	userID, installID int64
	viaUI             bool
}

// has reports whether the principal holds scope, or the ".all" scope of the same resource
// (contract §1: "all" is read, write and delete; nothing else implies anything).
func (p *principal) has(scope string) bool {
	resource, _, _ := strings.Cut(scope, ".")
	for _, s := range p.scopes {
		if s == scope || s == resource+".all" {
			return true
		}
	}
	return false
}

var staticTokens = map[string]accessToken{
	StaticAccessToken:    {UserID: sandboxUserID, Scopes: []string{scopeAll, scopeProspectsAll}},
	ReadOnlyAccessToken:  {UserID: readOnlyUserID, Scopes: []string{scopeRead}},
	OversightAccessToken: {UserID: oversightUserID, Scopes: []string{"auditLogs.read", "sequences.read"}},
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate resolves the bearer token; nil means 401. Caller holds s.mu.
func (s *Server) authenticate(r *http.Request, now time.Time) *principal {
	tok := bearer(r)
	if tok == "" {
		return nil
	}
	at, ok := staticTokens[tok]
	if !ok {
		p := s.st.AccessTokens[tok]
		if p == nil || !now.Before(p.ExpiresAt) {
			return nil
		}
		at = *p
	}
	key := "user:" + itoa(at.UserID)
	if at.UserID == 0 {
		key = "install:" + itoa(at.InstallID)
	}
	return &principal{rateKey: key, scopes: at.Scopes, userID: at.UserID, installID: at.InstallID}
}

// hitRateLimit counts one request against the principal's window and sets the X-RateLimit-*
// headers. It reports false when the request is over the limit. Caller holds s.mu.
func (s *Server) hitRateLimit(h http.Header, key string, now time.Time) (ok bool, retryAfter int) {
	w := s.st.RateWindows[key]
	if w == nil || !now.Before(w.Start.Add(rateWindowLength)) {
		w = &rateWindow{Start: now}
		s.st.RateWindows[key] = w
	}
	w.Count++
	reset := ceilSeconds(w.Start.Add(rateWindowLength).Sub(now))
	remaining := max(rateLimit-w.Count, 0)
	setRateHeaders(h, remaining, reset)
	return w.Count <= rateLimit, reset
}

func setRateHeaders(h http.Header, remaining, reset int) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(reset))
}

// setFreshRateHeaders is for responses that run as nobody (401s, token endpoints): the contract
// wants the headers on every response, and nobody has used any of their budget.
func setFreshRateHeaders(h http.Header) {
	setRateHeaders(h, rateLimit, int(rateWindowLength/time.Second))
}

func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}

// writeUnauthorized answers like the real API's edge does: a plain-text body, not JSON:API
// (facts §1.3), which is exactly what the contract warns clients about.
func writeUnauthorized(w http.ResponseWriter) {
	setFreshRateHeaders(w.Header())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte("Invalid access token"))
}

// oauthError is the RFC 6749 error body the token endpoint uses; it is not a JSON:API endpoint.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, "application/json; charset=utf-8", map[string]string{"error": code, "error_description": desc})
}

const invalidGrantDescription = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."

// oauthParams reads the token request from a form-encoded or a JSON body; the public endpoint
// takes both.
func oauthParams(r *http.Request) (map[string]string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	out := map[string]string{}
	if mt == "application/json" {
		var raw map[string]any
		dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("the request body is not a JSON object: %v", err)
		}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				out[k] = v
			case float64:
				out[k] = strconv.FormatFloat(v, 'f', -1, 64)
			default:
				return nil, fmt.Errorf("parameter %q must be a string", k)
			}
		}
		return out, nil
	}
	if mt != "application/x-www-form-urlencoded" {
		return nil, errors.New("the body must be application/x-www-form-urlencoded or application/json")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k := range r.PostForm {
		out[k] = r.PostForm.Get(k)
	}
	return out, nil
}

// serveOAuthToken is POST /oauth/token, refresh_token grant only (the sandbox has no browser
// to run the authorization-code step; the seed refresh token stands for its result).
func (s *Server) serveOAuthToken(w http.ResponseWriter, r *http.Request) {
	setFreshRateHeaders(w.Header())
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	p, err := oauthParams(r)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if id, secret, ok := r.BasicAuth(); ok { // RFC 6749 §2.3.1 client_secret_basic
		p["client_id"], p["client_secret"] = id, secret
	}
	switch p["grant_type"] {
	case "refresh_token":
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request is missing a required parameter: grant_type.")
		return
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	// The contract answers every credential problem with 400 invalid_grant (not RFC 6749's 401
	// invalid_client), so a client only has one failure shape to recognise.
	if p["client_id"] != OAuthClientID || p["client_secret"] != OAuthClientSecret {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Client authentication failed: unknown client or wrong client secret.")
		return
	}
	if p["redirect_uri"] != OAuthRedirectURI {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", invalidGrantDescription)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	rt := s.st.RefreshTokens[p["refresh_token"]]
	if rt == nil || !s.refreshTokenAlive(rt, now) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", invalidGrantDescription)
		return
	}
	// "An application can only retrieve an access token for a user once every 60 seconds"
	// (facts §1.4). The body keeps the endpoint's OAuth error shape rather than JSON:API: the
	// token endpoint is the OAuth server, not the JSON:API application, and a client already
	// parses {"error", "error_description"} from it.
	if last, ok := s.st.LastMint[rt.UserID]; ok && now.Sub(last) < mintInterval {
		wait := ceilSeconds(mintInterval - now.Sub(last))
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeOAuthError(w, http.StatusTooManyRequests, "rate_limited",
			fmt.Sprintf("An access token can be retrieved for a user only once every 60 seconds; retry in %d seconds.", wait))
		return
	}
	s.st.LastMint[rt.UserID] = now
	access := randomToken()
	s.st.AccessTokens[access] = &accessToken{UserID: rt.UserID, Scopes: []string{scopeAll}, ExpiresAt: now.Add(accessTokenTTL)}
	refresh := randomToken()
	s.st.addRefreshToken(refresh, rt.UserID, now)
	s.st.pruneTokens(now)
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"access_token":  access,
		"token_type":    "bearer",
		"expires_in":    int(accessTokenTTL / time.Second),
		"refresh_token": refresh,
		"scope":         scopeAll,
		"created_at":    now.Unix(),
	})
}

// refreshTokenAlive applies the rotation rule: 14 days, or until 100 newer tokens exist.
func (s *Server) refreshTokenAlive(rt *refreshToken, now time.Time) bool {
	newer := s.st.RefreshIssued[rt.UserID] - rt.Seq
	return newer < refreshTokenKeep && now.Before(rt.CreatedAt.Add(refreshTokenTTL))
}

func (st *state) addRefreshToken(tok string, user int64, now time.Time) {
	st.RefreshIssued[user]++
	st.RefreshTokens[tok] = &refreshToken{UserID: user, Seq: st.RefreshIssued[user], CreatedAt: now}
}

// pruneTokens drops tokens that can never be valid again, so state.json does not grow forever.
func (st *state) pruneTokens(now time.Time) {
	for k, t := range st.AccessTokens {
		if !now.Before(t.ExpiresAt) {
			delete(st.AccessTokens, k)
		}
	}
	for k, t := range st.RefreshTokens {
		if st.RefreshIssued[t.UserID]-t.Seq >= refreshTokenKeep || !now.Before(t.CreatedAt.Add(refreshTokenTTL)) {
			delete(st.RefreshTokens, k)
		}
	}
}

// serveS2S is POST /api/app/installs/<installId>/actions/accessToken.
func (s *Server) serveS2S(w http.ResponseWriter, r *http.Request, installID string) {
	setFreshRateHeaders(w.Header())
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodPost)
		return
	}
	if s.opts.S2SPublicKey == nil || installID != strconv.Itoa(S2SInstallID) {
		writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: fmt.Sprintf("installation %q not found", installID)})
		return
	}
	now := s.Now()
	if err := s.verifyAppToken(bearer(r), now); err != nil {
		// JSON:API rather than plain text here: the reason (signature, expiry, issuer) is what
		// someone setting up S2S needs to see, and clients cope with either body on a 401.
		writeErrors(w, http.StatusUnauthorized, apiError{ID: "unauthorized", Title: "Unauthorized", Detail: "invalid app token: " + err.Error()})
		return
	}
	s.mu.Lock()
	access := randomToken()
	exp := now.Add(s2sTokenTTL)
	s.st.AccessTokens[access] = &accessToken{InstallID: S2SInstallID, Scopes: []string{scopeAll}, ExpiresAt: exp}
	s.st.pruneTokens(now)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, jsonAPIMediaType, map[string]any{
		"data": map[string]any{"meta": map[string]any{"accessToken": access, "expiresAt": formatTime(exp)}},
	})
}

// verifyAppToken checks the app JWT: RS256 with the app's key, iss = the S2S GUID, iat and exp
// present, exp at most one hour after iat and not past on the sandbox clock. A future iat is not
// rejected: the sandbox clock only ever runs ahead of the client's, never behind.
func (s *Server) verifyAppToken(raw string, now time.Time) error {
	if raw == "" {
		return errors.New("missing bearer token")
	}
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return s.opts.S2SPublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(S2SAppID),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return err
	}
	if claims.IssuedAt == nil {
		return errors.New("claim iat is required")
	}
	if claims.ExpiresAt.Sub(claims.IssuedAt.Time) > time.Hour {
		return errors.New("exp must be at most 3600 seconds after iat")
	}
	return nil
}
