package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	outreach    *outreach.Client
	outreachErr error // why outreach is nil
	pluginID    int64 // provider default plugin id, 0 when unset

	dynamics    *dynamics.Client
	dynamicsErr error // why dynamics is nil
	solution    string
	// solutionUnknown says the default solution is known only at apply (dynamics.solution
	// comes from a value not known yet): resources plan it as unknown, not as "no solution".
	solutionUnknown bool
	// keepStateWhileUnknown is set on the copy resources get: when the provider cannot connect
	// because its settings are known only at apply, a refresh keeps the prior state instead of
	// failing (the plan of a second apply), as the resources' plan checks already skip.
	keepStateWhileUnknown bool

	catalog *catalogCache
	shared  *sharedReads // field mappings, sync conditions and object settings (shared_reads.go)
}

func newProviderData(ctx context.Context, version string, cfg providerModel, diags *diag.Diagnostics) *providerData {
	maxRetries := int64(httpx.DefaultMaxRetries)
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		maxRetries = cfg.MaxRetries.ValueInt64()
	} else if raw := os.Getenv("OUTREACH_MAX_RETRIES"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 || n > 50 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid OUTREACH_MAX_RETRIES",
				fmt.Sprintf("OUTREACH_MAX_RETRIES must be a whole number from 0 to 50, got %q.", raw))
			return nil
		}
		maxRetries = n
	}
	policy := httpx.Policy{
		MaxRetries: int(maxRetries),
		UserAgent:  "terraform-provider-outreach/" + version,
		Log: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	}
	// A transport of our own (system trust store, proxy from the environment) so that no other
	// code in the process shares its connection pool.
	transport := &http.Transport{Proxy: http.ProxyFromEnvironment}
	if def, ok := http.DefaultTransport.(*http.Transport); ok {
		transport = def.Clone()
	}
	httpClient := &http.Client{Transport: transport}

	shared, err := sharedReadsEnabled()
	if err != nil {
		diags.AddError("Invalid environment variable "+sharedReadsEnv, err.Error()+".")
		return nil
	}
	data := &providerData{catalog: newCatalogCache(), shared: newSharedReads(shared)}
	data.outreach, data.pluginID, data.outreachErr = configureOutreach(ctx, cfg.Outreach, httpClient, policy, diags)
	data.dynamics, data.solution, data.dynamicsErr = configureDynamics(ctx, cfg.Dynamics, httpClient, policy, diags)
	data.solutionUnknown = cfg.Dynamics != nil && cfg.Dynamics.Solution.IsUnknown()
	return data
}

