package provider

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// credentialEnv are the variables the sign-in choice reads; each test starts with none of them.
var credentialEnv = []string{
	"CI", "OUTREACH_BASE_URL", "OUTREACH_ACCESS_TOKEN", "OUTREACH_CLIENT_ID", "OUTREACH_CLIENT_SECRET", "OUTREACH_REFRESH_TOKEN",
	"OUTREACH_REDIRECT_URI", "OUTREACH_S2S_APP_ID", "OUTREACH_S2S_PRIVATE_KEY", "OUTREACH_S2S_INSTALL_ID", "OUTREACH_PLUGIN_ID",
	"DYNAMICS_URL", "DYNAMICS_ACCESS_TOKEN", "DYNAMICS_SOLUTION", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_AUTHORITY_HOST", "AZURE_FEDERATED_TOKEN_FILE",
	"DYNAMICS_USE_CLI", "DYNAMICS_USE_MANAGED_IDENTITY", "DYNAMICS_USE_OIDC", "ARM_USE_OIDC", "DYNAMICS_OIDC_REQUEST_URL",
	"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "DYNAMICS_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN",
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN", "SYSTEM_OIDCREQUESTURI", "DYNAMICS_ADO_PIPELINE_SERVICE_CONNECTION_ID",
	"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "DYNAMICS_OIDC_TOKEN", "ARM_OIDC_TOKEN",
	"TFC_WORKLOAD_IDENTITY_TOKEN", "DYNAMICS_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_TOKEN_FILE_PATH",
}

func cleanCredentialEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, v := range credentialEnv {
		t.Setenv(v, "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// configure runs the provider's configuration and returns its data, diagnostics and debug log.
func configure(t *testing.T, cfg providerModel) (*providerData, diag.Diagnostics, string) {
	t.Helper()
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	var diags diag.Diagnostics
	data := newProviderData(ctx, "test", cfg, &diags)
	return data, diags, logs.String()
}

const (
	testOrgURL = "https://contoso.crm.dynamics.com"
	testTenant = "00000000-0000-0000-0000-000000000001"
	testClient = "11111111-1111-1111-1111-111111111111"
	testJWT    = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2FwcC50ZXJyYWZvcm0uaW8ifQ.c2ln"
)

func testS2SKey(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// The provider block decides the sign-in method; the environment only fills in the chosen
// method's inputs, and chooses only when the block names no method (issue 9, item 3).
func TestConfiguredMethodWinsOverEnvironment(t *testing.T) {
	key := testS2SKey(t)
	s := types.StringValue
	for _, tc := range []struct {
		name  string
		env   map[string]string
		cfg   providerModel
		wants []string // in the debug log
	}{
		{"outreach: S2S in the block, access token in the environment",
			map[string]string{"OUTREACH_ACCESS_TOKEN": "other-org"},
			providerModel{Outreach: &outreachModel{S2SAppID: s("app"), S2SPrivateKey: s(key), S2SInstallID: s("1001")}},
			[]string{`"method":"s2s"`, `"from_config":true`}},
		{"outreach: refresh token in the block, S2S in the environment",
			map[string]string{"OUTREACH_S2S_APP_ID": "app", "OUTREACH_CLIENT_SECRET": "secret", "OUTREACH_REDIRECT_URI": "https://localhost/cb"},
			providerModel{Outreach: &outreachModel{ClientID: s("client"), RefreshToken: s("rt"), TokenCacheDir: s(t.TempDir())}},
			[]string{`"method":"refresh_token"`, `"from_config":true`}},
		{"outreach: nothing in the block, the environment chooses",
			map[string]string{"OUTREACH_ACCESS_TOKEN": "tok", "OUTREACH_S2S_APP_ID": "app"},
			providerModel{},
			[]string{`"method":"access_token"`, `"from_config":false`}},
		{"dynamics: client secret in the block, access token in the environment",
			map[string]string{"DYNAMICS_ACCESS_TOKEN": "other-org", "AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClient},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), ClientSecret: s("secret")}},
			[]string{`"method":"client_secret"`, `"from_config":true`}},
		{"dynamics: OIDC token in the block, client secret and GitHub in the environment",
			map[string]string{"AZURE_CLIENT_SECRET": "secret", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.example/x?api-version=2.0",
				"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "rt"},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), TenantID: s(testTenant), ClientID: s(testClient), OIDCToken: s(testJWT)}},
			[]string{`"method":"oidc_token"`, `"from_config":true`}},
		{"dynamics: token file in the block wins over the runner's GitHub variables",
			map[string]string{"ARM_USE_OIDC": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.example/x?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "rt"},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), TenantID: s(testTenant), ClientID: s(testClient),
				OIDCTokenFilePath: s(writeFile(t, testJWT))}},
			[]string{`"method":"oidc_token_file"`}},
		{"dynamics: use_oidc in the block, the runner's GitHub variables fill in",
			map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.example/x?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "rt"},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), TenantID: s(testTenant), ClientID: s(testClient), UseOIDC: types.BoolValue(true)}},
			[]string{`"method":"github_actions_oidc"`}},
		{"dynamics: ambient GitHub variables alone do not turn OIDC on",
			map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.example/x?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "rt",
				"AZURE_CLIENT_SECRET": "secret"},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), TenantID: s(testTenant), ClientID: s(testClient)}},
			[]string{`"method":"client_secret"`, `"from_config":false`}},
		{"dynamics: use_oidc = false in the block beats ARM_USE_OIDC",
			map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": testJWT, "DYNAMICS_USE_CLI": "true"},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), UseOIDC: types.BoolValue(false)}},
			[]string{`"method":"azure_cli"`}},
		{"dynamics: the HCP Terraform variable with ARM_USE_OIDC",
			map[string]string{"ARM_USE_OIDC": "true", "TFC_WORKLOAD_IDENTITY_TOKEN": testJWT, "AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClient},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL)}},
			[]string{`"method":"oidc_token"`, `"from_config":false`}},
		{"dynamics: DYNAMICS_USE_CLI wins over an ambient AZURE_FEDERATED_TOKEN_FILE",
			map[string]string{"DYNAMICS_USE_CLI": "true", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
				"AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClient},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL)}},
			[]string{`"method":"azure_cli"`}},
		{"dynamics: Azure Pipelines from its own variables",
			map[string]string{"ARM_USE_OIDC": "true", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID": "sc", "SYSTEM_ACCESSTOKEN": "st",
				"SYSTEM_OIDCREQUESTURI": "https://dev.azure.com/o/p/_apis/oidctoken", "AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClient},
			providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL)}},
			[]string{`"method":"azure_pipelines_oidc"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanCredentialEnv(t, tc.env)
			data, diags, logs := configure(t, tc.cfg)
			if diags.HasError() {
				t.Fatalf("configure: %v", diags)
			}
			if tc.cfg.Dynamics != nil && data.dynamics == nil {
				t.Fatalf("no Dynamics client: %v", data.dynamicsErr)
			}
			for _, want := range tc.wants {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %s:\n%s", want, logs)
				}
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Each misconfiguration of a sign-in method gives a diagnostic on the setting, naming each
// missing setting with its environment variables; a method chosen by the environment alone
// fails only when a dynamics_* resource needs Dataverse, with the same words.
func TestMisconfiguredSignInNamesTheSetting(t *testing.T) {
	s := types.StringValue
	oidcApp := func(m dynamicsModel) *dynamicsModel {
		m.URL, m.TenantID, m.ClientID = s(testOrgURL), s(testTenant), s(testClient)
		return &m
	}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		cfg      providerModel
		attr     path.Path
		deferred bool // the error comes when a dynamics_* resource needs Dataverse
		summary  string
		contains []string
	}{
		{name: "GitHub without the request token",
			env:     map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.example/x?api-version=2.0"},
			cfg:     providerModel{Dynamics: oidcApp(dynamicsModel{UseOIDC: types.BoolValue(true)})},
			attr:    path.Root("dynamics").AtName("oidc_request_token"),
			summary: "Incomplete Dynamics credentials for GitHub Actions OIDC",
			contains: []string{"dynamics.oidc_request_token (DYNAMICS_OIDC_REQUEST_TOKEN, ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN)",
				"id-token: write"}},
		{name: "GitHub request URL that is not a URL",
			cfg:      providerModel{Dynamics: oidcApp(dynamicsModel{OIDCRequestURL: s("::"), OIDCRequestToken: s("rt")})},
			attr:     path.Root("dynamics").AtName("oidc_request_url"),
			summary:  "Invalid Dynamics credentials",
			contains: []string{"not an http(s) URL"}},
		{name: "use_oidc without any source",
			cfg:     providerModel{Dynamics: oidcApp(dynamicsModel{UseOIDC: types.BoolValue(true)})},
			attr:    path.Root("dynamics").AtName("oidc_token"),
			summary: "No Dynamics OIDC token source",
			contains: []string{"dynamics.oidc_token (DYNAMICS_OIDC_TOKEN, ARM_OIDC_TOKEN, TFC_WORKLOAD_IDENTITY_TOKEN)",
				"dynamics.oidc_token_file_path (DYNAMICS_OIDC_TOKEN_FILE_PATH, ARM_OIDC_TOKEN_FILE_PATH)",
				"dynamics.ado_pipeline_service_connection_id (DYNAMICS_ADO_PIPELINE_SERVICE_CONNECTION_ID, ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, ARM_OIDC_AZURE_SERVICE_CONNECTION_ID)",
				"dynamics.oidc_request_url (DYNAMICS_OIDC_REQUEST_URL, ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL)"}},
		{name: "Azure Pipelines without System.AccessToken",
			env:      map[string]string{"SYSTEM_OIDCREQUESTURI": "https://dev.azure.com/o/p/_apis/oidctoken"},
			cfg:      providerModel{Dynamics: oidcApp(dynamicsModel{ADOPipelineServiceConnectionID: s("sc")})},
			attr:     path.Root("dynamics").AtName("oidc_request_token"),
			summary:  "Incomplete Dynamics credentials for Azure Pipelines workload identity federation",
			contains: []string{"dynamics.oidc_request_token (DYNAMICS_OIDC_REQUEST_TOKEN, ARM_OIDC_REQUEST_TOKEN, SYSTEM_ACCESSTOKEN)", "$(System.AccessToken)"}},
		{name: "Azure Pipelines outside a pipeline",
			env:      map[string]string{"SYSTEM_ACCESSTOKEN": "st"},
			cfg:      providerModel{Dynamics: oidcApp(dynamicsModel{ADOPipelineServiceConnectionID: s("sc")})},
			attr:     path.Root("dynamics").AtName("ado_pipeline_service_connection_id"),
			summary:  "Incomplete Dynamics credentials for Azure Pipelines workload identity federation",
			contains: []string{"SYSTEM_OIDCREQUESTURI"}},
		{name: "oidc_token without a tenant",
			cfg:      providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), ClientID: s(testClient), OIDCToken: s(testJWT)}},
			attr:     path.Root("dynamics").AtName("tenant_id"),
			summary:  "Incomplete Dynamics credentials for an OIDC token (oidc_token)",
			contains: []string{"dynamics.tenant_id (AZURE_TENANT_ID)"}},
		{name: "oidc_token_file_path that does not exist",
			cfg:      providerModel{Dynamics: oidcApp(dynamicsModel{OIDCTokenFilePath: s(filepath.Join(t.TempDir(), "none"))})},
			attr:     path.Root("dynamics").AtName("oidc_token_file_path"),
			summary:  "Invalid Dynamics credentials",
			contains: []string{"reading the OIDC token file"}},
		{name: "use_oidc = false with an OIDC input",
			cfg:      providerModel{Dynamics: oidcApp(dynamicsModel{UseOIDC: types.BoolValue(false), OIDCToken: s(testJWT)})},
			attr:     path.Root("dynamics").AtName("use_oidc"),
			summary:  "Contradictory Dynamics OIDC settings",
			contains: []string{"use_oidc = false"}},
		{name: "ARM_USE_OIDC that is not a bool",
			env:      map[string]string{"ARM_USE_OIDC": "yes please"},
			cfg:      providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL)}},
			attr:     path.Root("dynamics").AtName("use_oidc"),
			summary:  "Invalid environment variable ARM_USE_OIDC",
			contains: []string{"true or false"}},
		{name: "client secret without a client id",
			cfg:      providerModel{Dynamics: &dynamicsModel{URL: s(testOrgURL), TenantID: s(testTenant), ClientSecret: s("secret")}},
			attr:     path.Root("dynamics").AtName("client_id"),
			summary:  "Incomplete Dynamics client-secret credentials",
			contains: []string{"dynamics.client_id (AZURE_CLIENT_ID)"}},
		{name: "OIDC chosen by the environment alone is reported when Dataverse is needed",
			env:      map[string]string{"ARM_USE_OIDC": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.example/x?api-version=2.0"},
			cfg:      providerModel{Dynamics: oidcApp(dynamicsModel{})},
			deferred: true,
			contains: []string{"dynamics.oidc_request_token (DYNAMICS_OIDC_REQUEST_TOKEN, ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN)"}},
		{name: "Outreach S2S without its key",
			cfg:      providerModel{Outreach: &outreachModel{S2SAppID: s("app"), S2SInstallID: s("1001")}},
			attr:     path.Root("outreach").AtName("s2s_private_key"),
			summary:  "Incomplete Outreach server-to-server credentials",
			contains: []string{"outreach.s2s_private_key (OUTREACH_S2S_PRIVATE_KEY)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanCredentialEnv(t, tc.env)
			data, diags, _ := configure(t, tc.cfg)
			if tc.deferred {
				if diags.HasError() || data.dynamics != nil || data.dynamicsErr == nil {
					t.Fatalf("want a deferred error: diags %v, err %v", diags, data.dynamicsErr)
				}
				var reported diag.Diagnostics
				data.dynamicsClient(&reported)
				for _, want := range tc.contains {
					if !strings.Contains(reported[0].Detail(), want) {
						t.Errorf("%q lacks %q", reported[0].Detail(), want)
					}
				}
				return
			}
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want one error, got %v", diags)
			}
			d := diags.Errors()[0]
			wp, ok := d.(diag.DiagnosticWithPath)
			if !ok || !wp.Path().Equal(tc.attr) || d.Summary() != tc.summary {
				t.Fatalf("diagnostic %q on %v, want %q on %v", d.Summary(), pathOf(d), tc.summary, tc.attr)
			}
			for _, want := range tc.contains {
				if !strings.Contains(d.Detail(), want) {
					t.Errorf("detail %q lacks %q", d.Detail(), want)
				}
			}
		})
	}
}

func pathOf(d diag.Diagnostic) any {
	if wp, ok := d.(diag.DiagnosticWithPath); ok {
		return wp.Path()
	}
	return nil
}

// With CI=true, signing in to Outreach with a refresh token warns once; S2S does not.
func TestRefreshTokenInCIWarnsOnce(t *testing.T) {
	s := types.StringValue
	refresh := &outreachModel{ClientID: s("c"), ClientSecret: s("s"), RefreshToken: s("r"), RedirectURI: s("https://localhost/cb"), TokenCacheDir: s(t.TempDir())}
	for _, tc := range []struct {
		name  string
		ci    string
		model *outreachModel
		warns int
	}{
		{"refresh token in CI", "true", refresh, 1},
		{"refresh token on a workstation", "", refresh, 0},
		{"S2S in CI", "true", &outreachModel{S2SAppID: s("app"), S2SPrivateKey: s(testS2SKey(t)), S2SInstallID: s("1001")}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanCredentialEnv(t, map[string]string{"CI": tc.ci})
			_, diags, _ := configure(t, providerModel{Outreach: tc.model})
			if diags.HasError() || diags.WarningsCount() != tc.warns {
				t.Fatalf("diagnostics %v, want %d warning(s)", diags, tc.warns)
			}
			if tc.warns > 0 {
				w := diags.Warnings()[0]
				if !strings.Contains(w.Detail(), "outreach.s2s_app_id") || !strings.Contains(w.Detail(), "14 days") {
					t.Errorf("warning %q", w.Detail())
				}
			}
		})
	}
}
