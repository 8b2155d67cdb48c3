package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
)

// This file decides how the provider signs in to each system. The rule, for both systems and
// stated in the schema descriptions: the provider block decides. When it sets an input of a
// sign-in method, that method is used and the environment only fills in the inputs of that
// method the block leaves unset; variables of other methods are ignored. Only a block that
// names no method lets the environment choose, in the same order of precedence. An access
// token exported in a shell for another org must never redirect a configured S2S app or
// service principal to that org (issue 9, item 3).

// setting is one provider attribute with its environment fallbacks, first match wins.
type setting struct {
	attr string // e.g. "outreach.client_id"
	envs []string
}

// String names the setting and its variables, as diagnostics show them.
func (s setting) String() string {
	if len(s.envs) == 0 {
		return s.attr
	}
	return s.attr + " (" + strings.Join(s.envs, ", ") + ")"
}

// name is the attribute's name within its block.
func (s setting) name() string { _, n, _ := strings.Cut(s.attr, "."); return n }

// fromEnv is the first non-empty environment variable of s, trimmed, or "".
func (s setting) fromEnv() string {
	for _, e := range s.envs {
		if v := strings.TrimSpace(os.Getenv(e)); v != "" {
			return v
		}
	}
	return ""
}

// resolve is the configured value when set, else the environment's.
func (s setting) resolve(v types.String) string {
	if inConfig(v) {
		return strings.TrimSpace(v.ValueString())
	}
	return s.fromEnv()
}

// inConfig reports whether the provider block sets v to a non-empty value.
func inConfig(v types.String) bool {
	return !v.IsNull() && !v.IsUnknown() && strings.TrimSpace(v.ValueString()) != ""
}

// boolSetting resolves a bool: the block's value when set, else the environment's; explicit
// says the block set it.
func boolSetting(s setting, v types.Bool, diags *diag.Diagnostics) (value, explicit bool) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), true
	}
	for _, e := range s.envs {
		raw := strings.TrimSpace(os.Getenv(e))
		if raw == "" {
			continue
		}
		b, err := strconv.ParseBool(raw)
		if err != nil {
			diags.AddAttributeError(path.Root(strings.Split(s.attr, ".")[0]).AtName(s.name()), "Invalid environment variable "+e,
				fmt.Sprintf("%s must be true or false, got %q.", e, raw))
		}
		return b, false
	}
	return false, false
}

// input is a setting with its resolved value, for the missing-input check.
type input struct {
	s setting
	v string
}

// missingInputs lists, in order, the inputs without a value.
func missingInputs(in ...input) []setting {
	var missing []setting
	for _, i := range in {
		if i.v == "" {
			missing = append(missing, i.s)
		}
	}
	return missing
}

// joinSettings is the list of settings as a diagnostic shows it.
func joinSettings(ss []setting) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.String()
	}
	return strings.Join(names, "; ")
}

// Outreach settings.
var (
	outreachAccessToken  = setting{"outreach.access_token", []string{"OUTREACH_ACCESS_TOKEN"}}
	outreachClientID     = setting{"outreach.client_id", []string{"OUTREACH_CLIENT_ID"}}
	outreachClientSecret = setting{"outreach.client_secret", []string{"OUTREACH_CLIENT_SECRET"}}
	outreachRefreshToken = setting{"outreach.refresh_token", []string{"OUTREACH_REFRESH_TOKEN"}}
	outreachRedirectURI  = setting{"outreach.redirect_uri", []string{"OUTREACH_REDIRECT_URI"}}
	outreachS2SAppID     = setting{"outreach.s2s_app_id", []string{"OUTREACH_S2S_APP_ID"}}
	outreachS2SKey       = setting{"outreach.s2s_private_key", []string{"OUTREACH_S2S_PRIVATE_KEY"}}
	outreachS2SInstall   = setting{"outreach.s2s_install_id", []string{"OUTREACH_S2S_INSTALL_ID"}}
)

