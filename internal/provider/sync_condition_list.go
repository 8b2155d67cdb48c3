package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ list.ListResource              = &SyncConditionListResource{}
	_ list.ListResourceWithConfigure = &SyncConditionListResource{}
)

func init() {
	listResourceConstructors = append(listResourceConstructors, NewSyncConditionListResource)
}

// NewSyncConditionListResource returns the outreach_dynamics_sync_condition list resource.
func NewSyncConditionListResource() list.ListResource { return &SyncConditionListResource{} }

// SyncConditionListResource lists the sync conditions of a plugin for `terraform query`.
type SyncConditionListResource struct{ data *providerData }

type syncConditionListModel struct {
	PluginID types.Int64  `tfsdk:"plugin_id"`
	Object   types.String `tfsdk:"object"`
	Trigger  types.String `tfsdk:"trigger"`
}

// Metadata names the list resource after the resource it lists.
func (l *SyncConditionListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_sync_condition"
}

// ListResourceConfigSchema describes the filters of a `list` block.
func (l *SyncConditionListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the sync conditions of the Outreach Dynamics plugin, by id, with their identity " +
			"(`id`, `plugin_id`) and, with `include_resource = true`, every attribute.",
		Attributes: map[string]listschema.Attribute{
			"plugin_id": listPluginIDAttribute(),
			"object":    listObjectAttribute("conditions"),
			"trigger": listschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the conditions of this trigger: one of " + quoteJoin(syncConditionTriggerNames, ", ") + ". Default: every trigger.",
				Validators:          []validator.String{stringvalidator.OneOf(syncConditionTriggerNames...)},
			},
		},
	}
}

// Configure receives the provider data.
func (l *SyncConditionListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// List pages through the plugin's conditions as Terraform reads the results.
func (l *SyncConditionListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	listStream(req, stream, func(out *listEmitter) {
		var cfg syncConditionListModel
		diags := req.Config.Get(ctx, &cfg)
		c, pluginID := out.outreachPlugin(ctx, l.data, "outreach_dynamics_sync_condition", cfg.PluginID, diags)
		if c == nil {
			return
		}
		filter := outreach.ConditionFilter{PluginID: pluginID, CRMObject: cfg.Object.ValueString()}
		if !cfg.Trigger.IsNull() {
			filter.Trigger = syncConditionWireWord(syncConditionTriggers, cfg.Trigger.ValueString())
		}
		for page, err := range c.SyncConditionPages(ctx, filter) {
			if err != nil {
				out.fail(path.Empty(), "Cannot list the plugin's sync conditions", err)
				return
			}
			for i := range page {
				cond := &page[i]
				if (filter.CRMObject != "" && cond.CRMObject != filter.CRMObject) || (filter.Trigger != "" && cond.Trigger != filter.Trigger) {
					continue
				}
				if cond.PluginID == 0 {
					cond.PluginID = pluginID
				}
				var d diag.Diagnostics
				m := syncConditionState(ctx, cond, syncConditionResourceModel{}, &d)
				if out.failed(d) {
					return
				}
				if !out.emit(ctx, syncConditionDisplayName(ctx, *m), syncConditionIdentity(*m), func(*diag.Diagnostics) any { return m }) {
					return
				}
			}
		}
	})
}

// syncConditionDisplayName describes a condition as a person reads it:
// `lead polling: donotemail equals false`, `contact inbound_create: statecode in [0, 1]`.
func syncConditionDisplayName(ctx context.Context, m syncConditionResourceModel) string {
	s := m.Object.ValueString() + " " + m.Trigger.ValueString() + ": " + m.Field.ValueString() + " " + m.Operator.ValueString()
	switch {
	case !m.Value.IsNull():
		s += " " + m.Value.ValueString()
	case !m.Values.IsNull():
		var values []string
		_ = m.Values.ElementsAs(ctx, &values, false)
		s += " [" + strings.Join(values, ", ") + "]"
	}
	return s
}
