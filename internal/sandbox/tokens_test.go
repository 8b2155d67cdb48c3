package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	CreatedAt    int64  `json:"created_at"`
}

func refreshForm(refresh string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {OAuthClientID}, "client_secret": {OAuthClientSecret},
		"redirect_uri": {OAuthRedirectURI}, "refresh_token": {refresh}}
}

func postForm(t *testing.T, s *Server, form url.Values) response {
	t.Helper()
	return call(t, s, http.MethodPost, "/oauth/token", "", form.Encode(), "application/x-www-form-urlencoded")
}

// mintRefresh exchanges a refresh token and fails the test unless it worked.
func mintRefresh(t *testing.T, s *Server, refresh string) tokenResponse {
	t.Helper()
	r := postForm(t, s, refreshForm(refresh))
	mustStatus(t, r, http.StatusOK)
	var tr tokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func oauthErrorOf(t *testing.T, r response) string {
	t.Helper()
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Description == "" {
		t.Fatalf("not an OAuth error body: %s", r.body)
	}
	return e.Error
}

func TestRefreshTokenRotation(t *testing.T) {
	s := startSandbox(t, Options{})
	first := mintRefresh(t, s, SeedRefreshToken)
	if first.TokenType != "bearer" || first.ExpiresIn != 7200 || first.Scope != scopeAll || first.AccessToken == "" ||
		first.RefreshToken == "" || first.RefreshToken == SeedRefreshToken || first.CreatedAt != s.Now().Unix() {
		t.Fatalf("token response %+v", first)
	}
	mustStatus(t, call(t, s, http.MethodGet, "/api/v2/plugins", first.AccessToken, nil, ""), http.StatusOK)

	// A second mint for the same user within 60 s is throttled, whichever refresh token it uses.
	r := postForm(t, s, refreshForm(first.RefreshToken))
	if r.status != http.StatusTooManyRequests || oauthErrorOf(t, r) != "rate_limited" || r.header.Get("Retry-After") != "60" {
		t.Fatalf("second mint: %d %s Retry-After=%q", r.status, r.body, r.header.Get("Retry-After"))
	}
	s.AdvanceClock(59 * time.Second)
	if r := postForm(t, s, refreshForm(first.RefreshToken)); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Fatalf("at 59 s: %d Retry-After=%q", r.status, r.header.Get("Retry-After"))
	}
	s.AdvanceClock(time.Second)

	// JSON bodies work as well as forms.
	body, _ := json.Marshal(map[string]string{"grant_type": "refresh_token", "client_id": OAuthClientID, "client_secret": OAuthClientSecret,
		"redirect_uri": OAuthRedirectURI, "refresh_token": first.RefreshToken})
	r = call(t, s, http.MethodPost, "/oauth/token", "", string(body), "application/json")
	mustStatus(t, r, http.StatusOK)
	var second tokenResponse
	_ = json.Unmarshal(r.body, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate")
	}
	// An older refresh token stays valid (14 days / 100 newer tokens), and so does the first
	// access token until it expires.
	s.AdvanceClock(time.Minute)
	third := mintRefresh(t, s, first.RefreshToken)
	mustStatus(t, call(t, s, http.MethodGet, "/api/v2/plugins", first.AccessToken, nil, ""), http.StatusOK)

	// Access tokens expire after 7200 s on the sandbox clock.
	s.AdvanceClock(2 * time.Hour)
	if r := call(t, s, http.MethodGet, "/api/v2/plugins", third.AccessToken, nil, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("expired access token: %d", r.status)
	}

	// Refresh tokens die after 14 days.
	s.AdvanceClock(14 * 24 * time.Hour)
	if r := postForm(t, s, refreshForm(third.RefreshToken)); r.status != http.StatusBadRequest || oauthErrorOf(t, r) != "invalid_grant" {
		t.Fatalf("14-day-old refresh token: %d %s", r.status, r.body)
	}
}

func TestRefreshTokenDiesAfter100Newer(t *testing.T) {
	s := startSandbox(t, Options{})
	oldest := mintRefresh(t, s, SeedRefreshToken)
	cur := oldest
	for i := 0; i < 99; i++ {
		s.AdvanceClock(time.Minute)
		cur = mintRefresh(t, s, cur.RefreshToken)
	}
	// 99 newer tokens exist: the oldest still works (and makes the 100th).
	s.AdvanceClock(time.Minute)
	mintRefresh(t, s, oldest.RefreshToken)
	s.AdvanceClock(time.Minute)
	if r := postForm(t, s, refreshForm(oldest.RefreshToken)); r.status != http.StatusBadRequest || oauthErrorOf(t, r) != "invalid_grant" {
		t.Fatalf("refresh token with 100 newer ones: %d %s", r.status, r.body)
	}
	mintRefresh(t, s, cur.RefreshToken)
}