// Outreach sign-in methods, in order of precedence.
const (
	outreachMethodNone         = ""
	outreachMethodAccessToken  = "access_token"
	outreachMethodS2S          = "s2s"
	outreachMethodRefreshToken = "refresh_token"
)

// chooseOutreachMethod applies the rule at the top of this file; fromConfig says the provider
// block chose.
func chooseOutreachMethod(m *outreachModel) (method string, fromConfig bool) {
	switch {
	case inConfig(m.AccessToken):
		return outreachMethodAccessToken, true
	case inConfig(m.S2SAppID) || inConfig(m.S2SPrivateKey) || inConfig(m.S2SInstallID):
		return outreachMethodS2S, true
	case inConfig(m.ClientID) || inConfig(m.ClientSecret) || inConfig(m.RefreshToken):
		return outreachMethodRefreshToken, true
	case outreachAccessToken.fromEnv() != "":
		return outreachMethodAccessToken, false
	case outreachS2SAppID.fromEnv() != "" || outreachS2SKey.fromEnv() != "" || outreachS2SInstall.fromEnv() != "":
		return outreachMethodS2S, false
	case outreachClientID.fromEnv() != "" || outreachClientSecret.fromEnv() != "" || outreachRefreshToken.fromEnv() != "":
		return outreachMethodRefreshToken, false
	}
	return outreachMethodNone, false
}

// warnRefreshTokenInCI says, once per provider configuration (so once in a plan's output), that
// a refresh-token chain does not survive CI: Outreach rotates the token on every use and a fresh
// runner has no token cache, so the chain breaks within 14 days.
func warnRefreshTokenInCI(diags *diag.Diagnostics) {
	if ci, err := strconv.ParseBool(strings.TrimSpace(os.Getenv("CI"))); err != nil || !ci {
		return
	}
	diags.AddAttributeWarning(path.Root("outreach").AtName("refresh_token"), "Outreach refresh token used in CI",
		"The provider runs in CI (CI=true) and signs in to Outreach with a refresh token. Outreach rotates the "+
			"refresh token on every use and keeps the newest one only in this runner's token cache, which a fresh "+
			"runner does not have: the stored token stops working within 14 days, or as soon as another run used it. "+
			"Use the server-to-server app in CI (outreach.s2s_app_id, s2s_private_key and s2s_install_id; "+
			"OUTREACH_S2S_APP_ID, OUTREACH_S2S_PRIVATE_KEY, OUTREACH_S2S_INSTALL_ID). See the guide \"Running in CI\".")
}

