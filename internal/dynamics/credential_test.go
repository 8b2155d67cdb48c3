package dynamics

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const (
	fakeTenant = "00000000-0000-0000-0000-0000000000aa"
	fakeClient = "unit-client"
	fakeSecret = "unit-secret-9d2e"
)

// fakeEntra serves the two endpoints MSAL calls for a confidential client (openid configuration and
// token) plus a Dataverse WhoAmI that only accepts the token it minted, on one TLS listener.
type fakeEntra struct {
	srv       *httptest.Server
	mu        sync.Mutex
	forms     []map[string]string
	assertion string // accepted client_assertion (workload identity); any non-empty one when ""
}

const fakeAccessToken = "minted-access-token-51c0"

func newFakeEntra(t *testing.T) *fakeEntra {
	t.Helper()
	f := &fakeEntra{}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := "https://" + r.Host + "/" + fakeTenant
		switch {
		case r.Method == "GET" && r.URL.Path == "/"+fakeTenant+"/v2.0/.well-known/openid-configuration":
			writeJSON(w, 200, map[string]any{
				"token_endpoint":         base + "/oauth2/v2.0/token",
				"authorization_endpoint": base + "/oauth2/v2.0/authorize",
				"issuer":                 base + "/v2.0",
			})
		case r.Method == "POST" && r.URL.Path == "/"+fakeTenant+"/oauth2/v2.0/token":
			_ = r.ParseForm()
			form := map[string]string{}
			for k := range r.PostForm {
				form[k] = r.PostForm.Get(k)
			}
			f.mu.Lock()
			f.forms = append(f.forms, form)
			want := f.assertion
			f.mu.Unlock()
			ok := form["client_id"] == fakeClient && form["grant_type"] == "client_credentials"
			switch {
			case form["client_secret"] != "":
				ok = ok && form["client_secret"] == fakeSecret
			case form["client_assertion"] != "":
				ok = ok && (want == "" || form["client_assertion"] == want)
			default:
				ok = false
			}
			if !ok {
				writeJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
				return
			}
			writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": fakeAccessToken})
		case r.URL.Path == "/api/data/v9.2/WhoAmI":
			if r.Header.Get("Authorization") != "Bearer "+fakeAccessToken {
				writeErr(w, 401, "", "")
				return
			}
			writeJSON(w, 200, map[string]any{"UserId": "app-user"})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEntra) tokenForms() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]string(nil), f.forms...)
}

func (f *fakeEntra) credConfig() CredentialConfig {
	return CredentialConfig{TenantID: fakeTenant, ClientID: fakeClient, AuthorityHost: f.srv.URL, HTTPClient: f.srv.Client()}
}

// whoAmIWith builds a client on cred and makes one Dataverse call.
func whoAmIWith(t *testing.T, f *fakeEntra, cfg CredentialConfig) (string, string, error) {
	t.Helper()
	cred, method, err := NewCredential(cfg)
	if err != nil {
		return "", method, err
	}
	c, err := New(Config{URL: f.srv.URL, HTTPClient: f.srv.Client(), Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	id, err := c.WhoAmI(ctx)
	return id, method, err
}

func TestClientSecretCredentialAgainstAFakeEntra(t *testing.T) {
	f := newFakeEntra(t)
	cfg := f.credConfig()
	cfg.ClientSecret = fakeSecret
	id, method, err := whoAmIWith(t, f, cfg)
	if err != nil || id != "app-user" || method != CredentialClientSecret {
		t.Fatalf("WhoAmI = %q via %q, %v", id, method, err)
	}
	forms := f.tokenForms()
	if len(forms) != 1 {
		t.Fatalf("%d token requests", len(forms))
	}
	if scope := forms[0]["scope"]; !strings.HasPrefix(scope, f.srv.URL+"/.default ") {
		t.Errorf("scope = %q, want the org's .default first", scope)
	}
}

func TestWrongSecretGivesAClearErrorWithoutTheSecret(t *testing.T) {
	f := newFakeEntra(t)
	cfg := f.credConfig()
	cfg.ClientSecret = "wrong-secret-77aa"
	_, _, err := whoAmIWith(t, f, cfg)
	checkRefusedSecret(t, err, "wrong-secret-77aa")
}

// checkRefusedSecret asserts the one-line, secret-free error of a client secret Entra ID refused.
func checkRefusedSecret(t *testing.T, err error, secret string) {
	t.Helper()
	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a *TokenError", err)
	}
	for _, want := range []string{"getting an access token", "Entra ID answered HTTP 401: invalid_client: AADSTS7000215"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error leaks the secret: %v", err)
	}
}

func TestCertificateCredentialAgainstAFakeEntra(t *testing.T) {
	f := newFakeEntra(t)
	cfg := f.credConfig()
	cfg.CertificatePath = writeTestCertificate(t)
	id, method, err := whoAmIWith(t, f, cfg)
	if err != nil || id != "app-user" || method != CredentialClientCertificate {
		t.Fatalf("WhoAmI = %q via %q, %v", id, method, err)
	}
	if a := f.tokenForms()[0]["client_assertion_type"]; a != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		t.Errorf("client_assertion_type = %q", a)
	}
}

func TestWorkloadIdentityCredentialAgainstAFakeEntra(t *testing.T) {
	f := newFakeEntra(t)
	f.assertion = "federated-jwt-from-the-ci"
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(f.assertion), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := f.credConfig()
	cfg.FederatedTokenFile = file
	id, method, err := whoAmIWith(t, f, cfg)
	if err != nil || id != "app-user" || method != CredentialWorkloadIdentity {
		t.Fatalf("WhoAmI = %q via %q, %v", id, method, err)
	}
}