func configureOutreach(ctx context.Context, m *outreachModel, hc *http.Client, policy httpx.Policy, diags *diag.Diagnostics) (*outreach.Client, int64, error) {
	if m == nil {
		m = &outreachModel{}
	}
	root := path.Root("outreach")
	if name := firstUnknown(map[string]attr.Value{
		"base_url": m.BaseURL, "access_token": m.AccessToken, "client_id": m.ClientID, "client_secret": m.ClientSecret,
		"refresh_token": m.RefreshToken, "redirect_uri": m.RedirectURI, "s2s_app_id": m.S2SAppID,
		"s2s_private_key": m.S2SPrivateKey, "s2s_install_id": m.S2SInstallID, "plugin_id": m.PluginID, "token_cache_dir": m.TokenCacheDir,
	}); name != "" {
		return nil, 0, unknownSettingError("outreach." + name)
	}
	baseURL := setting{"outreach.base_url", []string{"OUTREACH_BASE_URL"}}.resolve(m.BaseURL)
	if baseURL == "" {
		baseURL = outreach.DefaultBaseURL
	}
	var pluginID int64
	if !m.PluginID.IsNull() && !m.PluginID.IsUnknown() {
		pluginID = m.PluginID.ValueInt64()
	} else if raw := os.Getenv("OUTREACH_PLUGIN_ID"); raw != "" {
		id, perr := strconv.ParseInt(raw, 10, 64)
		if valid := perr == nil && id >= 1; !valid {
			diags.AddAttributeError(root.AtName("plugin_id"), "Invalid OUTREACH_PLUGIN_ID",
				fmt.Sprintf("OUTREACH_PLUGIN_ID must be a positive integer plugin id, got %q.", raw))
			return nil, 0, nil
		}
		pluginID = id
	}

	method, fromConfig := chooseOutreachMethod(m)
	tflog.Debug(ctx, "Outreach sign-in method selected", map[string]any{"method": method, "from_config": fromConfig})
	var auth outreach.TokenSource
	switch method {
	case outreachMethodAccessToken:
		auth = outreach.StaticToken(outreachAccessToken.resolve(m.AccessToken))
	case outreachMethodS2S:
		s2sApp, s2sKey, s2sInstall := outreachS2SAppID.resolve(m.S2SAppID), outreachS2SKey.resolve(m.S2SPrivateKey), outreachS2SInstall.resolve(m.S2SInstallID)
		if missing := missingInputs(input{outreachS2SAppID, s2sApp}, input{outreachS2SKey, s2sKey}, input{outreachS2SInstall, s2sInstall}); len(missing) > 0 {
			diags.AddAttributeError(root.AtName(missing[0].name()), "Incomplete Outreach server-to-server credentials",
				"Server-to-server authentication needs an app id, its private key and an installation id. Missing: "+joinSettings(missing)+".")
			return nil, 0, nil
		}
		key, err := outreach.ParsePrivateKey(s2sKey)
		if err != nil {
			diags.AddAttributeError(root.AtName("s2s_private_key"), "Invalid Outreach S2S private key", err.Error())
			return nil, 0, nil
		}
		src, err := outreach.NewS2SSource(outreach.S2SConfig{BaseURL: baseURL, AppID: s2sApp, InstallID: s2sInstall, PrivateKey: key, HTTPClient: hc, Policy: policy})
		if err != nil {
			diags.AddAttributeError(root, "Invalid Outreach server-to-server configuration", err.Error())
			return nil, 0, nil
		}
		auth = src
	case outreachMethodRefreshToken:
		clientID, clientSecret := outreachClientID.resolve(m.ClientID), outreachClientSecret.resolve(m.ClientSecret)
		refreshToken, redirectURI := outreachRefreshToken.resolve(m.RefreshToken), outreachRedirectURI.resolve(m.RedirectURI)
		if missing := missingInputs(input{outreachClientID, clientID}, input{outreachClientSecret, clientSecret},
			input{outreachRefreshToken, refreshToken}, input{outreachRedirectURI, redirectURI}); len(missing) > 0 {
			diags.AddAttributeError(root.AtName(missing[0].name()), "Incomplete Outreach OAuth credentials",
				"The refresh-token flow needs a client id, client secret, refresh token and redirect URI. Missing: "+joinSettings(missing)+".")
			return nil, 0, nil
		}
		warnRefreshTokenInCI(diags)
		src, err := outreach.NewRefreshSource(outreach.RefreshConfig{
			BaseURL: baseURL, ClientID: clientID, ClientSecret: clientSecret, RedirectURI: redirectURI,
			RefreshToken: refreshToken, CacheDir: setting{"outreach.token_cache_dir", []string{"OUTREACH_TOKEN_CACHE_DIR"}}.resolve(m.TokenCacheDir),
			HTTPClient: hc, Policy: policy,
		})
		if err != nil {
			diags.AddAttributeError(root, "Invalid Outreach OAuth configuration", err.Error())
			return nil, 0, nil
		}
		auth = src
	default:
		return nil, pluginID, fmt.Errorf("no Outreach credentials are configured. Set one of: outreach.access_token " +
			"(OUTREACH_ACCESS_TOKEN); outreach.s2s_app_id, s2s_private_key and s2s_install_id (OUTREACH_S2S_APP_ID, " +
			"OUTREACH_S2S_PRIVATE_KEY, OUTREACH_S2S_INSTALL_ID); or outreach.client_id, client_secret, refresh_token and " +
			"redirect_uri (OUTREACH_CLIENT_ID, OUTREACH_CLIENT_SECRET, OUTREACH_REFRESH_TOKEN, OUTREACH_REDIRECT_URI)")
	}
	c, err := outreach.New(outreach.Config{BaseURL: baseURL, HTTPClient: hc, Policy: policy, Auth: auth})
	if err != nil {
		diags.AddAttributeError(root.AtName("base_url"), "Invalid Outreach base URL", err.Error())
		return nil, 0, nil
	}
	return c, pluginID, nil
}