func TestRefreshTokenBadRequests(t *testing.T) {
	s := startSandbox(t, Options{})
	mod := func(k, v string) url.Values {
		f := refreshForm(SeedRefreshToken)
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		name string
		form url.Values
		code string
	}{
		{"wrong client secret", mod("client_secret", "nope"), "invalid_grant"},
		{"unknown client", mod("client_id", "someone-else"), "invalid_grant"},
		{"wrong redirect uri", mod("redirect_uri", "https://evil.example/cb"), "invalid_grant"},
		{"unknown refresh token", mod("refresh_token", "forged"), "invalid_grant"},
		{"unsupported grant", mod("grant_type", "client_credentials"), "unsupported_grant_type"},
		{"missing grant", mod("grant_type", ""), "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := postForm(t, s, tc.form)
			if r.status != http.StatusBadRequest || oauthErrorOf(t, r) != tc.code {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	// None of the failures counted as a mint: the good request is not throttled.
	mintRefresh(t, s, SeedRefreshToken)
}

func signAppToken(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestS2SAccessToken(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := startSandbox(t, Options{S2SPublicKey: &key.PublicKey})
	const path = "/api/app/installs/1001/actions/accessToken"
	now := s.Now()
	good := jwt.MapClaims{"iss": S2SAppID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}

	r := call(t, s, http.MethodPost, path, signAppToken(t, key, good), nil, "")
	mustStatus(t, r, http.StatusOK)
	var out struct {
		Data struct {
			Meta struct {
				AccessToken string `json:"accessToken"`
				ExpiresAt   string `json:"expiresAt"`
			} `json:"meta"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Data.Meta.AccessToken == "" {
		t.Fatalf("body %s", r.body)
	}
	exp, err := time.Parse(time.RFC3339, out.Data.Meta.ExpiresAt)
	if err != nil || exp.Sub(now) < 59*time.Minute || exp.Sub(now) > time.Hour+time.Second {
		t.Fatalf("expiresAt %q", out.Data.Meta.ExpiresAt)
	}
	tok := out.Data.Meta.AccessToken
	mustStatus(t, call(t, s, http.MethodGet, "/api/v2/pluginObjects", tok, nil, ""), http.StatusOK)
	mustStatus(t, call(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", tok, mappingDoc("contact", "optedOut", "donotemail", nil), ""), http.StatusCreated)

	for _, tc := range []struct {
		name  string
		token string
	}{
		{"signed by another key", signAppToken(t, other, good)},
		{"wrong issuer", signAppToken(t, key, jwt.MapClaims{"iss": "someone", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})},
		{"expired", signAppToken(t, key, jwt.MapClaims{"iss": S2SAppID, "iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()})},
		{"lives longer than an hour", signAppToken(t, key, jwt.MapClaims{"iss": S2SAppID, "iat": now.Unix(), "exp": now.Add(2 * time.Hour).Unix()})},
		{"no iat", signAppToken(t, key, jwt.MapClaims{"iss": S2SAppID, "exp": now.Add(time.Hour).Unix()})},
		{"no exp", signAppToken(t, key, jwt.MapClaims{"iss": S2SAppID, "iat": now.Unix()})},
		{"HS256", func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, good).SignedString([]byte("secret"))
			return s
		}()},
		{"missing", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := call(t, s, http.MethodPost, path, tc.token, nil, ""); r.status != http.StatusUnauthorized {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	// A good app token expires on the sandbox clock, and so does the access token it bought.
	s.AdvanceClock(61 * time.Minute)
	if r := call(t, s, http.MethodPost, path, signAppToken(t, key, good), nil, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("app token after exp: %d", r.status)
	}
	if r := call(t, s, http.MethodGet, "/api/v2/pluginObjects", tok, nil, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("S2S access token after an hour: %d", r.status)
	}
	wantError(t, call(t, s, http.MethodPost, "/api/app/installs/9999/actions/accessToken", signAppToken(t, key, good), nil, ""), 404, errNotFound, "", "")
}

func TestS2SDisabledWithoutKey(t *testing.T) {
	s := startSandbox(t, Options{})
	r := call(t, s, http.MethodPost, "/api/app/installs/1001/actions/accessToken", "x.y.z", nil, "")
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), errNotFound) {
		t.Fatalf("%d %s", r.status, r.body)
	}
}
