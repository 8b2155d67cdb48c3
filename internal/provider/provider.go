// Package provider is the Terraform layer of the provider: schemas, plan logic and the mapping
// between Terraform values and the typed clients in internal/outreach and internal/dynamics.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// RegistryAddress is the provider's source address in the Terraform Registry.
const RegistryAddress = "registry.terraform.io/optout-sync/outreach"

var (
	_ provider.Provider                  = &OutreachProvider{}
	_ provider.ProviderWithListResources = &OutreachProvider{}
	_ provider.ProviderWithActions       = &OutreachProvider{}
)

// New returns a constructor of the provider for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &OutreachProvider{version: version}
	}
}

// OutreachProvider manages the Outreach Dynamics 365 plugin configuration and the Dataverse columns
// it maps.
type OutreachProvider struct {
	version string
}

// providerModel is the provider block.
type providerModel struct {
	Outreach   *outreachModel `tfsdk:"outreach"`
	Dynamics   *dynamicsModel `tfsdk:"dynamics"`
	MaxRetries types.Int64    `tfsdk:"max_retries"`
}

type outreachModel struct {
	BaseURL       types.String `tfsdk:"base_url"`
	AccessToken   types.String `tfsdk:"access_token"`
	ClientID      types.String `tfsdk:"client_id"`
	ClientSecret  types.String `tfsdk:"client_secret"`
	RefreshToken  types.String `tfsdk:"refresh_token"`
	RedirectURI   types.String `tfsdk:"redirect_uri"`
	S2SAppID      types.String `tfsdk:"s2s_app_id"`
	S2SPrivateKey types.String `tfsdk:"s2s_private_key"`
	S2SInstallID  types.String `tfsdk:"s2s_install_id"`
	PluginID      types.Int64  `tfsdk:"plugin_id"`
	TokenCacheDir types.String `tfsdk:"token_cache_dir"`
}

