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
				Optional:            true,
				MarkdownDescription: "Connection to the Outreach API. Needed by every `outreach_*` resource and data source.",
				Attributes: map[string]schema.Attribute{
					"base_url":      str("Outreach API base URL. Default `https://api.outreach.io`. Environment: `OUTREACH_BASE_URL`. `http://` is accepted for loopback hosts only.", false),
					"access_token":  str("A static OAuth access token; takes precedence over every other method. Environment: `OUTREACH_ACCESS_TOKEN`.", true),
					"client_id":     str("OAuth client id for the refresh-token flow. Environment: `OUTREACH_CLIENT_ID`.", false),
					"client_secret": str("OAuth client secret for the refresh-token flow. Environment: `OUTREACH_CLIENT_SECRET`.", true),
					"refresh_token": str("OAuth refresh token. Outreach rotates refresh tokens on every use; the provider keeps the newest one in its token cache and uses it from then on. Environment: `OUTREACH_REFRESH_TOKEN`.", true),
					"redirect_uri":  str("Redirect URI registered for the OAuth client. Environment: `OUTREACH_REDIRECT_URI`.", false),
					"s2s_app_id":    str("Server-to-server app id (the app's S2S GUID), the JWT issuer. Environment: `OUTREACH_S2S_APP_ID`.", false),
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
				Optional:            true,
				MarkdownDescription: "Connection to the Dataverse Web API of the Dynamics 365 organization. Needed by every `dynamics_*` resource and data source.",
				Attributes: map[string]schema.Attribute{
					"url":                         str("Organization URL, e.g. `https://contoso.crm.dynamics.com`. Environment: `DYNAMICS_URL`. `http://` is accepted for loopback hosts only.", false),
					"access_token":                str("A static bearer token for Dataverse; takes precedence over Azure credentials. Environment: `DYNAMICS_ACCESS_TOKEN`.", true),
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
						"Workload identity (OIDC in CI) is used when `AZURE_FEDERATED_TOKEN_FILE` is set.", false),
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
	resp.ResourceData = data
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