// Dynamics settings.
var (
	dynamicsAccessToken    = setting{"dynamics.access_token", []string{"DYNAMICS_ACCESS_TOKEN"}}
	dynamicsTenantID       = setting{"dynamics.tenant_id", []string{"AZURE_TENANT_ID"}}
	dynamicsClientID       = setting{"dynamics.client_id", []string{"AZURE_CLIENT_ID"}}
	dynamicsClientSecret   = setting{"dynamics.client_secret", []string{"AZURE_CLIENT_SECRET"}}
	dynamicsCertPath       = setting{"dynamics.client_certificate_path", []string{"AZURE_CLIENT_CERTIFICATE_PATH"}}
	dynamicsCertPassword   = setting{"dynamics.client_certificate_password", []string{"AZURE_CLIENT_CERTIFICATE_PASSWORD"}}
	dynamicsAuthorityHost  = setting{"dynamics.authority_host", []string{"AZURE_AUTHORITY_HOST"}}
	dynamicsUseCLI         = setting{"dynamics.use_cli", []string{"DYNAMICS_USE_CLI"}}
	dynamicsUseMI          = setting{"dynamics.use_managed_identity", []string{"DYNAMICS_USE_MANAGED_IDENTITY"}}
	dynamicsUseOIDC        = setting{"dynamics.use_oidc", []string{"DYNAMICS_USE_OIDC", "ARM_USE_OIDC"}}
	dynamicsOIDCRequestURL = setting{"dynamics.oidc_request_url", []string{"DYNAMICS_OIDC_REQUEST_URL", "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"}}
	// dynamicsOIDCRequestToken is the GitHub job's request token; in Azure Pipelines the same
	// attribute carries System.AccessToken, with that system's native variable.
	dynamicsOIDCRequestToken    = setting{"dynamics.oidc_request_token", []string{"DYNAMICS_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"}}
	dynamicsSystemAccessToken   = setting{"dynamics.oidc_request_token", []string{"DYNAMICS_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"}}
	dynamicsServiceConnectionID = setting{"dynamics.ado_pipeline_service_connection_id", []string{"DYNAMICS_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"}}
	dynamicsOIDCToken           = setting{"dynamics.oidc_token", []string{"DYNAMICS_OIDC_TOKEN", "ARM_OIDC_TOKEN", "TFC_WORKLOAD_IDENTITY_TOKEN"}}
	dynamicsOIDCTokenFile       = setting{"dynamics.oidc_token_file_path", []string{"DYNAMICS_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_TOKEN_FILE_PATH"}}
	// systemOIDCRequestURI is read by azidentity itself, from the environment only.
	systemOIDCRequestURI = setting{"SYSTEM_OIDCREQUESTURI", []string{"SYSTEM_OIDCREQUESTURI"}}
)

// Dynamics sign-in methods beyond the dynamics package's credentials.
const (
	dynamicsMethodNone        = ""
	dynamicsMethodAccessToken = "access_token"
	// dynamicsMethodOIDC is chosen first; chooseOIDCMode then picks one of the OIDC credentials.
	dynamicsMethodOIDC = "oidc"
)

// dynamicsChoice is the chosen sign-in method and where the choice came from.
type dynamicsChoice struct {
	method     string
	fromConfig bool
}

// chooseDynamicsMethod applies the rule at the top of this file. The environment's own workload
// identity variable (AZURE_FEDERATED_TOKEN_FILE), set by AKS and some CI systems on their own,
// only counts when nothing else is chosen, not even DYNAMICS_USE_CLI or
// DYNAMICS_USE_MANAGED_IDENTITY.
func chooseDynamicsMethod(m *dynamicsModel, diags *diag.Diagnostics) dynamicsChoice {
	useOIDC, oidcExplicit := boolSetting(dynamicsUseOIDC, m.UseOIDC, diags)
	useCLI, cliExplicit := boolSetting(dynamicsUseCLI, m.UseCLI, diags)
	useMI, miExplicit := boolSetting(dynamicsUseMI, m.UseManagedIdentity, diags)
	oidcInConfig := inConfig(m.OIDCToken) || inConfig(m.OIDCTokenFilePath) || inConfig(m.ADOPipelineServiceConnectionID) ||
		inConfig(m.OIDCRequestURL) || inConfig(m.OIDCRequestToken)
	if oidcExplicit && !useOIDC && oidcInConfig {
		diags.AddAttributeError(path.Root("dynamics").AtName("use_oidc"), "Contradictory Dynamics OIDC settings",
			"dynamics.use_oidc is false, but the block sets an OIDC input (oidc_token, oidc_token_file_path, "+
				"ado_pipeline_service_connection_id, oidc_request_url or oidc_request_token). Remove use_oidc = false or those inputs.")
	}
	switch {
	case inConfig(m.AccessToken):
		return dynamicsChoice{dynamicsMethodAccessToken, true}
	case inConfig(m.ClientSecret):
		return dynamicsChoice{dynamics.CredentialClientSecret, true}
	case inConfig(m.ClientCertificatePath):
		return dynamicsChoice{dynamics.CredentialClientCertificate, true}
	case (oidcExplicit && useOIDC) || (oidcInConfig && !oidcExplicit):
		return dynamicsChoice{dynamicsMethodOIDC, true}
	case cliExplicit && useCLI:
		return dynamicsChoice{dynamics.CredentialAzureCLI, true}
	case miExplicit && useMI:
		return dynamicsChoice{dynamics.CredentialManagedIdentity, true}
	case dynamicsAccessToken.fromEnv() != "":
		return dynamicsChoice{dynamicsMethodAccessToken, false}
	case dynamicsClientSecret.fromEnv() != "":
		return dynamicsChoice{dynamics.CredentialClientSecret, false}
	case dynamicsCertPath.fromEnv() != "":
		return dynamicsChoice{dynamics.CredentialClientCertificate, false}
	case useOIDC:
		return dynamicsChoice{dynamicsMethodOIDC, false}
	case useCLI:
		return dynamicsChoice{dynamics.CredentialAzureCLI, false}
	case useMI:
		return dynamicsChoice{dynamics.CredentialManagedIdentity, false}
	case strings.TrimSpace(os.Getenv("AZURE_FEDERATED_TOKEN_FILE")) != "":
		return dynamicsChoice{dynamics.CredentialWorkloadIdentity, false}
	}
	return dynamicsChoice{dynamicsMethodNone, false}
}

