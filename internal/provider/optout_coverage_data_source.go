package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ datasource.DataSource              = &OptOutCoverageDataSource{}
	_ datasource.DataSourceWithConfigure = &OptOutCoverageDataSource{}
)

func init() { dataSourceConstructors = append(dataSourceConstructors, NewOptOutCoverageDataSource) }

// NewOptOutCoverageDataSource returns the outreach_dynamics_optout_coverage data source.
func NewOptOutCoverageDataSource() datasource.DataSource { return &OptOutCoverageDataSource{} }

// OptOutCoverageDataSource says, from the live plugin configuration, which opt-out configuration
// is in effect per object and whether opt-outs still reach where they must. It only reads, and
// needs no more than the plugins.read scope.
type OptOutCoverageDataSource struct{ data *providerData }

// coverageDefaultObjects are the objects analysed when none are given: the two that sync with
// Outreach prospects.
var coverageDefaultObjects = []string{"lead", "contact"}

type optOutCoverageModel struct {
	PluginID types.Int64                    `tfsdk:"plugin_id"`
	Objects  []types.String                 `tfsdk:"objects"`
	Coverage map[string]optOutCoverageEntry `tfsdk:"coverage"`
	Findings []string                       `tfsdk:"findings"`
}

type optOutCoverageEntry struct {
	Configuration      string                 `tfsdk:"configuration"`
	OutreachToDynamics bool                   `tfsdk:"outreach_to_dynamics"`
	DynamicsToOutreach bool                   `tfsdk:"dynamics_to_outreach"`
	Mappings           []optOutCoverageMapped `tfsdk:"mappings"`
	DynamicsColumns    []string               `tfsdk:"dynamics_columns"`
	OutreachFields     []string               `tfsdk:"outreach_fields"`
	Conditions         []string               `tfsdk:"conditions"`
	Findings           []string               `tfsdk:"findings"`
}

type optOutCoverageMapped struct {
	OutreachField string `tfsdk:"outreach_field"`
	DynamicsField string `tfsdk:"dynamics_field"`
	Direction     string `tfsdk:"direction"`
}

// Metadata names the data source.
func (d *OptOutCoverageDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_optout_coverage"
}

// Schema describes the data source.
func (d *OptOutCoverageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	strList := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Says, from the live configuration of the Outreach Dynamics plugin, whether opt-outs still reach " +
			"where they must: which opt-out configuration is in effect on each object, whether an opt-out made in one system " +
			"reaches the other, and what is wrong, in sentences a compliance reviewer understands. Every mapping, sync " +
			"condition and object setting counts, whether Terraform manages it or someone made it in the Outreach UI, so a " +
			"`check {}` block with this data source warns on every `terraform plan` when someone weakens the setup by hand " +
			"(see the guide *Checking opt-out coverage on every plan*).\n\n" +
			"It only reads: one list of object settings, and per object one list of mappings, conditions and catalog " +
			"fields (and, when the provider has Dynamics configured, of the table's columns). An Outreach token with " +
			"`plugins.read` is enough.",
		Attributes: map[string]schema.Attribute{
			"plugin_id": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Id of the Outreach Dynamics plugin. Defaults to the provider's `outreach.plugin_id`, else " +
					"the organization's only Dynamics plugin.",
			},
			"objects": schema.ListAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The CRM objects to analyse. Defaults to `[\"lead\", \"contact\"]`, the two that sync with " +
					"Outreach prospects; give only the one you sync (e.g. `[\"contact\"]`) if the other is not used.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(crmObjects...)),
				},
			},
			"coverage": schema.MapNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The analysis per object, keyed by object name.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"configuration": schema.StringAttribute{
							Computed: true,
							MarkdownDescription: "The configuration in effect: `shared_field` (`optedOut` mapped to `donotemail`, " +
								"which an Outreach opt-out sets together with every other opt-out column), `sales_field` " +
								"(`optedOut` mapped to another column, such as a Sales Opt Out column, which is set alone), " +
								"`granular` (only the channel fields `emailOptedOut`, `callOptedOut`, `smsOptedOut` mapped), " +
								"`outreach_only` (no opt-out mapped, sync conditions on opt-out fields keep opted-out people " +
								"from crossing) or `none` (no opt-out mapping that moves anything, and no such condition). An " +
								"opt-out mapping with both directions off counts as not mapped.",
						},
						"outreach_to_dynamics": schema.BoolAttribute{
							Computed: true,
							MarkdownDescription: "Whether an opt-out made in Outreach reaches Dynamics: every opt-out mapping " +
								"writes to an existing column, the object pushes updates, and no `outbound_update` condition " +
								"holds back opted-out prospects. Always `false` for `outreach_only` and `none`.",
						},
						"dynamics_to_outreach": schema.BoolAttribute{
							Computed: true,
							MarkdownDescription: "Whether an opt-out made in Dynamics reaches Outreach: every opt-out mapping " +
								"reads from an existing column, the object polls for updates, and no `polling` or " +
								"`inbound_update` condition holds back opted-out records. Always `false` for `outreach_only` " +
								"and `none`.",
						},
						"mappings": schema.ListNestedAttribute{
							Computed:            true,
							MarkdownDescription: "The mappings of Outreach opt-out fields, switched-off ones included.",
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"outreach_field": schema.StringAttribute{Computed: true, MarkdownDescription: "Outreach field name."},
									"dynamics_field": schema.StringAttribute{Computed: true, MarkdownDescription: "Dynamics column logical name."},
									"direction": schema.StringAttribute{Computed: true, MarkdownDescription: "`bidirectional`, " +
										"`outreach_to_dynamics`, `dynamics_to_outreach` or `none`."},
								},
							},
						},
						"dynamics_columns": strList("The Dynamics columns an Outreach opt-out sets, sorted: the mapped columns, and " +
							"with the shared field every opt-out column of the table."),
						"outreach_fields": strList("The Outreach fields a Dynamics opt-out sets, sorted."),
						"conditions":      strList("The sync conditions that test an opt-out field, as `<id> (<field> <operator> <value>)`."),
						"findings":        strList("What is wrong, one sentence each, naming the object, the fields and the consequence. Empty when the setup is sound."),
					},
				},
			},
			"findings": strList("Every object's findings, in the order of `objects`: `length(...findings) == 0` is the " +
				"whole check."),
		},
	}
}

