package provider

import (
	"context"
	"sort"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ datasource.DataSource              = &FieldMappingsDataSource{}
	_ datasource.DataSourceWithConfigure = &FieldMappingsDataSource{}
)

func init() { dataSourceConstructors = append(dataSourceConstructors, NewFieldMappingsDataSource) }

// NewFieldMappingsDataSource returns the outreach_dynamics_field_mappings data source.
func NewFieldMappingsDataSource() datasource.DataSource { return &FieldMappingsDataSource{} }

// FieldMappingsDataSource lists every field mapping of one CRM object, managed by Terraform or not.
type FieldMappingsDataSource struct{ data *providerData }

type fieldMappingsDataSourceModel struct {
	PluginID types.Int64                   `tfsdk:"plugin_id"`
	Object   types.String                  `tfsdk:"object"`
	Mappings []fieldMappingsDataSourceItem `tfsdk:"mappings"`
}

type fieldMappingsDataSourceItem struct {
	ID                    types.String `tfsdk:"id"`
	OutreachField         types.String `tfsdk:"outreach_field"`
	DynamicsField         types.String `tfsdk:"dynamics_field"`
	Direction             types.String `tfsdk:"direction"`
	SkipEmptyToDynamics   types.Bool   `tfsdk:"skip_empty_to_dynamics"`
	SkipEmptyFromDynamics types.Bool   `tfsdk:"skip_empty_from_dynamics"`
	EmptyPlaceholder      types.String `tfsdk:"empty_placeholder"`
	LookupType            types.String `tfsdk:"lookup_type"`
}

// Metadata names the data source.
func (d *FieldMappingsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_field_mappings"
}

// Schema describes the data source.
func (d *FieldMappingsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every field mapping of one CRM object of the Outreach Dynamics plugin, whether Terraform " +
			"manages it or not: for audits, and for bringing mappings made in the Outreach UI under Terraform with " +
			"`import` blocks (Terraform 1.7 or later for `for_each`):\n\n" +
			"```terraform\n" +
			"data \"outreach_dynamics_field_mappings\" \"lead\" {\n" +
			"  object = \"lead\"\n" +
			"}\n\n" +
			"locals {\n" +
			"  lead_mappings = { for m in data.outreach_dynamics_field_mappings.lead.mappings : m.outreach_field => m }\n" +
			"}\n\n" +
			"import {\n" +
			"  for_each = local.lead_mappings\n" +
			"  to       = outreach_dynamics_field_mapping.lead[each.key]\n" +
			"  id       = each.value.id\n" +
			"}\n\n" +
			"resource \"outreach_dynamics_field_mapping\" \"lead\" {\n" +
			"  for_each       = local.lead_mappings\n" +
			"  object         = \"lead\"\n" +
			"  outreach_field = each.key\n" +
			"  dynamics_field = each.value.dynamics_field\n" +
			"  direction      = each.value.direction\n" +
			"}\n" +
			"```\n\n" +
			"Once imported, replace the `for_each` over the data source with literal configuration (or run " +
			"`terraform plan -generate-config-out=mappings.tf` with one `import` block per mapping), so that the " +
			"configuration, not the live plugin, is the source of truth.",
		Attributes: map[string]schema.Attribute{
			"plugin_id": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Id of the Outreach Dynamics plugin. Defaults to the provider's `outreach.plugin_id`, else " +
					"the organization's only Dynamics plugin.",
			},
			"object": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The CRM object: `lead`, `contact`, `account`, `opportunity`, `task`, `appointment` or " +
					"`systemuser`.",
				Validators: []validator.String{stringvalidator.OneOf(crmObjects...)},
			},
			"mappings": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The mappings, sorted by id. Attributes as in `outreach_dynamics_field_mapping`.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":             str("Mapping id: the import ID of `outreach_dynamics_field_mapping`."),
						"outreach_field": str("Outreach field name."),
						"dynamics_field": str("Dynamics column logical name."),
						"direction": str("`bidirectional`, `outreach_to_dynamics`, `dynamics_to_outreach`, or `none` when both " +
							"directions are off."),
						"skip_empty_to_dynamics":   schema.BoolAttribute{Computed: true, MarkdownDescription: "Empty Outreach values do not overwrite Dynamics."},
						"skip_empty_from_dynamics": schema.BoolAttribute{Computed: true, MarkdownDescription: "Empty Dynamics values do not overwrite Outreach."},
						"empty_placeholder":        str("Value sent instead of an empty one; null when none."),
						"lookup_type":              str("Target type of a `lookup` field; null when none."),
					},
				},
			},
		},
	}
}

// Configure receives the provider data.
func (d *FieldMappingsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read lists the object's mappings.
func (d *FieldMappingsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m fieldMappingsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	pluginID := d.data.resolvePluginID(ctx, m.PluginID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	object := m.Object.ValueString()
	ms, err := c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: pluginID, CRMObject: object})
	if err != nil {
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot list the plugin's field mappings", err)
		return
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	m.PluginID = types.Int64Value(pluginID)
	m.Mappings = make([]fieldMappingsDataSourceItem, 0, len(ms))
	for _, fm := range ms {
		if fm.CRMObject != object {
			continue
		}
		m.Mappings = append(m.Mappings, fieldMappingsDataSourceItem{
			ID:                    types.StringValue(strconv.FormatInt(fm.ID, 10)),
			OutreachField:         types.StringValue(fm.OutreachField),
			DynamicsField:         types.StringValue(fm.CRMField),
			Direction:             types.StringValue(mappingDirectionOf(fm.UpdatesIn, fm.UpdatesOut)),
			SkipEmptyToDynamics:   types.BoolValue(fm.SkipEmptyOut),
			SkipEmptyFromDynamics: types.BoolValue(fm.SkipEmptyIn),
			EmptyPlaceholder:      types.StringPointerValue(fm.EmptyPlaceholder),
			LookupType:            types.StringPointerValue(fm.ExternalMappedType),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
