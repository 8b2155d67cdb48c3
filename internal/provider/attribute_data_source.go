package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
)

var (
	_ datasource.DataSource              = &AttributeDataSource{}
	_ datasource.DataSourceWithConfigure = &AttributeDataSource{}
)

func init() { dataSourceConstructors = append(dataSourceConstructors, NewAttributeDataSource) }

// NewAttributeDataSource returns the dynamics_attribute data source.
func NewAttributeDataSource() datasource.DataSource { return &AttributeDataSource{} }

// AttributeDataSource reads one Dataverse column's definition.
type AttributeDataSource struct{ data *providerData }

type attributeDataSourceModel struct {
	ID             types.String `tfsdk:"id"`
	Entity         types.String `tfsdk:"entity"`
	LogicalName    types.String `tfsdk:"logical_name"`
	SchemaName     types.String `tfsdk:"schema_name"`
	MetadataID     types.String `tfsdk:"metadata_id"`
	AttributeType  types.String `tfsdk:"attribute_type"`
	DisplayName    types.String `tfsdk:"display_name"`
	Description    types.String `tfsdk:"description"`
	RequiredLevel  types.String `tfsdk:"required_level"`
	IsCustom       types.Bool   `tfsdk:"is_custom"`
	IsManaged      types.Bool   `tfsdk:"is_managed"`
	ValidForCreate types.Bool   `tfsdk:"valid_for_create"`
	ValidForUpdate types.Bool   `tfsdk:"valid_for_update"`
}

// Metadata names the data source. Its type name does not start with the provider's name, so
// configurations must say `provider = outreach`.
func (d *AttributeDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = "dynamics_attribute"
}

// Schema describes the data source.
func (d *AttributeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the definition of one Dataverse column (attribute), e.g. to check that `donotemail` " +
			"exists and can be written before mapping it. Served by the `outreach` provider: write `provider = outreach`, " +
			"because Terraform would otherwise look for a provider named `dynamics`.",
		Attributes: map[string]schema.Attribute{
			"id":               computed("`<entity>/<logical_name>`."),
			"entity":           schema.StringAttribute{Required: true, MarkdownDescription: "Table logical name, e.g. `contact` or `lead`."},
			"logical_name":     schema.StringAttribute{Required: true, MarkdownDescription: "Column logical name, e.g. `donotemail`."},
			"schema_name":      computed("Column schema name, e.g. `DoNotEMail`."),
			"metadata_id":      computed("The column's MetadataId."),
			"attribute_type":   computed("Dataverse attribute type, e.g. `Boolean`, `String`, `Lookup`."),
			"display_name":     computed("Display name in the organization's base language."),
			"description":      computed("Description in the organization's base language."),
			"required_level":   computed("`None`, `SystemRequired`, `ApplicationRequired` or `Recommended`."),
			"is_custom":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the column is custom (not a standard column)."},
			"is_managed":       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the column belongs to a managed solution."},
			"valid_for_create": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the column can be set when a record is created."},
			"valid_for_update": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the column can be written on update: a mapping that writes to Dynamics needs it."},
		},
	}
}

// Configure receives the provider data.
func (d *AttributeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read fetches the column definition.
func (d *AttributeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m attributeDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.data.dynamicsClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	entity, name := m.Entity.ValueString(), m.LogicalName.ValueString()
	// Boolean columns (the opt-out flags) come from the table's shared list; others, and any
	// column not in it, are read on their own.
	var a *dynamics.Attribute
	b, found, err := readBooleanColumn(ctx, d.data.shared.enabled, c, entity, name)
	if found {
		a = &b.Attribute
	} else if err == nil {
		a, err = c.GetAttribute(ctx, entity, name)
	}
	if dynamics.IsNotFound(err) {
		// A cached miss is not proof: a column made seconds ago (say, by the apply before this
		// command) may not be in the metadata cache yet.
		a, err = c.GetLatestAttribute(ctx, entity, name)
	}
	if err != nil {
		if dynamics.IsNotFound(err) {
			if _, eerr := c.GetEntity(ctx, entity); dynamics.IsNotFound(eerr) {
				resp.Diagnostics.AddAttributeError(path.Root("entity"), "Table not found",
					fmt.Sprintf("Dataverse has no table with logical name %q. Use the table's logical name (lower case), e.g. \"contact\" or \"lead\".", entity))
				return
			}
			resp.Diagnostics.AddAttributeError(path.Root("logical_name"), "Column not found",
				fmt.Sprintf("Table %q has no column with logical name %q. Logical names are lower case, e.g. \"donotemail\".", entity, name))
			return
		}
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot read the Dataverse column", err)
		return
	}
	m.ID = types.StringValue(entity + "/" + a.LogicalName)
	m.LogicalName = types.StringValue(a.LogicalName)
	m.SchemaName = types.StringValue(a.SchemaName)
	m.MetadataID = types.StringValue(a.MetadataID)
	m.AttributeType = types.StringValue(a.AttributeType)
	m.DisplayName = types.StringValue(a.DisplayName)
	m.Description = types.StringValue(a.Description)
	m.RequiredLevel = types.StringValue(a.RequiredLevel)
	m.IsCustom = types.BoolValue(a.IsCustom)
	m.IsManaged = types.BoolValue(a.IsManaged)
	m.ValidForCreate = types.BoolValue(a.IsValidForCreate)
	m.ValidForUpdate = types.BoolValue(a.IsValidForUpdate)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