// Configure receives the provider data.
func (d *OptOutCoverageDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read reads the plugin's configuration and analyses it.
func (d *OptOutCoverageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m optOutCoverageModel
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
	objects := coverageDefaultObjects
	if m.Objects != nil {
		objects = make([]string, len(m.Objects))
		for i, o := range m.Objects {
			objects[i] = o.ValueString()
		}
	}
	status, inputs := d.readCoverageInputs(ctx, c, pluginID, objects, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	m.PluginID = types.Int64Value(pluginID)
	m.Objects = make([]types.String, len(objects))
	m.Coverage = map[string]optOutCoverageEntry{}
	m.Findings = []string{}
	for i, res := range analyzeOptOutCoverage(status, inputs) {
		m.Objects[i] = types.StringValue(res.Object)
		e := optOutCoverageEntry{
			Configuration: res.Configuration, OutreachToDynamics: res.OutreachToDynamics, DynamicsToOutreach: res.DynamicsToOutreach,
			Mappings: []optOutCoverageMapped{}, DynamicsColumns: res.DynamicsColumns, OutreachFields: res.OutreachFields,
			Conditions: res.Conditions, Findings: res.Findings,
		}
		for _, cm := range res.Mappings {
			e.Mappings = append(e.Mappings, optOutCoverageMapped(cm))
		}
		m.Coverage[res.Object] = e
		m.Findings = append(m.Findings, res.Findings...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readCoverageInputs reads what the analysis needs with list requests only: the plugin, its
// object settings, and per object its mappings, conditions, catalog and (when Dynamics is
// configured) the table's columns. It returns the plugin's sync status and one input per object.
func (d *OptOutCoverageDataSource) readCoverageInputs(ctx context.Context, c *outreach.Client, pluginID int64, objects []string, diags *diag.Diagnostics) (string, []coverageInput) {
	plugin, err := c.GetPlugin(ctx, pluginID)
	if err != nil {
		if outreach.IsNotFound(err) {
			diags.AddAttributeError(path.Root("plugin_id"), "Plugin not found",
				fmt.Sprintf("Outreach has no plugin with id %d. Use the plugin id shown in the Outreach plugin settings, or leave plugin_id unset to use the provider's default.", pluginID))
			return "", nil
		}
		addClientError(diags, path.Root("plugin_id"), "Cannot read the Outreach plugin", err)
		return "", nil
	}
	settings, err := d.data.shared.PluginObjects(ctx, c, pluginID)
	if err != nil {
		addClientError(diags, path.Empty(), "Cannot list the plugin's object settings", err)
		return "", nil
	}
	inputs := make([]coverageInput, len(objects))
	for i, obj := range objects {
		in := coverageInput{Object: obj}
		for j := range settings {
			if settings[j].CRMObject == obj {
				in.Settings = &settings[j]
			}
		}
		if in.Mappings, err = d.data.shared.FieldMappings(ctx, c, pluginID, obj); err != nil {
			addClientError(diags, path.Empty(), "Cannot list the plugin's field mappings of "+obj, err)
			return "", nil
		}
		if in.Conditions, err = d.data.shared.SyncConditions(ctx, c, pluginID, obj); err != nil {
			addClientError(diags, path.Empty(), "Cannot list the plugin's sync conditions of "+obj, err)
			return "", nil
		}
		if in.Catalog, err = d.data.catalog.Fields(ctx, c, pluginID, obj); err != nil {
			addClientError(diags, path.Empty(), "Cannot read the plugin's field catalog of "+obj, err)
			return "", nil
		}
		if in.Catalog == nil {
			in.Catalog = []outreach.Field{} // known and empty: every mapped field is missing from it
		}
		// Dynamics is optional here: without it, mapped columns are checked against the
		// plugin's catalog only.
		if dv := d.data.dynamics; dv != nil {
			// Strongly consistent: a finding says a column is missing, and the metadata cache
			// misses a column made seconds ago (the moment a user checks coverage after adding it).
			cols, err := dv.ListLatestAttributes(ctx, obj)
			switch {
			case dynamics.IsNotFound(err):
				in.DynamicsColumns = []string{} // no such table: no column exists
			case err != nil:
				addClientError(diags, path.Empty(), "Cannot list the Dynamics columns of "+obj, err)
				return "", nil
			default:
				in.DynamicsColumns = make([]string, 0, len(cols))
				for _, a := range cols {
					in.DynamicsColumns = append(in.DynamicsColumns, a.LogicalName)
				}
			}
		}
		inputs[i] = in
	}
	return plugin.SyncStatus, inputs
}