func TestNewCredentialPicksByWhatIsSet(t *testing.T) {
	cert := writeTestCertificate(t)
	base := CredentialConfig{TenantID: fakeTenant, ClientID: fakeClient, AuthorityHost: "https://127.0.0.1:1/"}
	with := func(mod func(*CredentialConfig)) CredentialConfig { c := base; mod(&c); return c }
	cases := []struct {
		name string
		cfg  CredentialConfig
		want string
	}{
		{"secret beats everything", with(func(c *CredentialConfig) {
			c.ClientSecret, c.CertificatePath, c.FederatedTokenFile, c.UseCLI, c.UseManagedIdentity = "s", cert, "/f", true, true
		}), CredentialClientSecret},
		{"certificate beats workload identity", with(func(c *CredentialConfig) {
			c.CertificatePath, c.FederatedTokenFile, c.UseCLI = cert, "/f", true
		}), CredentialClientCertificate},
		{"workload identity beats CLI", with(func(c *CredentialConfig) { c.FederatedTokenFile, c.UseCLI, c.UseManagedIdentity = "/f", true, true }), CredentialWorkloadIdentity},
		{"CLI beats managed identity", with(func(c *CredentialConfig) { c.UseCLI, c.UseManagedIdentity = true, true }), CredentialAzureCLI},
		{"managed identity", CredentialConfig{UseManagedIdentity: true}, CredentialManagedIdentity},
		{"user-assigned managed identity", CredentialConfig{UseManagedIdentity: true, ClientID: "mi-client"}, CredentialManagedIdentity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cred, method, err := NewCredential(tc.cfg)
			if err != nil || cred == nil || method != tc.want {
				t.Fatalf("NewCredential = %T, %q, %v; want %q", cred, method, err, tc.want)
			}
		})
	}
}

func TestNewCredentialSaysWhatIsMissing(t *testing.T) {
	cases := []struct {
		name string
		cfg  CredentialConfig
		want string
	}{
		{"nothing", CredentialConfig{}, "no Dataverse credential configured: set a client secret"},
		{"ids but no secret", CredentialConfig{TenantID: "t", ClientID: "c"}, "no client secret, certificate path or federated token file"},
		{"secret without tenant", CredentialConfig{ClientID: "c", ClientSecret: "sekrit-1"}, "client secret authentication needs a tenant ID"},
		{"secret without ids", CredentialConfig{ClientSecret: "sekrit-1"}, "needs a tenant ID and a client ID"},
		{"certificate without client", CredentialConfig{TenantID: "t", CertificatePath: "/x"}, "client certificate authentication needs a client ID"},
		{"federated without ids", CredentialConfig{FederatedTokenFile: "/x"}, "workload identity authentication needs a tenant ID and a client ID"},
		{"unreadable certificate", CredentialConfig{TenantID: "t", ClientID: "c", CertificatePath: "/does/not/exist.pem"}, "reading the client certificate"},
		{"http authority", CredentialConfig{TenantID: "t", ClientID: "c", ClientSecret: "sekrit-1", AuthorityHost: "http://login.example"}, "must use https"},
		{"bad tenant", CredentialConfig{TenantID: "t/../x", ClientID: "c", ClientSecret: "sekrit-1"}, "setting up client secret authentication"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NewCredential(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "sekrit-1") {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestCertificateWithWrongContentIsExplained(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.pem")
	if err := os.WriteFile(p, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := NewCredential(CredentialConfig{TenantID: "t", ClientID: "c", CertificatePath: p, CertificatePassword: "pw-3"})
	if err == nil || !strings.Contains(err.Error(), "could not be read") || strings.Contains(err.Error(), "pw-3") {
		t.Fatalf("err = %v", err)
	}
}

func TestInstanceDiscoveryOnlyForMicrosoftHosts(t *testing.T) {
	for host, disabled := range map[string]bool{
		"":                                   false,
		"https://login.microsoftonline.com/": false,
		"https://login.microsoftonline.us":   false,
		"https://LOGIN.CHINACLOUDAPI.CN/":    false,
		"https://login.microsoft.com/":       false,
		"https://127.0.0.1:8788/":            true,
		"https://login.private-cloud.local/": true,
	} {
		_, got, err := clientOptions(CredentialConfig{AuthorityHost: host})
		if err != nil || got != disabled {
			t.Errorf("%q: discovery disabled = %v, %v; want %v", host, got, err, disabled)
		}
	}
}

// TestAuthorityHostWithoutSlashWorks: MSAL joins host and tenant; a missing trailing slash must not
// produce "https://host:port<tenant>".
func TestAuthorityHostWithoutSlashWorks(t *testing.T) {
	f := newFakeEntra(t)
	cfg := f.credConfig()
	cfg.AuthorityHost = strings.TrimSuffix(f.srv.URL, "/")
	cfg.ClientSecret = fakeSecret
	cred, _, err := NewCredential(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tk, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://org.crm.dynamics.com/.default"}})
	if err != nil || tk.Token != fakeAccessToken {
		t.Fatalf("GetToken = %q, %v", tk.Token, err)
	}
}

// writeTestCertificate writes a self-signed RSA certificate and its key as one PEM file.
func writeTestCertificate(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "dynamics-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	b = append(b, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})...)
	p := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