func configureDynamics(ctx context.Context, m *dynamicsModel, hc *http.Client, policy httpx.Policy, diags *diag.Diagnostics) (*dynamics.Client, string, error) {
	if m == nil {
		m = &dynamicsModel{}
	}
	root := path.Root("dynamics")
	// The solution default does not depend on how the provider connects: a known (or unset)
	// dynamics.solution resolves now even when a connection setting is known only at apply, so
	// that resources plan the value the apply will use.
	solution := ""
	if !m.Solution.IsUnknown() {
		solution = setting{"dynamics.solution", []string{"DYNAMICS_SOLUTION"}}.resolve(m.Solution)
	}
	if name := firstUnknown(map[string]attr.Value{
		"url": m.URL, "access_token": m.AccessToken, "tenant_id": m.TenantID, "client_id": m.ClientID,
		"client_secret": m.ClientSecret, "client_certificate_path": m.ClientCertificatePath,
		"client_certificate_password": m.ClientCertificatePassword, "use_cli": m.UseCLI,
		"use_managed_identity": m.UseManagedIdentity, "authority_host": m.AuthorityHost, "solution": m.Solution,
		"use_oidc": m.UseOIDC, "oidc_request_url": m.OIDCRequestURL, "oidc_request_token": m.OIDCRequestToken,
		"ado_pipeline_service_connection_id": m.ADOPipelineServiceConnectionID, "oidc_token": m.OIDCToken,
		"oidc_token_file_path": m.OIDCTokenFilePath,
	}); name != "" {
		return nil, solution, unknownSettingError("dynamics." + name)
	}
	url := setting{"dynamics.url", []string{"DYNAMICS_URL"}}.resolve(m.URL)
	choice := chooseDynamicsMethod(m, diags)
	if diags.HasError() {
		return nil, solution, nil
	}
	tflog.Debug(ctx, "Dynamics sign-in method selected", map[string]any{"method": choice.method, "from_config": choice.fromConfig})
	if url == "" {
		return nil, solution, errors.New("the Dynamics organization URL is not configured. Set dynamics.url (DYNAMICS_URL) " +
			"and credentials: " + dynamicsMethodsHelp)
	}
	// fail reports a problem with the chosen method: at once when the provider block chose it,
	// else when a dynamics_* resource needs Dataverse (an Outreach-only configuration must not
	// fail over variables meant for something else).
	fail := func(attr, summary, detail string) (*dynamics.Client, string, error) {
		if choice.fromConfig {
			diags.AddAttributeError(root.AtName(attr), summary, detail)
			return nil, solution, nil
		}
		return nil, solution, errors.New(strings.TrimSuffix(detail, "."))
	}
	cfg := dynamics.Config{URL: url, HTTPClient: hc, Policy: policy}
	switch choice.method {
	case dynamicsMethodNone:
		return nil, solution, errors.New("no Dynamics credentials are configured. Set " + dynamicsMethodsHelp)
	case dynamicsMethodAccessToken:
		cfg.StaticToken = dynamicsAccessToken.resolve(m.AccessToken)
		tflog.Debug(ctx, "Dynamics credential selected", map[string]any{"method": dynamicsMethodAccessToken})
	default:
		credCfg, summary, missing, hint := dynamicsCredentialConfig(ctx, m, choice)
		if len(missing) > 0 {
			attr := missing[0].name()
			if !strings.HasPrefix(missing[0].attr, "dynamics.") {
				attr = "ado_pipeline_service_connection_id" // SYSTEM_OIDCREQUESTURI belongs to that mode
			}
			return fail(attr, summary, "Missing: "+joinSettings(missing)+"."+hint)
		}
		credCfg.HTTPClient = hc
		cred, method, err := dynamics.NewCredential(credCfg)
		if err != nil {
			return fail(credentialAttr(credCfg.Method), "Invalid Dynamics credentials", err.Error()+".")
		}
		tflog.Debug(ctx, "Dynamics credential selected", map[string]any{"method": method})
		cfg.Credential = cred
	}
	c, err := dynamics.New(cfg)
	if err != nil {
		diags.AddAttributeError(root.AtName("url"), "Invalid Dynamics organization URL", err.Error())
		return nil, solution, nil
	}
	return c, solution, nil
}

// dynamicsMethodsHelp lists the Dynamics sign-in methods, for the errors that say none is set.
const dynamicsMethodsHelp = "dynamics.access_token (DYNAMICS_ACCESS_TOKEN); or dynamics.tenant_id and client_id " +
	"(AZURE_TENANT_ID, AZURE_CLIENT_ID) with client_secret (AZURE_CLIENT_SECRET), client_certificate_path " +
	"(AZURE_CLIENT_CERTIFICATE_PATH), use_oidc (DYNAMICS_USE_OIDC, ARM_USE_OIDC) with an OIDC source, or " +
	"AZURE_FEDERATED_TOKEN_FILE; or use_cli / use_managed_identity"

