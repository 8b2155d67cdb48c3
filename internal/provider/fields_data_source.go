package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ datasource.DataSource              = &FieldsDataSource{}
	_ datasource.DataSourceWithConfigure = &FieldsDataSource{}
)

func init() { dataSourceConstructors = append(dataSourceConstructors, NewFieldsDataSource) }

// NewFieldsDataSource returns the outreach_dynamics_fields data source.
func NewFieldsDataSource() datasource.DataSource { return &FieldsDataSource{} }

// FieldsDataSource lists the plugin's field catalog of one CRM object: what may be mapped.
type FieldsDataSource struct{ data *providerData }

type fieldsDataSourceModel struct {
	PluginID types.Int64            `tfsdk:"plugin_id"`
	Object   types.String           `tfsdk:"object"`
	Side     types.String           `tfsdk:"side"`
	Fields   []fieldsDataSourceItem `tfsdk:"fields"`
}

type fieldsDataSourceItem struct {
	Name     types.String `tfsdk:"name"`
	Label    types.String `tfsdk:"label"`
	Type     types.String `tfsdk:"type"`
	Writable types.Bool   `tfsdk:"writable"`
	Side     types.String `tfsdk:"side"`
}

// The data source says "dynamics" where the contract says "crm".
const fieldsSideDynamics = "dynamics"

// Metadata names the data source.
func (d *FieldsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_fields"
}

// Schema describes the data source.
func (d *FieldsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the field catalog of one CRM object of the Outreach Dynamics plugin: the Outreach fields " +
			"and Dynamics columns that `outreach_dynamics_field_mapping` can map, with their types and whether they can be " +
			"written. A Dynamics column created recently appears once the plugin's fields were refreshed.\n\n" +
			"```terraform\n" +
			"data \"outreach_dynamics_fields\" \"lead_booleans\" {\n" +
			"  object = \"lead\"\n" +
			"}\n\n" +
			"output \"lead_opt_out_columns\" {\n" +
			"  value = [for f in data.outreach_dynamics_fields.lead_booleans.fields : f.name\n" +
			"           if f.side == \"dynamics\" && f.type == \"boolean\" && f.writable]\n" +
			"}\n" +
			"```",
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
			"side": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`outreach` or `dynamics` to list one side only; unset lists both.",
				Validators:          []validator.String{stringvalidator.OneOf(mappingSideOutreach, fieldsSideDynamics)},
			},
			"fields": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The fields, sorted by `side`, then `name`.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":     schema.StringAttribute{Computed: true, MarkdownDescription: "Outreach field name, or Dynamics column logical name: the value for `outreach_field` / `dynamics_field`."},
						"label":    schema.StringAttribute{Computed: true, MarkdownDescription: "Display label."},
						"type":     schema.StringAttribute{Computed: true, MarkdownDescription: "`boolean`, `string`, `integer`, `decimal`, `datetime`, `picklist` or `lookup`."},
						"writable": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the field can be written on its side: a mapping that writes to it needs `true`."},
						"side":     schema.StringAttribute{Computed: true, MarkdownDescription: "`outreach` or `dynamics`."},
					},
				},
			},
		},
	}
}

// Configure receives the provider data.
func (d *FieldsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read lists the catalog live rather than from the provider's cache: a data source is read once
// per run, and its answer should be current.
func (d *FieldsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m fieldsDataSourceModel
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
	filter := outreach.FieldFilter{PluginID: pluginID, CRMObject: m.Object.ValueString()}
	switch m.Side.ValueString() {
	case mappingSideOutreach:
		filter.Side = mappingSideOutreach
	case fieldsSideDynamics:
		filter.Side = mappingSideCRM
	}
	fields, err := c.ListFields(ctx, filter)
	if err != nil {
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot list the plugin's fields", err)
		return
	}
	m.PluginID = types.Int64Value(pluginID)
	m.Fields = make([]fieldsDataSourceItem, 0, len(fields))
	for _, f := range fields {
		if filter.Side != "" && f.Side != filter.Side {
			continue
		}
		side := f.Side
		if side == mappingSideCRM {
			side = fieldsSideDynamics
		}
		m.Fields = append(m.Fields, fieldsDataSourceItem{
			Name: types.StringValue(f.Name), Label: types.StringValue(f.Label), Type: types.StringValue(f.Type),
			Writable: types.BoolValue(f.Writable), Side: types.StringValue(side),
		})
	}
	sort.SliceStable(m.Fields, func(i, j int) bool {
		a, b := m.Fields[i], m.Fields[j]
		if a.Side.ValueString() != b.Side.ValueString() {
			return a.Side.ValueString() < b.Side.ValueString()
		}
		return a.Name.ValueString() < b.Name.ValueString()
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
