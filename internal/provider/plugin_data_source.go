package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ datasource.DataSource                     = &PluginDataSource{}
	_ datasource.DataSourceWithConfigure        = &PluginDataSource{}
	_ datasource.DataSourceWithConfigValidators = &PluginDataSource{}
)

func init() { dataSourceConstructors = append(dataSourceConstructors, NewPluginDataSource) }

// NewPluginDataSource returns the outreach_dynamics_plugin data source.
func NewPluginDataSource() datasource.DataSource { return &PluginDataSource{} }

// PluginDataSource looks up an Outreach Dynamics plugin by id or by the Dynamics org URL.
type PluginDataSource struct{ data *providerData }

type pluginDataSourceModel struct {
	ID          types.Int64  `tfsdk:"id"`
	InstanceURL types.String `tfsdk:"instance_url"`
	Name        types.String `tfsdk:"name"`
	Kind        types.String `tfsdk:"kind"`
	SyncStatus  types.String `tfsdk:"sync_status"`
	CreatedAt   types.String `tfsdk:"created_at"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
}

// Metadata names the data source.
func (d *PluginDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_plugin"
}

// Schema describes the data source.
func (d *PluginDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up the Outreach Dynamics 365 plugin by `id` or by `instance_url` (the Dynamics " +
			"organization URL). With neither, the provider's `outreach.plugin_id` or the organization's only Dynamics plugin is used.",
		Attributes: map[string]schema.Attribute{
			"id": schema.Int64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Plugin id.",
			},
			"instance_url": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Dynamics organization URL the plugin is connected to, e.g. `https://contoso.crm.dynamics.com`. Compared without a trailing slash and case-insensitively.",
			},
			"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Display name of the plugin."},
			"kind":        schema.StringAttribute{Computed: true, MarkdownDescription: "Always `dynamics`."},
			"sync_status": schema.StringAttribute{Computed: true, MarkdownDescription: "`active`, `paused` or `disconnected`."},
			"created_at":  schema.StringAttribute{Computed: true, MarkdownDescription: "Creation time (RFC 3339)."},
			"updated_at":  schema.StringAttribute{Computed: true, MarkdownDescription: "Last update time (RFC 3339)."},
		},
	}
}

// ConfigValidators forbids asking by id and URL at once.
func (d *PluginDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("instance_url")),
	}
}

// Configure receives the provider data.
func (d *PluginDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read finds the plugin.
func (d *PluginDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m pluginDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	var plugin *outreach.Plugin
	switch {
	case !m.InstanceURL.IsNull():
		want := normalizeURL(m.InstanceURL.ValueString())
		plugins, err := c.ListPlugins(ctx, outreach.PluginFilter{Kind: "dynamics"})
		if err != nil {
			addClientError(&resp.Diagnostics, path.Root("instance_url"), "Cannot list the Outreach plugins", err)
			return
		}
		var seen []string
		for i := range plugins {
			if normalizeURL(plugins[i].InstanceURL) == want {
				plugin = &plugins[i]
				break
			}
			seen = append(seen, plugins[i].InstanceURL)
		}
		if plugin == nil {
			resp.Diagnostics.AddAttributeError(path.Root("instance_url"), "No Dynamics plugin for this URL",
				fmt.Sprintf("No Outreach Dynamics plugin is connected to %q. Connected: %s.", m.InstanceURL.ValueString(), orNone(seen)))
			return
		}
	default:
		id := d.data.resolvePluginID(ctx, m.ID, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		p, err := c.GetPlugin(ctx, id)
		if err != nil {
			if outreach.IsNotFound(err) {
				resp.Diagnostics.AddAttributeError(path.Root("id"), "Plugin not found",
					fmt.Sprintf("Outreach has no plugin with id %d. Use the plugin id shown in the Outreach plugin settings, or look it up by instance_url.", id))
				return
			}
			addClientError(&resp.Diagnostics, path.Root("id"), "Cannot read the Outreach plugin", err)
			return
		}
		if p.Kind != "dynamics" {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Not a Dynamics plugin",
				fmt.Sprintf("Plugin %d is a %s plugin; this provider manages Dynamics plugins only.", id, p.Kind))
			return
		}
		plugin = p
	}
	m.ID = types.Int64Value(plugin.ID)
	m.InstanceURL = types.StringValue(plugin.InstanceURL)
	m.Name = types.StringValue(plugin.Name)
	m.Kind = types.StringValue(plugin.Kind)
	m.SyncStatus = types.StringValue(plugin.SyncStatus)
	m.CreatedAt = timeValue(plugin.CreatedAt)
	m.UpdatedAt = timeValue(plugin.UpdatedAt)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func normalizeURL(u string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(u), "/"))
}

func orNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

// timeValue renders a timestamp as RFC 3339, or null when the API gave none.
func timeValue(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
