package dataverse

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ci calls an emulated CI endpoint with a bearer token and headers (name/value pairs).
func (h *harness) ci(method, rawURL, bearerToken string, headers ...string) result {
	h.t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if bearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+bearerToken)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	c := *h.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	res := result{status: resp.StatusCode, header: resp.Header}
	if res.raw, err = io.ReadAll(resp.Body); err != nil {
		h.t.Fatal(err)
	}
	return res
}

func claimsOf(t *testing.T, tok string) jwt.RegisteredClaims {
	t.Helper()
	var c jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil {
		t.Fatalf("not a JWT: %v", err)
	}
	return c
}

func TestGitHubTokenEndpoint(t *testing.T) {
	h := newHarness(t)
	u := h.org.GitHubRequestURL()
	for _, tc := range []struct {
		name, url, token string
		status           int
	}{
		{"no request token", u + "&audience=" + FederatedAudience, "", 401},
		{"wrong request token", u + "&audience=" + FederatedAudience, "stale", 401},
		{"no api-version", h.srv.URL + GitHubTokenPath + "?audience=" + FederatedAudience, GitHubRequestToken, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := h.ci("GET", tc.url, tc.token); r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
		})
	}
	r := h.ci("GET", u+"&audience="+url.QueryEscape(FederatedAudience), GitHubRequestToken)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	tok := between(string(r.raw), `"value":"`, `"`)
	c := claimsOf(t, tok)
	if c.Issuer != GitHubIssuer || c.Subject != GitHubSubject || len(c.Audience) != 1 || c.Audience[0] != FederatedAudience ||
		c.ExpiresAt.Sub(c.IssuedAt.Time) != GitHubTokenLifetime || !c.IssuedAt.Equal(h.clock.Now()) {
		t.Errorf("claims %+v", c)
	}
	// Without an audience GitHub names the repository owner.
	r = h.ci("GET", u, GitHubRequestToken)
	if c := claimsOf(t, between(string(r.raw), `"value":"`, `"`)); c.Audience[0] != "https://github.com/optout-sync" {
		t.Errorf("default audience %v", c.Audience)
	}
}

func TestAzurePipelinesTokenEndpoint(t *testing.T) {
	h := newHarness(t)
	base := h.org.AzurePipelinesRequestURI()
	ok := base + "?api-version=7.1&serviceConnectionId=" + ServiceConnectionID
	suppress := []string{"X-TFS-FedAuthRedirect", "Suppress"}
	for _, tc := range []struct {
		name, method, url, token string
		headers                  []string
		status                   int
	}{
		{"bad token redirects to sign-in", "POST", ok, "stale", nil, 302},
		{"bad token with redirect suppressed", "POST", ok, "stale", suppress, 401},
		{"unknown service connection", "POST", base + "?api-version=7.1&serviceConnectionId=11111111-1111-1111-1111-111111111111", SystemAccessToken, suppress, 400},
		{"no api-version", "POST", base + "?serviceConnectionId=" + ServiceConnectionID, SystemAccessToken, suppress, 400},
		{"GET", "GET", ok, SystemAccessToken, suppress, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := h.ci(tc.method, tc.url, tc.token, tc.headers...); r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
		})
	}
	r := h.ci("POST", ok, SystemAccessToken, suppress...)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	c := claimsOf(t, between(string(r.raw), `"oidcToken":"`, `"`))
	if c.Issuer != AzurePipelinesIssuer || c.Subject != AzurePipelinesSubject || c.Audience[0] != FederatedAudience {
		t.Errorf("claims %+v", c)
	}
}

func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}