// credentialAttr is the attribute a credential error is reported on.
func credentialAttr(method string) string {
	switch method {
	case dynamics.CredentialClientCertificate:
		return "client_certificate_path"
	case dynamics.CredentialOIDCToken:
		return "oidc_token"
	case dynamics.CredentialOIDCTokenFile:
		return "oidc_token_file_path"
	case dynamics.CredentialAzurePipelines:
		return "ado_pipeline_service_connection_id"
	case dynamics.CredentialGitHubActions:
		return "oidc_request_url"
	case dynamics.CredentialAzureCLI:
		return "use_cli"
	case dynamics.CredentialManagedIdentity:
		return "use_managed_identity"
	}
	return "client_id"
}

// firstUnknown returns the (alphabetically first) name of a setting whose value is not known
// until apply, or "".
func firstUnknown(values map[string]attr.Value) string {
	var unknown []string
	for name, v := range values {
		if v.IsUnknown() {
			unknown = append(unknown, name)
		}
	}
	sortStrings(unknown)
	if len(unknown) == 0 {
		return ""
	}
	return unknown[0]
}

// unknownSettingError explains why the provider does not connect: falling back to the
// environment for a value that is merely not known yet would talk to the wrong system. Plans then
// skip their checks against the live system (the apply, with known values, connects).
func unknownSettingError(attr string) error { return &configUnknownError{attr: attr} }

type configUnknownError struct{ attr string }

func (e *configUnknownError) Error() string {
	return e.attr + " depends on a value that is not known until apply, so the provider cannot connect " +
		"before then. Configure the provider from variables or the environment, or apply the resources it " +
		"depends on first (terraform apply -target=...)"
}

// addNotRefreshedWarning says why a resource kept its prior state. The text is the same for every
// resource, so Terraform shows it once with a count.
func addNotRefreshedWarning(diags *diag.Diagnostics, err error) {
	diags.AddWarning("Not refreshed: provider settings known only at apply",
		"The provider cannot connect during this plan because "+errText(err)+". Resources keep the values from "+
			"the last refresh, so changes made outside Terraform show only in a later plan; the apply connects with "+
			"the settings known by then.")
}

// configUnknown reports whether err says the configuration is not known yet.
func configUnknown(err error) bool {
	var u *configUnknownError
	return errors.As(err, &u)
}

// forResources is the copy of d that resources get (see keepStateWhileUnknown); data sources get
// d itself, because a data source has no prior state to keep.
func (d *providerData) forResources() *providerData {
	r := *d
	r.keepStateWhileUnknown = true
	return &r
}

// outreachClient returns the Outreach client or a diagnostic naming what to configure. For a
// resource whose provider settings are known only at apply it returns nil with a warning only:
// the caller (a refresh or a plan check during plan) then leaves its state or plan as it is, and
// the apply, which always has known settings, connects.
func (d *providerData) outreachClient(diags *diag.Diagnostics) *outreach.Client {
	if d.outreach == nil && d.keepStateWhileUnknown && configUnknown(d.outreachErr) {
		addNotRefreshedWarning(diags, d.outreachErr)
		return nil
	}
	if d.outreach == nil {
		diags.AddError("Outreach is not configured", "This resource needs the Outreach API, but "+errText(d.outreachErr)+".")
	}
	return d.outreach
}

// dynamicsClient returns the Dataverse client or a diagnostic naming what to configure; like
// outreachClient, nil without a diagnostic for a resource while the settings are unknown.
func (d *providerData) dynamicsClient(diags *diag.Diagnostics) *dynamics.Client {
	if d.dynamics == nil && d.keepStateWhileUnknown && configUnknown(d.dynamicsErr) {
		addNotRefreshedWarning(diags, d.dynamicsErr)
		return nil
	}
	if d.dynamics == nil {
		diags.AddError("Dynamics is not configured", "This resource needs the Dataverse Web API, but "+errText(d.dynamicsErr)+".")
	}
	return d.dynamics
}

func errText(err error) string {
	if err == nil {
		return "the provider block has no usable configuration for it"
	}
	return err.Error()
}

// defaultTimeout is used where a resource has no timeouts block value.
const defaultTimeout = 20 * time.Minute
