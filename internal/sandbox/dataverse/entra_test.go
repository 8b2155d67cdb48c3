package dataverse

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const tenant = DefaultTenantID

func tokenForm(h *harness, mutate func(url.Values)) url.Values {
	v := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {DefaultClientID},
		"client_secret": {DefaultClientSecret},
		"scope":         {h.srv.URL + "/.default openid offline_access profile"},
	}
	if mutate != nil {
		mutate(v)
	}
	return v
}

func TestOpenIDConfiguration(t *testing.T) {
	h := newHarness(t)
	h.token = ""
	r := h.do("GET", "/"+tenant+"/v2.0/.well-known/openid-configuration", nil)
	expect(t, r, 200, "")
	for k, want := range map[string]string{
		"token_endpoint":         h.srv.URL + "/" + tenant + "/oauth2/v2.0/token",
		"authorization_endpoint": h.srv.URL + "/" + tenant + "/oauth2/v2.0/authorize",
		"issuer":                 h.srv.URL + "/" + tenant + "/v2.0",
	} {
		if got := str(r.body, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	r = h.do("GET", "/11111111-1111-1111-1111-111111111111/v2.0/.well-known/openid-configuration", nil)
	expect(t, r, 400, "")
	if r.body["error"] != "invalid_tenant" || !strings.HasPrefix(str(r.body, "error_description"), "AADSTS90002:") {
		t.Errorf("unknown tenant: %s", r.raw)
	}
}

func TestTokenEndpoint(t *testing.T) {
	tests := []struct {
		name    string
		tenant  string
		mutate  func(url.Values)
		status  int
		errCode string
		aadsts  string
	}{
		{name: "ok", status: 200},
		{name: "ok with resource trailing slash", mutate: func(v url.Values) {
			v.Set("scope", v.Get("scope")[:strings.Index(v.Get("scope"), "/.default")]+"//.default")
		}, status: 200},
		{name: "bad secret", mutate: func(v url.Values) { v.Set("client_secret", "wrong") }, status: 401, errCode: "invalid_client", aadsts: "AADSTS7000215"},
		{name: "no secret", mutate: func(v url.Values) { v.Del("client_secret") }, status: 401, errCode: "invalid_client", aadsts: "AADSTS7000216"},
		{name: "unknown client", mutate: func(v url.Values) { v.Set("client_id", "someone-else") }, status: 400, errCode: "unauthorized_client", aadsts: "AADSTS700016"},
		{name: "unknown tenant", tenant: "contoso.onmicrosoft.com", status: 400, errCode: "invalid_request", aadsts: "AADSTS90002"},
		{name: "other resource", mutate: func(v url.Values) {
			v.Set("scope", "https://graph.microsoft.com/.default openid offline_access profile")
		}, status: 400, errCode: "invalid_resource", aadsts: "AADSTS500011"},
		{name: "no .default", mutate: func(v url.Values) { v.Set("scope", "openid offline_access profile") }, status: 400, errCode: "invalid_scope", aadsts: "AADSTS1002012"},
		{name: "user_impersonation", mutate: func(v url.Values) {
			v.Set("scope", v.Get("scope")[:strings.Index(v.Get("scope"), "/.default")]+"/user_impersonation")
		}, status: 400, errCode: "invalid_scope", aadsts: "AADSTS1002012"},
		{name: "two resources", mutate: func(v url.Values) { v.Set("scope", v.Get("scope")+" https://graph.microsoft.com/.default") }, status: 400, errCode: "invalid_scope", aadsts: "AADSTS70011"},
		{name: "no scope", mutate: func(v url.Values) { v.Del("scope") }, status: 400, errCode: "invalid_request", aadsts: "AADSTS900144"},
		{name: "wrong grant", mutate: func(v url.Values) { v.Set("grant_type", "password") }, status: 400, errCode: "unsupported_grant_type", aadsts: "AADSTS70003"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tn := tc.tenant
			if tn == "" {
				tn = tenant
			}
			r := h.form("/"+tn+"/oauth2/v2.0/token", tokenForm(h, tc.mutate))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status != 200 {
				if r.body["error"] != tc.errCode || !strings.HasPrefix(str(r.body, "error_description"), tc.aadsts+":") {
					t.Errorf("error %s", r.raw)
				}
				return
			}
			if r.body["token_type"] != "Bearer" || r.body["expires_in"] != 3599.0 || r.body["ext_expires_in"] != 3599.0 || str(r.body, "access_token") == "" {
				t.Errorf("token response %s", r.raw)
			}
			if r.header.Get("Cache-Control") == "" {
				t.Error("token response is cacheable")
			}
		})
	}
}

func TestBearerTokens(t *testing.T) {
	h := newHarness(t)
	tok := h.form("/"+tenant+"/oauth2/v2.0/token", tokenForm(h, nil))
	expect(t, tok, 200, "")

	// Minted token works, and its expiry is enforced with the org's clock.
	h.token = str(tok.body, "access_token")
	expect(t, h.do("GET", api+"WhoAmI", nil), 200, "")
	h.clock.Advance(3598 * time.Second)
	expect(t, h.do("GET", api+"WhoAmI", nil), 200, "")
	h.clock.Advance(2 * time.Second)
	r := h.do("GET", api+"WhoAmI", nil)
	expect(t, r, 401, "")
	if !strings.Contains(r.errMsg(), "expired") || !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("expired token: %s %v", r.raw, r.header)
	}

	// A token minted for this org is not valid for another base URL (audience check).
	h.clock.Advance(-time.Hour)
	h.org.SetBaseURL("https://other.example")
	expect(t, h.do("GET", api+"WhoAmI", nil), 401, "")
	h.org.SetBaseURL(h.srv.URL)

	// No credentials: empty body and the tenant-discovery challenge.
	h.token = ""
	r = h.do("GET", api+"EntityDefinitions(LogicalName='lead')", nil)
	if r.status != 401 || len(r.raw) != 0 {
		t.Fatalf("no token: %d %s", r.status, r.raw)
	}
	want := "Bearer authorization_uri=" + h.srv.URL + "/" + tenant + "/oauth2/authorize"
	if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, want) {
		t.Errorf("WWW-Authenticate = %q, want prefix %q", got, want)
	}
	h.token = "garbage"
	expect(t, h.do("GET", api+"WhoAmI", nil), http.StatusUnauthorized, "")
	h.token = DefaultStaticToken
	expect(t, h.do("GET", api+"WhoAmI", nil), 200, "")
	if s := h.org.Stats(); s.TokensIssued != 1 {
		t.Errorf("TokensIssued = %d", s.TokensIssued)
	}
}
