package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ list.ListResource              = &ObjectSettingsListResource{}
	_ list.ListResourceWithConfigure = &ObjectSettingsListResource{}
)

func init() {
	listResourceConstructors = append(listResourceConstructors, NewObjectSettingsListResource)
}

// NewObjectSettingsListResource returns the outreach_dynamics_object_settings list resource.
func NewObjectSettingsListResource() list.ListResource { return &ObjectSettingsListResource{} }

// ObjectSettingsListResource lists the sync settings of every CRM object of a plugin for
// `terraform query`.
type ObjectSettingsListResource struct{ data *providerData }

type objectSettingsListModel struct {
	PluginID types.Int64 `tfsdk:"plugin_id"`
}

// Metadata names the list resource after the resource it lists.
func (l *ObjectSettingsListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_object_settings"
}

// ListResourceConfigSchema describes the filters of a `list` block.
func (l *ObjectSettingsListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the sync settings of every CRM object of the Outreach Dynamics plugin, with their " +
			"identity (`object`, `plugin_id`) and, with `include_resource = true`, every setting.",
		Attributes: map[string]listschema.Attribute{
			"plugin_id": listPluginIDAttribute(),
		},
	}
}

// Configure receives the provider data.
func (l *ObjectSettingsListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// List reads the plugin's objects (one per CRM object, a single page) as Terraform reads the
// results.
func (l *ObjectSettingsListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	listStream(req, stream, func(out *listEmitter) {
		var cfg objectSettingsListModel
		diags := req.Config.Get(ctx, &cfg)
		c, pluginID := out.outreachPlugin(ctx, l.data, "outreach_dynamics_object_settings", cfg.PluginID, diags)
		if c == nil {
			return
		}
		objs, err := c.ListPluginObjects(ctx, pluginID, "")
		if err != nil {
			out.fail(path.Empty(), "Cannot read the plugin's objects", err)
			return
		}
		for i := range objs {
			if objs[i].PluginID == 0 {
				objs[i].PluginID = pluginID
			}
			m := objectSettingsState(&objs[i], objectSettingsResourceModel{}, objectSettingsResourceModel{})
			if !out.emit(ctx, objectSettingsDisplayName(*m), objectSettingsIdentity(*m), func(*diag.Diagnostics) any { return m }) {
				return
			}
		}
	})
}

// objectSettingsDisplayName describes an object's settings as a person reads them:
// `lead ↔ prospect: polling every 15 min, pushing, inbound update`.
func objectSettingsDisplayName(m objectSettingsResourceModel) string {
	var on []string
	if m.Polling.ValueBool() {
		on = append(on, fmt.Sprintf("polling every %d min", m.PollingFrequency.ValueInt64()))
	}
	for _, t := range []struct {
		v    types.Bool
		name string
	}{
		{m.Pushing, "pushing"}, {m.InboundCreate, "inbound create"}, {m.InboundUpdate, "inbound update"},
		{m.OutboundCreate, "outbound create"}, {m.OutboundUpdate, "outbound update"},
	} {
		if t.v.ValueBool() {
			on = append(on, t.name)
		}
	}
	state := "no sync"
	if len(on) > 0 {
		state = strings.Join(on, ", ")
	}
	return m.Object.ValueString() + " ↔ " + m.OutreachObject.ValueString() + ": " + state
}