// chooseOIDCMode picks the OIDC source: what the block sets first, then the environment, each in
// the order: a JWT as such, a JWT file, Azure Pipelines, GitHub Actions. "" when none is found.
func chooseOIDCMode(m *dynamicsModel) string {
	switch {
	case inConfig(m.OIDCToken):
		return dynamics.CredentialOIDCToken
	case inConfig(m.OIDCTokenFilePath):
		return dynamics.CredentialOIDCTokenFile
	case inConfig(m.ADOPipelineServiceConnectionID):
		return dynamics.CredentialAzurePipelines
	case inConfig(m.OIDCRequestURL):
		return dynamics.CredentialGitHubActions
	case inConfig(m.OIDCRequestToken):
		// The token alone belongs to GitHub or to a pipeline: the service connection decides.
		if dynamicsServiceConnectionID.fromEnv() != "" {
			return dynamics.CredentialAzurePipelines
		}
		return dynamics.CredentialGitHubActions
	case dynamicsOIDCToken.fromEnv() != "":
		return dynamics.CredentialOIDCToken
	case dynamicsOIDCTokenFile.fromEnv() != "":
		return dynamics.CredentialOIDCTokenFile
	case dynamicsServiceConnectionID.fromEnv() != "":
		return dynamics.CredentialAzurePipelines
	case dynamicsOIDCRequestURL.fromEnv() != "":
		return dynamics.CredentialGitHubActions
	}
	return ""
}

// oidcModeNames are the OIDC credentials as diagnostics name them.
var oidcModeNames = map[string]string{
	dynamics.CredentialOIDCToken:      "an OIDC token (oidc_token)",
	dynamics.CredentialOIDCTokenFile:  "an OIDC token file (oidc_token_file_path)",
	dynamics.CredentialAzurePipelines: "Azure Pipelines workload identity federation",
	dynamics.CredentialGitHubActions:  "GitHub Actions OIDC",
}