// The token endpoint takes a federated assertion as Entra ID does, and logs how each request
// authenticated.
func TestTokenEndpointFederatedAssertions(t *testing.T) {
	mint := func(h *harness, iss, sub, aud string, life time.Duration) string {
		tok, err := h.org.IssueToken(iss, sub, aud, life)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name      string
		assertion func(h *harness) string
		mutate    func(url.Values)
		advance   time.Duration
		status    int
		errCode   string
		aadsts    string
	}{
		{name: "HCP Terraform apply phase", assertion: func(h *harness) string {
			return mint(h, HCPTerraformIssuer, HCPTerraformApplySubject, FederatedAudience, time.Hour)
		}, status: 200},
		{name: "GitHub", assertion: func(h *harness) string {
			return mint(h, GitHubIssuer, GitHubSubject, FederatedAudience, GitHubTokenLifetime)
		}, status: 200},
		{name: "expired", assertion: func(h *harness) string {
			return mint(h, GitHubIssuer, GitHubSubject, FederatedAudience, GitHubTokenLifetime)
		}, advance: GitHubTokenLifetime, status: 401, errCode: "invalid_client", aadsts: "AADSTS700024"},
		{name: "other subject", assertion: func(h *harness) string {
			return mint(h, GitHubIssuer, "repo:optout-sync/opt-out-config:pull_request", FederatedAudience, GitHubTokenLifetime)
		}, status: 400, errCode: "invalid_request", aadsts: "AADSTS70021"},
		{name: "other audience", assertion: func(h *harness) string {
			return mint(h, GitHubIssuer, GitHubSubject, "https://github.com/optout-sync", GitHubTokenLifetime)
		}, status: 400, errCode: "invalid_request", aadsts: "AADSTS70021"},
		{name: "other issuer's subject", assertion: func(h *harness) string {
			return mint(h, HCPTerraformIssuer, GitHubSubject, FederatedAudience, time.Hour)
		}, status: 400, errCode: "invalid_request", aadsts: "AADSTS70021"},
		{name: "forged signature", assertion: func(h *harness) string {
			genuine := mint(h, GitHubIssuer, GitHubSubject, FederatedAudience, GitHubTokenLifetime)
			other := mint(h, HCPTerraformIssuer, HCPTerraformPlanSubject, FederatedAudience, time.Hour)
			parts, sig := strings.Split(genuine, "."), strings.Split(other, ".")[2]
			return parts[0] + "." + parts[1] + "." + sig
		}, status: 401, errCode: "invalid_client", aadsts: "AADSTS700027"},
		{name: "wrong assertion type", assertion: func(h *harness) string {
			return mint(h, GitHubIssuer, GitHubSubject, FederatedAudience, GitHubTokenLifetime)
		}, mutate: func(v url.Values) { v.Set("client_assertion_type", "jwt") }, status: 400, errCode: "invalid_request", aadsts: "AADSTS90014"},
		{name: "not a JWT", assertion: func(*harness) string { return "not-a-jwt" }, status: 400, errCode: "invalid_request", aadsts: "AADSTS50027"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			assertion := tc.assertion(h)
			h.clock.Advance(tc.advance)
			r := h.form("/"+tenant+"/oauth2/v2.0/token", tokenForm(h, func(v url.Values) {
				v.Del("client_secret")
				v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
				v.Set("client_assertion", assertion)
				if tc.mutate != nil {
					tc.mutate(v)
				}
			}))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			log := h.org.TokenRequests()
			if len(log) != 1 || log[0].SecretSent || log[0].Status != tc.status {
				t.Fatalf("token log %+v", log)
			}
			if tc.status != 200 {
				if r.body["error"] != tc.errCode || !strings.HasPrefix(str(r.body, "error_description"), tc.aadsts+":") {
					t.Errorf("error %s", r.raw)
				}
				return
			}
			h.token = str(r.body, "access_token")
			expect(t, h.do("GET", api+"WhoAmI", nil), 200, "")
			if a := log[0].Assertion; a == nil || a.ID == "" || a.ID != claimsOf(t, assertion).ID {
				t.Errorf("logged assertion %+v", a)
			}
		})
	}
}

// A client secret request is logged as one.
func TestTokenLogRecordsSecrets(t *testing.T) {
	h := newHarness(t)
	expect(t, h.form("/"+tenant+"/oauth2/v2.0/token", tokenForm(h, nil)), 200, "")
	if log := h.org.TokenRequests(); len(log) != 1 || !log[0].SecretSent || log[0].Assertion != nil {
		t.Fatalf("token log %+v", log)
	}
}
