// Package acctest is the acceptance-test harness: it serves the provider in-process, starts one
// sandbox per test, and gives tests the provider block and raw access to both sandbox APIs for
// out-of-band edits (the "someone clicked in the UI" half of drift tests).
package acctest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/optout-sync/terraform-provider-outreach/internal/provider"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// Tokens the sandbox accepts without any OAuth flow.
const (
	OutreachToken = sandbox.StaticAccessToken
	DynamicsToken = sandbox.DynamicsAccessToken
)

// ProviderFactories serves the provider in-process, through the same protocol server as the
// released binary (provider.ProtocolServer). Resources named dynamics_* resolve through the
// `provider = outreach` meta-argument, exactly as users write it.
var ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"outreach": func() (tfprotov6.ProviderServer, error) { return provider.ProtocolServer("test")(), nil },
}

// tlsCert is the one certificate every sandbox of this test process serves. Go loads the system
// trust store once per process, so the CA must be in SSL_CERT_FILE before the first TLS handshake.
var tlsCert *tls.Certificate

// tlsCAPEM is the CA that signed tlsCert; raw test requests trust it directly.
var tlsCAPEM []byte

// Main prepares the process for acceptance tests and runs them: a CA trusted through SSL_CERT_FILE
// (the provider trusts the system pool only, as in production) and a real, empty Terraform CLI
// configuration file. Call it from TestMain.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "outreach-acctest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		cert, caPEM, err := sandbox.NewTLSCertificate()
		if err != nil {
			fmt.Fprintln(os.Stderr, "acctest: creating the sandbox certificate:", err)
			return 1
		}
		tlsCert, tlsCAPEM = cert, caPEM
		caPath := filepath.Join(dir, "ca.pem")
		rc := filepath.Join(dir, "terraformrc")
		if err := os.WriteFile(caPath, caPEM, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := os.WriteFile(rc, nil, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		_ = os.Setenv("SSL_CERT_FILE", caPath)
		_ = os.Setenv("TF_CLI_CONFIG_FILE", rc)
		_ = os.Setenv("CHECKPOINT_DISABLE", "1")
		// Tests configure the provider explicitly; stray credentials in the environment must not
		// leak into them.
		for _, v := range []string{"OUTREACH_BASE_URL", "OUTREACH_ACCESS_TOKEN", "OUTREACH_PLUGIN_ID", "DYNAMICS_URL",
			"DYNAMICS_ACCESS_TOKEN", "DYNAMICS_SOLUTION", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
			"OUTREACH_CLIENT_ID", "OUTREACH_CLIENT_SECRET", "OUTREACH_REFRESH_TOKEN", "OUTREACH_S2S_APP_ID",
			// A CI runner's own sign-in variables (the suite itself runs in CI).
			"CI", "AZURE_FEDERATED_TOKEN_FILE", "DYNAMICS_USE_OIDC", "ARM_USE_OIDC", "ACTIONS_ID_TOKEN_REQUEST_URL",
			"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ARM_OIDC_TOKEN", "TFC_WORKLOAD_IDENTITY_TOKEN", "SYSTEM_ACCESSTOKEN",
			"SYSTEM_OIDCREQUESTURI", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"} {
			_ = os.Unsetenv(v)
		}
		return m.Run()
	}()
	os.Exit(code)
}

// Env is one test's sandbox.
type Env struct {
	t       testing.TB
	Sandbox *sandbox.Server
	dvHTTP  *http.Client
}

// NewEnv starts a sandbox for the test and stops it when the test ends.
func NewEnv(t testing.TB) *Env {
	t.Helper()
	return NewEnvWithOptions(t, sandbox.Options{})
}

// NewEnvWithOptions is NewEnv with sandbox options (e.g. an S2S public key); the TLS certificate
// is always the process-wide one.
func NewEnvWithOptions(t testing.TB, opts sandbox.Options) *Env {
	t.Helper()
	if tlsCert == nil {
		t.Fatal("acctest.Main was not called from TestMain")
	}
	opts.TLSCertificate = tlsCert
	srv, err := sandbox.Start(opts)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(tlsCAPEM) {
		t.Fatal("acctest: the sandbox CA is not a PEM certificate")
	}
	return &Env{t: t, Sandbox: srv, dvHTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}}
}

// ProviderBlock configures the provider for this sandbox with static tokens and plugin 1 as default.
func (e *Env) ProviderBlock() string {
	return fmt.Sprintf(`
provider "outreach" {
  outreach = {
    base_url     = %q
    access_token = %q
  }
  dynamics = {
    url          = %q
    access_token = %q
    solution     = "OptOutSync"
  }
  max_retries = 3
}
`, e.Sandbox.OutreachURL(), OutreachToken, e.Sandbox.DynamicsURL(), DynamicsToken)
}

// Config returns the provider block followed by body.
func (e *Env) Config(body string) string { return e.ProviderBlock() + body }

// Outreach sends a raw JSON:API request to the sandbox's Outreach API, as a person editing the
// plugin by hand would, and returns the status and body. path starts with /api/v2/.
func (e *Env) Outreach(method, path string, body any) (int, []byte) {
	e.t.Helper()
	return e.do(http.DefaultClient, method, e.Sandbox.OutreachURL()+path, body, map[string]string{
		"Authorization": "Bearer " + OutreachToken, "Content-Type": "application/vnd.api+json",
	})
}

// Dynamics sends a raw request to the sandbox's Dataverse Web API. path starts with /api/data/v9.2/.
func (e *Env) Dynamics(method, path string, body any, headers map[string]string) (int, []byte) {
	e.t.Helper()
	// Consistency: Strong as Microsoft's metadata samples send it: the out-of-band changes these
	// requests stand for (the maker portal, a script) act on the latest definitions, not on the
	// sandbox's lagging metadata cache.
	h := map[string]string{"Authorization": "Bearer " + DynamicsToken, "Content-Type": "application/json", "Accept": "application/json",
		"Consistency": "Strong"}
	for k, v := range headers {
		h[k] = v
	}
	return e.do(e.dvHTTP, method, e.Sandbox.DynamicsURL()+path, body, h)
}

func (e *Env) do(c *http.Client, method, url string, body any, headers map[string]string) (int, []byte) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// MustOutreach is Outreach that fails the test unless the status is want.
func (e *Env) MustOutreach(want int, method, path string, body any) []byte {
	e.t.Helper()
	status, b := e.Outreach(method, path, body)
	if status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	return b
}

// MustDynamics is Dynamics that fails the test unless the status is want.
func (e *Env) MustDynamics(want int, method, path string, body any, headers map[string]string) []byte {
	e.t.Helper()
	status, b := e.Dynamics(method, path, body, headers)
	if status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	return b
}