type dynamicsModel struct {
	URL                       types.String `tfsdk:"url"`
	AccessToken               types.String `tfsdk:"access_token"`
	TenantID                  types.String `tfsdk:"tenant_id"`
	ClientID                  types.String `tfsdk:"client_id"`
	ClientSecret              types.String `tfsdk:"client_secret"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
	UseManagedIdentity        types.Bool   `tfsdk:"use_managed_identity"`
	AuthorityHost             types.String `tfsdk:"authority_host"`
	Solution                  types.String `tfsdk:"solution"`

	UseOIDC                        types.Bool   `tfsdk:"use_oidc"`
	OIDCRequestURL                 types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken               types.String `tfsdk:"oidc_request_token"`
	ADOPipelineServiceConnectionID types.String `tfsdk:"ado_pipeline_service_connection_id"`
	OIDCToken                      types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath              types.String `tfsdk:"oidc_token_file_path"`
}

// Metadata names the provider.
func (p *OutreachProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "outreach"
	resp.Version = p.version
}

// Schema describes the provider block. Every attribute falls back to an environment variable, so
// that secrets can stay out of configuration files.
func (p *OutreachProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	str := func(desc string, sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Sensitive: sensitive, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the opt-out sync between Outreach and Microsoft Dynamics 365: the Outreach " +
			"Dynamics plugin's field mappings, sync conditions and object settings, and the custom Sales Opt Out " +
			"column in Dataverse. Both blocks are optional: configure only the system you manage.",
		Attributes: map[string]schema.Attribute{
			"outreach": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Connection to the Outreach API. Needed by every `outreach_*` resource and data source. " +
					"Sign-in methods, in order of precedence: `access_token`; the server-to-server app (`s2s_*`, the method for CI); " +
					"the OAuth refresh-token flow (`client_id`, `client_secret`, `refresh_token`, `redirect_uri`). " + configDecides,
				Attributes: map[string]schema.Attribute{
					"base_url":      str("Outreach API base URL. Default `https://api.outreach.io`. Environment: `OUTREACH_BASE_URL`. `http://` is accepted for loopback hosts only.", false),
					"access_token":  str("A static OAuth access token; takes precedence over the other methods set in this block. Environment: `OUTREACH_ACCESS_TOKEN` (used only when this block sets no sign-in method).", true),
					"client_id":     str("OAuth client id for the refresh-token flow. Environment: `OUTREACH_CLIENT_ID`.", false),
					"client_secret": str("OAuth client secret for the refresh-token flow. Environment: `OUTREACH_CLIENT_SECRET`.", true),
					"refresh_token": str("OAuth refresh token. Outreach rotates refresh tokens on every use; the provider keeps the newest one in its token cache and uses it from then on. "+
						"A CI runner starts without that cache, so a stored refresh token stops working within 14 days: use the server-to-server app in CI "+
						"(the provider warns when `CI=true` and it signs in with a refresh token). Environment: `OUTREACH_REFRESH_TOKEN`.", true),
					"redirect_uri": str("Redirect URI registered for the OAuth client. Environment: `OUTREACH_REDIRECT_URI`.", false),
					"s2s_app_id":   str("Server-to-server app id (the app's S2S GUID), the JWT issuer. The server-to-server app is the sign-in method for CI. Environment: `OUTREACH_S2S_APP_ID`.", false),
					"s2s_private_key": str("The S2S app's RSA private key, as PEM text or a path to a PEM file; signs the RS256 app token. "+
						"Environment: `OUTREACH_S2S_PRIVATE_KEY`.", true),
					"s2s_install_id": str("The app installation id the S2S token is exchanged for. Environment: `OUTREACH_S2S_INSTALL_ID`.", false),
					"plugin_id": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "Default Dynamics plugin id for resources that do not set `plugin_id`. When neither is set, " +
							"the organization's only Dynamics plugin is used. Environment: `OUTREACH_PLUGIN_ID`.",
						Validators: []validator.Int64{int64validator.AtLeast(1)},
					},
					"token_cache_dir": str("Directory of the refresh-token cache. Default: `terraform-provider-outreach` under the user cache directory "+
						"(`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LocalAppData%` on Windows). Environment: `OUTREACH_TOKEN_CACHE_DIR`.", false),
				},
			},
			"dynamics": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Connection to the Dataverse Web API of the Dynamics 365 organization. Needed by every `dynamics_*` resource and data source. " +
					"Sign-in methods, in order of precedence: `access_token`; `client_secret`; `client_certificate_path`; OpenID Connect from CI " +
					"(`use_oidc` or any `oidc_*` / `ado_pipeline_service_connection_id` setting, no stored secret); `use_cli`; " +
					"`use_managed_identity`; last, workload identity (`AZURE_FEDERATED_TOKEN_FILE`, environment only). " + configDecides,
				Attributes: map[string]schema.Attribute{
					"url":                         str("Organization URL, e.g. `https://contoso.crm.dynamics.com`. Environment: `DYNAMICS_URL`. `http://` is accepted for loopback hosts only.", false),
					"access_token":                str("A static bearer token for Dataverse; takes precedence over the other methods set in this block. Environment: `DYNAMICS_ACCESS_TOKEN` (used only when this block sets no sign-in method).", true),
					"tenant_id":                   str("Microsoft Entra tenant id. Environment: `AZURE_TENANT_ID`.", false),
					"client_id":                   str("Application (client) id of the app registration bound to a Dataverse application user. Environment: `AZURE_CLIENT_ID`.", false),
					"client_secret":               str("Client secret of the app registration. Environment: `AZURE_CLIENT_SECRET`.", true),
					"client_certificate_path":     str("Path to a PEM or PKCS#12 client certificate. Environment: `AZURE_CLIENT_CERTIFICATE_PATH`.", false),
					"client_certificate_password": str("Password of the PKCS#12 certificate. Environment: `AZURE_CLIENT_CERTIFICATE_PASSWORD`.", true),
					"use_cli": schema.BoolAttribute{
						Optional:            true,
						MarkdownDescription: "Use the Azure CLI's signed-in account. Environment: `DYNAMICS_USE_CLI`.",
					},
					"use_managed_identity": schema.BoolAttribute{
						Optional:            true,
						MarkdownDescription: "Use the managed identity of the machine (with `client_id` for a user-assigned identity). Environment: `DYNAMICS_USE_MANAGED_IDENTITY`.",
					},
					"authority_host": str("Microsoft Entra authority host, for sovereign and private clouds. Environment: `AZURE_AUTHORITY_HOST`. "+
						"Workload identity (Kubernetes) is used when `AZURE_FEDERATED_TOKEN_FILE` is set and no other method is chosen.", false),
					"use_oidc": schema.BoolAttribute{
						Optional: true,
						MarkdownDescription: "Sign in with an OpenID Connect token from the CI system, exchanged at Entra ID as a client assertion " +
							"against a federated credential of the app registration (with `tenant_id` and `client_id`). The source is, in order: " +
							"`oidc_token`, `oidc_token_file_path`, `ado_pipeline_service_connection_id` (Azure Pipelines), `oidc_request_url` " +
							"(GitHub Actions); settings of this block first, then the environment. Setting one of those in this block turns OIDC on " +
							"by itself; from the environment, OIDC is used only with `DYNAMICS_USE_OIDC` or `ARM_USE_OIDC`, because CI systems " +
							"set their variables in every job. A new assertion is obtained for every new access token. " +
							"Environment: `DYNAMICS_USE_OIDC`, `ARM_USE_OIDC`.",
					},
					"oidc_request_url": str("GitHub Actions: the URL the job's OIDC token is requested from (audience `api://AzureADTokenExchange`). "+
						"The job needs `permissions: id-token: write`. Environment: `DYNAMICS_OIDC_REQUEST_URL`, `ARM_OIDC_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_URL`.", false),
					"oidc_request_token": str("GitHub Actions: the bearer token for `oidc_request_url` (environment: `DYNAMICS_OIDC_REQUEST_TOKEN`, "+
						"`ARM_OIDC_REQUEST_TOKEN`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN`). Azure Pipelines: the pipeline's `System.AccessToken` "+
						"(environment: `DYNAMICS_OIDC_REQUEST_TOKEN`, `ARM_OIDC_REQUEST_TOKEN`, `SYSTEM_ACCESSTOKEN`, which the pipeline must map explicitly).", true),
					"ado_pipeline_service_connection_id": str("Azure Pipelines: the id of the Azure Resource Manager service connection that uses "+
						"workload identity federation; the token is requested from the pipeline's `SYSTEM_OIDCREQUESTURI`. Environment: "+
						"`DYNAMICS_ADO_PIPELINE_SERVICE_CONNECTION_ID`, `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`.", false),
					"oidc_token": str("An OIDC token (JWT) as such, e.g. HCP Terraform's workload identity token, which lasts for the run phase. "+
						"Environment: `DYNAMICS_OIDC_TOKEN`, `ARM_OIDC_TOKEN`, `TFC_WORKLOAD_IDENTITY_TOKEN`.", true),
					"oidc_token_file_path": str("A file holding an OIDC token (JWT); it is read again for every new access token, so a rotated token is used. "+
						"Environment: `DYNAMICS_OIDC_TOKEN_FILE_PATH`, `ARM_OIDC_TOKEN_FILE_PATH`.", false),
					"solution": str("Unique name of the unmanaged solution new columns are created in, unless a resource says otherwise. Environment: `DYNAMICS_SOLUTION`.", false),
				},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How often a throttled (429) or temporarily failing request is retried, with exponential backoff " +
					"and the server's `Retry-After`. Default 10. Environment: `OUTREACH_MAX_RETRIES`.",
				Validators: []validator.Int64{int64validator.Between(0, 50)},
			},
		},
	}
}