// dynamicsCredentialConfig fills in the inputs of the chosen method, and only those. missing
// lists the inputs the method needs and neither the block nor the environment gives; hint
// explains where they come from.
func dynamicsCredentialConfig(ctx context.Context, m *dynamicsModel, choice dynamicsChoice) (cfg dynamics.CredentialConfig, summary string, missing []setting, hint string) {
	cfg = dynamics.CredentialConfig{
		Method:        choice.method,
		TenantID:      dynamicsTenantID.resolve(m.TenantID),
		ClientID:      dynamicsClientID.resolve(m.ClientID),
		AuthorityHost: dynamicsAuthorityHost.resolve(m.AuthorityHost),
	}
	app := []input{{dynamicsTenantID, cfg.TenantID}, {dynamicsClientID, cfg.ClientID}}
	switch choice.method {
	case dynamics.CredentialClientSecret:
		cfg.ClientSecret = dynamicsClientSecret.resolve(m.ClientSecret)
		return cfg, "Incomplete Dynamics client-secret credentials", missingInputs(append(app, input{dynamicsClientSecret, cfg.ClientSecret})...), ""
	case dynamics.CredentialClientCertificate:
		cfg.CertificatePath = dynamicsCertPath.resolve(m.ClientCertificatePath)
		cfg.CertificatePassword = dynamicsCertPassword.resolve(m.ClientCertificatePassword)
		return cfg, "Incomplete Dynamics client-certificate credentials", missingInputs(append(app, input{dynamicsCertPath, cfg.CertificatePath})...), ""
	case dynamics.CredentialWorkloadIdentity:
		cfg.FederatedTokenFile = strings.TrimSpace(os.Getenv("AZURE_FEDERATED_TOKEN_FILE"))
		return cfg, "Incomplete Dynamics workload identity credentials", missingInputs(app...), " (AZURE_FEDERATED_TOKEN_FILE is set, which selects workload identity)"
	case dynamics.CredentialAzureCLI:
		return cfg, "", nil, ""
	case dynamics.CredentialManagedIdentity:
		return cfg, "", nil, ""
	}
	// OIDC.
	mode := chooseOIDCMode(m)
	cfg.Method = mode
	tflog.Debug(ctx, "Dynamics OIDC source selected", map[string]any{"mode": mode})
	switch mode {
	case dynamics.CredentialOIDCToken:
		cfg.OIDCToken = dynamicsOIDCToken.resolve(m.OIDCToken)
		missing = missingInputs(app...)
	case dynamics.CredentialOIDCTokenFile:
		cfg.OIDCTokenFilePath = dynamicsOIDCTokenFile.resolve(m.OIDCTokenFilePath)
		missing = missingInputs(app...)
	case dynamics.CredentialAzurePipelines:
		cfg.ServiceConnectionID = dynamicsServiceConnectionID.resolve(m.ADOPipelineServiceConnectionID)
		cfg.OIDCRequestToken = dynamicsSystemAccessToken.resolve(m.OIDCRequestToken)
		missing = missingInputs(append(app, input{dynamicsServiceConnectionID, cfg.ServiceConnectionID},
			input{dynamicsSystemAccessToken, cfg.OIDCRequestToken}, input{systemOIDCRequestURI, systemOIDCRequestURI.fromEnv()})...)
		hint = " In the pipeline, map the access token explicitly (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)); " +
			"Azure Pipelines sets SYSTEM_OIDCREQUESTURI itself."
	case dynamics.CredentialGitHubActions:
		cfg.OIDCRequestURL = dynamicsOIDCRequestURL.resolve(m.OIDCRequestURL)
		cfg.OIDCRequestToken = dynamicsOIDCRequestToken.resolve(m.OIDCRequestToken)
		missing = missingInputs(append(app, input{dynamicsOIDCRequestURL, cfg.OIDCRequestURL}, input{dynamicsOIDCRequestToken, cfg.OIDCRequestToken})...)
		hint = " GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only for a job with " +
			"`permissions: id-token: write` (never for pull requests from forks)."
	default:
		return cfg, "No Dynamics OIDC token source", []setting{dynamicsOIDCToken, dynamicsOIDCTokenFile, dynamicsServiceConnectionID, dynamicsOIDCRequestURL},
			" OIDC is on (dynamics.use_oidc, DYNAMICS_USE_OIDC or ARM_USE_OIDC) but none of its sources is set; set one of them (GitHub Actions also needs dynamics.oidc_request_token)."
	}
	return cfg, "Incomplete Dynamics credentials for " + oidcModeNames[mode], missing, hint
}
