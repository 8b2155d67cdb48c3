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
	"github.com/hashicorp/terraform-plugin-framework/types"
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

	catalog *catalogCache
	shared  *sharedReads // field mappings, sync conditions and object settings (shared_reads.go)
}

// setting is one provider attribute with its environment fallback.
type setting struct {
	attr string // e.g. "outreach.client_id"
	env  string
}

// resolveString returns the configured value, else the environment variable, else "".
func resolveString(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	if env == "" {
		return ""
	}
	return os.Getenv(env)
}

func resolveBool(v types.Bool, env string, diags *diag.Diagnostics, p path.Path) bool {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool()
	}
	raw := os.Getenv(env)
	if raw == "" {
		return false
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		diags.AddAttributeError(p, "Invalid environment variable "+env,
			fmt.Sprintf("%s must be true or false, got %q.", env, raw))
	}
	return b
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
	data.outreach, data.pluginID, data.outreachErr = configureOutreach(cfg.Outreach, httpClient, policy, diags)
	data.dynamics, data.solution, data.dynamicsErr = configureDynamics(ctx, cfg.Dynamics, httpClient, policy, diags)
	return data
}

func configureOutreach(m *outreachModel, hc *http.Client, policy httpx.Policy, diags *diag.Diagnostics) (*outreach.Client, int64, error) {
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
	get := func(v types.String, env string) string { return strings.TrimSpace(resolveString(v, env)) }
	baseURL := get(m.BaseURL, "OUTREACH_BASE_URL")
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

	accessToken := get(m.AccessToken, "OUTREACH_ACCESS_TOKEN")
	s2sApp, s2sKey, s2sInstall := get(m.S2SAppID, "OUTREACH_S2S_APP_ID"), get(m.S2SPrivateKey, "OUTREACH_S2S_PRIVATE_KEY"), get(m.S2SInstallID, "OUTREACH_S2S_INSTALL_ID")
	clientID, clientSecret := get(m.ClientID, "OUTREACH_CLIENT_ID"), get(m.ClientSecret, "OUTREACH_CLIENT_SECRET")
	refreshToken, redirectURI := get(m.RefreshToken, "OUTREACH_REFRESH_TOKEN"), get(m.RedirectURI, "OUTREACH_REDIRECT_URI")

	var auth outreach.TokenSource
	switch {
	case accessToken != "":
		auth = outreach.StaticToken(accessToken)
	case s2sApp != "" || s2sKey != "" || s2sInstall != "":
		if missing := missingSettings(map[setting]string{
			{"outreach.s2s_app_id", "OUTREACH_S2S_APP_ID"}:           s2sApp,
			{"outreach.s2s_private_key", "OUTREACH_S2S_PRIVATE_KEY"}: s2sKey,
			{"outreach.s2s_install_id", "OUTREACH_S2S_INSTALL_ID"}:   s2sInstall,
		}); missing != "" {
			diags.AddAttributeError(root, "Incomplete Outreach server-to-server credentials",
				"Server-to-server authentication needs an app id, its private key and an installation id. Missing: "+missing+".")
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
	case clientID != "" || clientSecret != "" || refreshToken != "":
		if missing := missingSettings(map[setting]string{
			{"outreach.client_id", "OUTREACH_CLIENT_ID"}:         clientID,
			{"outreach.client_secret", "OUTREACH_CLIENT_SECRET"}: clientSecret,
			{"outreach.refresh_token", "OUTREACH_REFRESH_TOKEN"}: refreshToken,
			{"outreach.redirect_uri", "OUTREACH_REDIRECT_URI"}:   redirectURI,
		}); missing != "" {
			diags.AddAttributeError(root, "Incomplete Outreach OAuth credentials",
				"The refresh-token flow needs a client id, client secret, refresh token and redirect URI. Missing: "+missing+".")
			return nil, 0, nil
		}
		src, err := outreach.NewRefreshSource(outreach.RefreshConfig{
			BaseURL: baseURL, ClientID: clientID, ClientSecret: clientSecret, RedirectURI: redirectURI,
			RefreshToken: refreshToken, CacheDir: get(m.TokenCacheDir, "OUTREACH_TOKEN_CACHE_DIR"), HTTPClient: hc, Policy: policy,
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
	if name := firstUnknown(map[string]attr.Value{
		"url": m.URL, "access_token": m.AccessToken, "tenant_id": m.TenantID, "client_id": m.ClientID,
		"client_secret": m.ClientSecret, "client_certificate_path": m.ClientCertificatePath,
		"client_certificate_password": m.ClientCertificatePassword, "use_cli": m.UseCLI,
		"use_managed_identity": m.UseManagedIdentity, "authority_host": m.AuthorityHost, "solution": m.Solution,
	}); name != "" {
		return nil, "", unknownSettingError("dynamics." + name)
	}
	get := func(v types.String, env string) string { return strings.TrimSpace(resolveString(v, env)) }
	url := get(m.URL, "DYNAMICS_URL")
	solution := get(m.Solution, "DYNAMICS_SOLUTION")
	token := get(m.AccessToken, "DYNAMICS_ACCESS_TOKEN")
	credCfg := dynamics.CredentialConfig{
		TenantID:            get(m.TenantID, "AZURE_TENANT_ID"),
		ClientID:            get(m.ClientID, "AZURE_CLIENT_ID"),
		ClientSecret:        get(m.ClientSecret, "AZURE_CLIENT_SECRET"),
		CertificatePath:     get(m.ClientCertificatePath, "AZURE_CLIENT_CERTIFICATE_PATH"),
		CertificatePassword: get(m.ClientCertificatePassword, "AZURE_CLIENT_CERTIFICATE_PASSWORD"),
		FederatedTokenFile:  os.Getenv("AZURE_FEDERATED_TOKEN_FILE"),
		AuthorityHost:       get(m.AuthorityHost, "AZURE_AUTHORITY_HOST"),
		UseCLI:              resolveBool(m.UseCLI, "DYNAMICS_USE_CLI", diags, root.AtName("use_cli")),
		UseManagedIdentity:  resolveBool(m.UseManagedIdentity, "DYNAMICS_USE_MANAGED_IDENTITY", diags, root.AtName("use_managed_identity")),
		HTTPClient:          hc,
	}
	if credCfg.UseCLI || credCfg.UseManagedIdentity {
		// AZURE_FEDERATED_TOKEN_FILE is set by CI systems and AKS whether or not the user wants
		// workload identity; an explicit use_cli or use_managed_identity must not lose to it.
		credCfg.FederatedTokenFile = ""
	}
	if url == "" {
		return nil, solution, fmt.Errorf("the Dynamics organization URL is not configured. Set dynamics.url (DYNAMICS_URL) " +
			"and credentials: dynamics.access_token (DYNAMICS_ACCESS_TOKEN) or an Azure credential (dynamics.tenant_id, " +
			"client_id and client_secret or client_certificate_path; AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, " +
			"AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE; or use_cli / use_managed_identity)")
	}
	cfg := dynamics.Config{URL: url, HTTPClient: hc, Policy: policy, StaticToken: token}
	if token == "" {
		cred, method, err := dynamics.NewCredential(credCfg)
		if err != nil {
			return nil, solution, fmt.Errorf("no usable Dynamics credentials: %w. Set dynamics.access_token (DYNAMICS_ACCESS_TOKEN), "+
				"or dynamics.tenant_id and client_id (AZURE_TENANT_ID, AZURE_CLIENT_ID) with client_secret (AZURE_CLIENT_SECRET), "+
				"client_certificate_path (AZURE_CLIENT_CERTIFICATE_PATH) or AZURE_FEDERATED_TOKEN_FILE; or use_cli / use_managed_identity", err)
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

// configUnknown reports whether err says the configuration is not known yet.
func configUnknown(err error) bool {
	var u *configUnknownError
	return errors.As(err, &u)
}

// missingSettings lists, sorted, the settings whose value is empty, each with its environment
// variable.
func missingSettings(values map[setting]string) string {
	var missing []string
	for s, v := range values {
		if v == "" {
			missing = append(missing, fmt.Sprintf("%s (%s)", s.attr, s.env))
		}
	}
	sortStrings(missing)
	return strings.Join(missing, ", ")
}

// outreachClient returns the Outreach client or a diagnostic naming what to configure.
func (d *providerData) outreachClient(diags *diag.Diagnostics) *outreach.Client {
	if d.outreach == nil {
		diags.AddError("Outreach is not configured", "This resource needs the Outreach API, but "+errText(d.outreachErr)+".")
	}
	return d.outreach
}

// dynamicsClient returns the Dataverse client or a diagnostic naming what to configure.
func (d *providerData) dynamicsClient(diags *diag.Diagnostics) *dynamics.Client {
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
