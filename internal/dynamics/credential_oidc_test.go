package dynamics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

// federationOrg is an emulated org whose access tokens live one minute, so that MSAL (which
// renews a token within five minutes of its expiry) comes back to Entra ID for every GetToken:
// two calls are two sign-ins, with the sandbox clock moved in between.
type federationOrg struct {
	org *dataverse.Org
	srv *httptest.Server
	mu  sync.Mutex
	now time.Time
}

func newFederationOrg(t *testing.T) *federationOrg {
	t.Helper()
	f := &federationOrg{now: time.Now()}
	f.org = dataverse.NewOrg(dataverse.Config{Now: f.clock, AccessTokenLifetime: time.Minute})
	f.srv = httptest.NewTLSServer(f.org.Handler())
	t.Cleanup(f.srv.Close)
	f.org.SetBaseURL(f.srv.URL)
	return f
}

func (f *federationOrg) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *federationOrg) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *federationOrg) config(method string) CredentialConfig {
	return CredentialConfig{
		Method: method, TenantID: dataverse.DefaultTenantID, ClientID: dataverse.DefaultClientID,
		AuthorityHost: f.srv.URL, HTTPClient: f.srv.Client(),
	}
}

func (f *federationOrg) hcpToken(t *testing.T) string {
	t.Helper()
	tok, err := f.org.IssueToken(dataverse.HCPTerraformIssuer, dataverse.HCPTerraformApplySubject, dataverse.FederatedAudience, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Each federated method signs in without a secret and, for the second access token after its
// first JWT expired, presents a fresh JWT (the token file's new content for the file method).
func TestOIDCCredentialsFetchAFreshAssertionForEachNewToken(t *testing.T) {
	for _, tc := range []struct {
		method string
		setup  func(t *testing.T, f *federationOrg, cfg *CredentialConfig)
		// between runs after the clock moved past the first JWT's expiry.
		between func(t *testing.T, f *federationOrg, cfg *CredentialConfig)
	}{
		{method: CredentialGitHubActions, setup: func(_ *testing.T, f *federationOrg, cfg *CredentialConfig) {
			cfg.OIDCRequestURL, cfg.OIDCRequestToken = f.org.GitHubRequestURL(), dataverse.GitHubRequestToken
		}},
		{method: CredentialAzurePipelines, setup: func(t *testing.T, f *federationOrg, cfg *CredentialConfig) {
			t.Setenv("SYSTEM_OIDCREQUESTURI", f.org.AzurePipelinesRequestURI())
			cfg.ServiceConnectionID, cfg.OIDCRequestToken = dataverse.ServiceConnectionID, dataverse.SystemAccessToken
		}},
		{method: CredentialOIDCTokenFile, setup: func(t *testing.T, f *federationOrg, cfg *CredentialConfig) {
			cfg.OIDCTokenFilePath = filepath.Join(t.TempDir(), "token")
			if err := os.WriteFile(cfg.OIDCTokenFilePath, []byte(f.hcpToken(t)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, between: func(t *testing.T, f *federationOrg, cfg *CredentialConfig) {
			// The file is rotated, as HCP Terraform and Kubernetes do.
			if err := os.WriteFile(cfg.OIDCTokenFilePath, []byte(f.hcpToken(t)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.method, func(t *testing.T) {
			f := newFederationOrg(t)
			cfg := f.config(tc.method)
			tc.setup(t, f, &cfg)
			cred, method, err := NewCredential(cfg)
			if err != nil || method != tc.method {
				t.Fatalf("NewCredential = %q, %v", method, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			opts := policy.TokenRequestOptions{Scopes: []string{f.srv.URL + "/.default"}}
			if _, err := cred.GetToken(ctx, opts); err != nil {
				t.Fatalf("first token: %v", err)
			}
			f.advance(10 * time.Minute) // past every emulated JWT's lifetime
			if tc.between != nil {
				tc.between(t, f, &cfg)
			}
			if _, err := cred.GetToken(ctx, opts); err != nil {
				t.Fatalf("token after the first JWT expired: %v", err)
			}
			log := f.org.TokenRequests()
			if len(log) != 2 {
				t.Fatalf("want two sign-ins, got %d: %+v", len(log), log)
			}
			for i, r := range log {
				if r.SecretSent || r.Assertion == nil || r.Status != 200 {
					t.Fatalf("sign-in %d: %+v", i, r)
				}
			}
			first, second := log[0].Assertion, log[1].Assertion
			if first.ID == second.ID || second.IssuedAt.Before(first.ExpiresAt) {
				t.Errorf("second sign-in reused the first JWT or one issued before it expired: %+v then %+v", first, second)
			}
		})
	}
}

// A JWT given as such is what it is: once it has expired Entra ID refuses it, and the error
// says so (HCP Terraform gives each run phase a new one).
func TestOIDCTokenExpiredIsRefusedWithItsReason(t *testing.T) {
	f := newFederationOrg(t)
	cfg := f.config(CredentialOIDCToken)
	cfg.OIDCToken = f.hcpToken(t)
	cred, _, err := NewCredential(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{URL: f.srv.URL, HTTPClient: f.srv.Client(), Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.WhoAmI(ctx); err != nil {
		t.Fatalf("WhoAmI with a current token: %v", err)
	}
	f.advance(10 * time.Minute)
	_, err = c.WhoAmI(ctx)
	if err == nil || !strings.Contains(err.Error(), "AADSTS700024") || strings.Contains(err.Error(), cfg.OIDCToken) {
		t.Fatalf("WhoAmI with an expired token: %v", err)
	}
}

// Each OIDC method names what it lacks, and only what it uses.
func TestOIDCCredentialsSayWhatIsMissing(t *testing.T) {
	f := newFederationOrg(t)
	t.Setenv("SYSTEM_OIDCREQUESTURI", "")
	for _, tc := range []struct {
		name   string
		cfg    CredentialConfig
		want   string
		method string
	}{
		{"github without url", CredentialConfig{OIDCRequestToken: "t"}, "token request URL", CredentialGitHubActions},
		{"github without token", CredentialConfig{OIDCRequestURL: "https://example.test/x?api-version=2.0"}, "request token", CredentialGitHubActions},
		{"github bad url", CredentialConfig{OIDCRequestURL: "::", OIDCRequestToken: "t"}, "not an http(s) URL", CredentialGitHubActions},
		{"pipelines without connection", CredentialConfig{OIDCRequestToken: "t"}, "service connection id", CredentialAzurePipelines},
		{"pipelines without access token", CredentialConfig{ServiceConnectionID: "s"}, "System.AccessToken", CredentialAzurePipelines},
		{"pipelines outside a pipeline", CredentialConfig{ServiceConnectionID: "s", OIDCRequestToken: "t"}, "SYSTEM_OIDCREQUESTURI", CredentialAzurePipelines},
		{"token without token", CredentialConfig{}, "needs a token", CredentialOIDCToken},
		{"file without path", CredentialConfig{}, "needs a file path", CredentialOIDCTokenFile},
		{"file missing", CredentialConfig{OIDCTokenFilePath: filepath.Join(t.TempDir(), "none")}, "reading the OIDC token file", CredentialOIDCTokenFile},
		{"no tenant", CredentialConfig{OIDCToken: "x", TenantID: "-"}, "needs a tenant ID", CredentialOIDCToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			base := f.config(tc.method)
			cfg.Method, cfg.ClientID, cfg.AuthorityHost, cfg.HTTPClient = tc.method, base.ClientID, base.AuthorityHost, base.HTTPClient
			cfg.TenantID = base.TenantID
			if tc.cfg.TenantID == "-" {
				cfg.TenantID = ""
			}
			_, _, err := NewCredential(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// The GitHub token request carries the job's request token: a redirect must not take it to
// another host (the rule every client of this provider follows, httpx.refuseRedirects).
func TestGitHubAssertionDoesNotFollowRedirects(t *testing.T) {
	var leaked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		_, _ = w.Write([]byte(`{"value":"jwt-from-elsewhere"}`))
	}))
	defer elsewhere.Close()
	github := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/token", http.StatusTemporaryRedirect)
	}))
	defer github.Close()

	got, err := githubAssertion(nil, github.URL+"/token?audience=x", "request-token")(context.Background())
	if err == nil {
		t.Fatalf("a redirected token request gave %q, want an error", got)
	}
	if leaked.Load() {
		t.Fatal("the request token was sent to the redirect's target")
	}
}