// configDecides is the precedence rule between the provider block and the environment, as the
// schema states it (provider_credentials.go applies it).
const configDecides = "The block decides: when it sets an input of a sign-in method, that method is used, the environment only fills in " +
	"inputs of that method the block leaves unset, and variables of other methods are ignored (an access token exported in a shell " +
	"never overrides the method configured here). Only when the block sets no method does the environment choose, in the same order."

// Configure resolves the configuration and environment into clients. Nothing is contacted here:
// a system that is not configured only fails when a resource needs it, with an error naming what
// is missing.
func (p *OutreachProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := newProviderData(ctx, p.version, cfg, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = data.forResources()
	resp.DataSourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// Resources lists the managed resource types.
func (p *OutreachProvider) Resources(_ context.Context) []func() resource.Resource {
	return resourceConstructors
}

// DataSources lists the data sources.
func (p *OutreachProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSourceConstructors
}

// ListResources lists the list resources (`terraform query`, Terraform 1.14 and later), one per
// managed resource type.
func (p *OutreachProvider) ListResources(_ context.Context) []func() list.ListResource {
	return listResourceConstructors
}

// Actions lists the actions (Terraform 1.14 and later).
func (p *OutreachProvider) Actions(_ context.Context) []func() action.Action {
	return actionConstructors
}

// resourceConstructors, dataSourceConstructors, listResourceConstructors and actionConstructors
// are filled by each type's file, so that adding a type touches one file only.
var (
	resourceConstructors     []func() resource.Resource
	dataSourceConstructors   []func() datasource.DataSource
	listResourceConstructors []func() list.ListResource
	actionConstructors       []func() action.Action
)
