package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
)

var (
	_ list.ListResource              = &SalesOptOutFieldListResource{}
	_ list.ListResourceWithConfigure = &SalesOptOutFieldListResource{}
)

func init() {
	listResourceConstructors = append(listResourceConstructors, NewSalesOptOutFieldListResource)
}

// NewSalesOptOutFieldListResource returns the dynamics_sales_optout_field list resource.
func NewSalesOptOutFieldListResource() list.ListResource { return &SalesOptOutFieldListResource{} }

// SalesOptOutFieldListResource lists the custom Boolean columns of a Dataverse table for
// `terraform query`: the columns dynamics_sales_optout_field can manage. Standard columns
// (donotemail) are mapped directly and never managed, so they are not listed.
type SalesOptOutFieldListResource struct{ data *providerData }

type salesOptOutFieldListModel struct {
	Entity types.String `tfsdk:"entity"`
}

// Metadata names the list resource after the resource it lists.
func (l *SalesOptOutFieldListResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "dynamics_sales_optout_field"
}

// ListResourceConfigSchema describes the filters of a `list` block.
func (l *SalesOptOutFieldListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the custom Boolean columns of one Dataverse table, the columns " +
			"`dynamics_sales_optout_field` manages, with their identity (`entity`, `logical_name`) and, with " +
			"`include_resource = true`, every attribute. Write `provider = outreach` in the `list` block.",
		Attributes: map[string]listschema.Attribute{
			"entity": listschema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Logical name of the table, e.g. `contact` or `lead`.",
				Validators: []validator.String{stringvalidator.RegexMatches(salesOptOutEntityPattern,
					"must be a table logical name: lower-case letters, digits and underscores, e.g. \"contact\" or \"lead\"")},
			},
		},
	}
}

// Configure receives the provider data.
func (l *SalesOptOutFieldListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// List reads the table's columns (one request; Dataverse does not page metadata) as Terraform
// reads the results, and each listed column's labels only when the full resource is asked for.
func (l *SalesOptOutFieldListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	listStream(req, stream, func(out *listEmitter) {
		var cfg salesOptOutFieldListModel
		diags := req.Config.Get(ctx, &cfg)
		if out.failed(diags) {
			return
		}
		r := &SalesOptOutFieldResource{data: l.data}
		c := r.client(&diags)
		if out.failed(diags) {
			return
		}
		entity := cfg.Entity.ValueString()
		// Strongly consistent: a listing is how a user finds a column to import, often one made
		// seconds ago, which the metadata cache may not have yet.
		cols, err := c.ListLatestAttributes(ctx, entity)
		if dynamics.IsNotFound(err) {
			addSalesOptOutUnknownEntityError(&diags, entity)
			out.failed(diags)
			return
		}
		if err != nil {
			out.fail(path.Root("entity"), "Cannot list the columns of "+entity, err)
			return
		}
		for _, col := range cols {
			if col.AttributeType != "Boolean" || !col.IsCustom {
				continue
			}
			identity := salesOptOutIdentityModel{Entity: types.StringValue(entity), LogicalName: types.StringValue(col.LogicalName)}
			display := entity + "." + col.LogicalName
			if col.DisplayName != "" {
				display += " (" + col.DisplayName + ")"
			}
			if !out.emit(ctx, display, identity, func(d *diag.Diagnostics) any { return l.resource(ctx, req, c, entity, col.LogicalName, d) }) {
				return
			}
		}
	})
}

// resource reads one column as the resource's Read would after an import: the settings that
// Dataverse does not hold take the values an unset configuration has.
func (l *SalesOptOutFieldListResource) resource(ctx context.Context, req list.ListRequest, c *dynamics.Client, entity, logical string, diags *diag.Diagnostics) any {
	col, err := c.GetBooleanAttribute(ctx, entity, logical, true)
	if err != nil {
		addClientError(diags, path.Empty(), "Cannot read the Dataverse column "+entity+"."+logical, err)
		return nil
	}
	t, d := req.ResourceSchema.TypeAtPath(ctx, path.Root("timeouts"))
	diags.Append(d...)
	obj, ok := t.(attr.TypeWithAttributeTypes)
	if !ok {
		diags.AddError("Unexpected timeouts type", "The timeouts block has no object type. Please report this issue to the provider developers.")
		return nil
	}
	m := salesOptOutFieldModel{
		Entity:             types.StringValue(entity),
		SchemaName:         types.StringNull(),
		LanguageCode:       salesOptOutLabelLanguage(col),
		DeletionProtection: types.BoolValue(true),
		Published:          types.BoolValue(true),
		Solution:           types.StringNull(),
		Timeouts:           timeouts.Value{Object: types.ObjectNull(obj.AttributeTypes())},
	}
	if l.data.solution != "" {
		m.Solution = types.StringValue(l.data.solution)
	}
	salesOptOutFromAPI(&m, col)
	return &m
}
