package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ action.Action              = &RefreshFieldsAction{}
	_ action.ActionWithConfigure = &RefreshFieldsAction{}
)

func init() { actionConstructors = append(actionConstructors, NewRefreshFieldsAction) }

// NewRefreshFieldsAction returns the outreach_dynamics_refresh_fields action.
func NewRefreshFieldsAction() action.Action { return &RefreshFieldsAction{} }

// RefreshFieldsAction makes the Dynamics plugin re-read the CRM's columns into its field catalog
// (contract 3.1 refreshFields): until then, a column created in Dynamics since the last refresh
// cannot be mapped or used in a sync condition.
type RefreshFieldsAction struct{ data *providerData }

type refreshFieldsActionModel struct {
	PluginID types.Int64 `tfsdk:"plugin_id"`
}

// Metadata names the action.
func (a *RefreshFieldsAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_refresh_fields"
}

// Schema describes the action's configuration.
func (a *RefreshFieldsAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Makes the Outreach Dynamics plugin re-read the Dynamics 365 columns into its field catalog, as " +
			"the Outreach UI's \"Refresh fields\" does. A column created in Dynamics is unknown to the plugin until then. " +
			"Field mappings and sync conditions refresh the catalog themselves when they meet a new column; the action is " +
			"for everything else (a column created outside Terraform, mappings made in the Outreach UI), run with " +
			"`terraform apply -invoke=action.outreach_dynamics_refresh_fields.<name>` or from a resource's " +
			"`lifecycle { action_trigger { ... } }`, e.g. after `dynamics_sales_optout_field` creates a column. " +
			"Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"plugin_id": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Id of the Outreach Dynamics plugin. Defaults to the provider's `outreach.plugin_id`, else " +
					"the organization's only Dynamics plugin.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
		},
	}
}

// Configure receives the provider data.
func (a *RefreshFieldsAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Invoke refreshes the plugin's fields and reports, as progress, what the catalog holds after.
func (a *RefreshFieldsAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg refreshFieldsActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.data == nil {
		resp.Diagnostics.AddError("Provider not configured",
			"The provider was not configured before outreach_dynamics_refresh_fields was invoked. Please report this issue to the provider developers.")
		return
	}
	progress := func(format string, args ...any) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
		}
	}
	c := a.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	pluginID := a.data.resolvePluginID(ctx, cfg.PluginID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plugin, err := c.GetPlugin(ctx, pluginID)
	switch {
	case outreach.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("plugin_id"), "Plugin not found",
			fmt.Sprintf("Outreach has no plugin %d. The outreach_dynamics_plugin data source shows the organization's Dynamics plugin; set plugin_id to its id.", pluginID))
		return
	case err != nil:
		addClientError(&resp.Diagnostics, path.Root("plugin_id"), "Cannot read the plugin", err)
		return
	case plugin.Kind != "dynamics":
		resp.Diagnostics.AddAttributeError(path.Root("plugin_id"), "Not a Dynamics plugin",
			fmt.Sprintf("Plugin %d (%s) is a %s plugin; outreach_dynamics_refresh_fields refreshes Dynamics plugins only. Set plugin_id to the Dynamics plugin's id.",
				pluginID, plugin.Name, plugin.Kind))
		return
	}
	progress("Refreshing the field catalog of plugin %d (%s, %s): Outreach re-reads the Dynamics columns", pluginID, plugin.Name, plugin.InstanceURL)
	// Through the catalog's refresh, shared with any write of this process waiting for one: a new
	// refresh (after every one started so far), and the cached catalog forgotten once it is done,
	// so that plans later in this run see the new columns.
	if _, err := a.data.catalog.refreshFields(ctx, c, pluginID, a.data.catalog.refreshMark(pluginID)); err != nil {
		addClientError(&resp.Diagnostics, path.Root("plugin_id"), "Cannot refresh the plugin's fields", err)
		return
	}
	fields, err := c.ListFields(ctx, outreach.FieldFilter{PluginID: pluginID, Side: catalogSideCRM})
	if err != nil {
		// The refresh itself succeeded; only the summary is missing.
		resp.Diagnostics.AddWarning("Fields refreshed, catalog not readable",
			fmt.Sprintf("Plugin %d re-read the Dynamics columns, but its field catalog could not be read back for the summary: %v", pluginID, err))
		return
	}
	progress("Plugin %d's field catalog now lists %s", pluginID, refreshFieldsSummary(fields))
}

// refreshFieldsSummary counts the Dynamics columns of the catalog per object:
// `57 Dynamics columns (contact 20, lead 21, ...)`.
func refreshFieldsSummary(fields []outreach.Field) string {
	per := map[string]int{}
	for _, f := range fields {
		per[f.CRMObject]++
	}
	objects := make([]string, 0, len(per))
	for o := range per {
		objects = append(objects, o)
	}
	sort.Strings(objects)
	parts := make([]string, len(objects))
	for i, o := range objects {
		parts[i] = fmt.Sprintf("%s %d", o, per[o])
	}
	return fmt.Sprintf("%d Dynamics columns (%s)", len(fields), strings.Join(parts, ", "))
}
