package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ list.ListResource              = &FieldMappingListResource{}
	_ list.ListResourceWithConfigure = &FieldMappingListResource{}
)

func init() { listResourceConstructors = append(listResourceConstructors, NewFieldMappingListResource) }

// NewFieldMappingListResource returns the outreach_dynamics_field_mapping list resource.
func NewFieldMappingListResource() list.ListResource { return &FieldMappingListResource{} }

// FieldMappingListResource lists the field mappings of a plugin for `terraform query`, managed
// by Terraform or not, so that mappings made in the Outreach UI can be adopted in bulk.
type FieldMappingListResource struct{ data *providerData }

type fieldMappingListModel struct {
	PluginID types.Int64  `tfsdk:"plugin_id"`
	Object   types.String `tfsdk:"object"`
}

// Metadata names the list resource after the resource it lists.
func (l *FieldMappingListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_field_mapping"
}

// ListResourceConfigSchema describes the filters of a `list` block.
func (l *FieldMappingListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the field mappings of the Outreach Dynamics plugin, by id, with their identity " +
			"(`object`, `outreach_field`, `plugin_id`) and, with `include_resource = true`, every attribute.",
		Attributes: map[string]listschema.Attribute{
			"plugin_id": listPluginIDAttribute(),
			"object":    listObjectAttribute("mappings"),
		},
	}
}

// Configure receives the provider data.
func (l *FieldMappingListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// List pages through the plugin's mappings as Terraform reads the results.
func (l *FieldMappingListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	listStream(req, stream, func(out *listEmitter) {
		var cfg fieldMappingListModel
		diags := req.Config.Get(ctx, &cfg)
		c, pluginID := out.outreachPlugin(ctx, l.data, "outreach_dynamics_field_mapping", cfg.PluginID, diags)
		if c == nil {
			return
		}
		object := cfg.Object.ValueString()
		for page, err := range c.FieldMappingPages(ctx, outreach.MappingFilter{PluginID: pluginID, CRMObject: object}) {
			if err != nil {
				out.fail(path.Empty(), "Cannot list the plugin's field mappings", err)
				return
			}
			for i := range page {
				if object != "" && page[i].CRMObject != object {
					continue
				}
				m := fieldMappingFromAPI(&page[i], pluginID)
				if !out.emit(ctx, fieldMappingDisplayName(m), fieldMappingIdentity(m), func(*diag.Diagnostics) any { return &m }) {
					return
				}
			}
		}
	})
}

// fieldMappingDisplayName describes a mapping as a person reads it:
// `lead: optedOut ↔ donotemail (bidirectional)`.
func fieldMappingDisplayName(m fieldMappingModel) string {
	direction := m.Direction.ValueString()
	arrow := map[string]string{
		mappingDirectionBoth:       "↔",
		mappingDirectionToDynamics: "→",
		mappingDirectionToOutreach: "←",
	}[direction]
	if arrow == "" {
		arrow = "-"
	}
	return m.Object.ValueString() + ": " + m.OutreachField.ValueString() + " " + arrow + " " + m.DynamicsField.ValueString() + " (" + direction + ")"
}
