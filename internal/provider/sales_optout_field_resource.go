package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
)

var (
	_ resource.Resource                = &SalesOptOutFieldResource{}
	_ resource.ResourceWithConfigure   = &SalesOptOutFieldResource{}
	_ resource.ResourceWithModifyPlan  = &SalesOptOutFieldResource{}
	_ resource.ResourceWithImportState = &SalesOptOutFieldResource{}
	_ resource.ResourceWithIdentity    = &SalesOptOutFieldResource{}
)

func init() { resourceConstructors = append(resourceConstructors, NewSalesOptOutFieldResource) }

// NewSalesOptOutFieldResource returns the dynamics_sales_optout_field resource.
func NewSalesOptOutFieldResource() resource.Resource { return &SalesOptOutFieldResource{} }

// SalesOptOutFieldResource manages the custom Boolean "Sales Opt Out" column on a Dataverse table,
// the column Outreach maps to keep sales opt-outs apart from marketing ones.
type SalesOptOutFieldResource struct{ data *providerData }

// salesOptOutFieldModel is the resource's state and plan.
type salesOptOutFieldModel struct {
	ID                 types.String   `tfsdk:"id"`
	Entity             types.String   `tfsdk:"entity"`
	SchemaName         types.String   `tfsdk:"schema_name"`
	LogicalName        types.String   `tfsdk:"logical_name"`
	MetadataID         types.String   `tfsdk:"metadata_id"`
	AttributeType      types.String   `tfsdk:"attribute_type"`
	DisplayName        types.String   `tfsdk:"display_name"`
	Description        types.String   `tfsdk:"description"`
	TrueLabel          types.String   `tfsdk:"true_label"`
	FalseLabel         types.String   `tfsdk:"false_label"`
	DefaultValue       types.Bool     `tfsdk:"default_value"`
	RequiredLevel      types.String   `tfsdk:"required_level"`
	LanguageCode       types.Int64    `tfsdk:"language_code"`
	Solution           types.String   `tfsdk:"solution"`
	DeletionProtection types.Bool     `tfsdk:"deletion_protection"`
	Published          types.Bool     `tfsdk:"published"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// Defaults of the column's presentation, from the issue that introduced the resource.
const (
	salesOptOutDefaultDisplayName = "Sales Opt Out"
	salesOptOutDefaultTrueLabel   = "Yes"
	salesOptOutDefaultFalseLabel  = "No"
)

// salesOptOutSchemaNamePattern is Dataverse's rule for a custom column's schema name: the
// publisher's customization prefix (2–8 letters or digits, starting with a letter), an underscore,
// then a name that starts with a letter.
var salesOptOutSchemaNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{1,7}_[A-Za-z][A-Za-z0-9_]*$`)

// salesOptOutSchemaNameMaxLength is the longest schema name this resource accepts; Dataverse
// column names are limited to 50 characters including the prefix.
const salesOptOutSchemaNameMaxLength = 50

// salesOptOutEntityPattern is what a table (or column) logical name may contain: Dataverse logical
// names are lower case.
var salesOptOutEntityPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Metadata names the resource. Its type name does not start with the provider's name, so
// configurations must say `provider = outreach`.
func (r *SalesOptOutFieldResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "dynamics_sales_optout_field"
}

// Schema describes the resource.
func (r *SalesOptOutFieldResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the custom Boolean **Sales Opt Out** column on a Dataverse table (usually `contact` " +
			"and/or `lead`), the column Outreach maps to keep sales opt-outs apart from marketing opt-outs.\n\n" +
			"Served by the `outreach` provider: write `provider = outreach` in the resource, because Terraform derives " +
			"the provider from the type name's prefix and would otherwise look for a provider named `dynamics`.\n\n" +
			"The column is created once and never dropped by accident: `deletion_protection` (default `true`) makes " +
			"destroy and replacement fail, since deleting a column deletes its value in every record. A column that " +
			"already exists is not taken over by `create`: import it with `<entity>/<logical_name>` or " +
			"`<entity>/<MetadataId>`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The column's MetadataId.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"entity": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Logical name of the table the column belongs to, e.g. `contact` or `lead` (any existing " +
					"table is accepted). Changing it creates a new column on the other table and deletes this one.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.RegexMatches(salesOptOutEntityPattern,
					"must be a table logical name: lower-case letters, digits and underscores, e.g. \"contact\" or \"lead\"")},
			},
			"schema_name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Schema name of the column, with the customization prefix of the solution's publisher: " +
					"`<prefix>_<Name>`, e.g. `new_SalesOptOut`. The logical name is its lower case. Changing it (other than " +
					"its letter case) creates a new column and deletes this one.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(salesOptOutSchemaNameChanged,
					"Changing the schema name, other than its letter case, replaces the column.",
					"Changing the schema name, other than its letter case, replaces the column.")},
				Validators: []validator.String{salesOptOutSchemaNameValidator{}},
			},
			"logical_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Logical name of the column: the schema name in lower case, e.g. `new_salesoptout`. Use it in field mappings.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"metadata_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The column's MetadataId (the same as `id`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"attribute_type": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Dataverse attribute type, always `Boolean`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(salesOptOutDefaultDisplayName),
				MarkdownDescription: "Display name of the column. Default `Sales Opt Out`. Updated in place.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(""),
				MarkdownDescription: "Description of the column, shown as its tooltip. Default: none (`\"\"`). Updated in place.",
			},
			"true_label": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(salesOptOutDefaultTrueLabel),
				MarkdownDescription: "Label of the `true` option. Default `Yes`. Updated in place.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"false_label": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:             stringdefault.StaticString(salesOptOutDefaultFalseLabel),
				MarkdownDescription: "Label of the `false` option. Default `No`. Updated in place.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"default_value": schema.BoolAttribute{
				Optional: true, Computed: true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Value a new record gets when none is given. Default `false`. Updated in place.",
			},
			"required_level": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString(dynamics.RequiredLevelNone),
				MarkdownDescription: "Whether forms require a value: `None`, `Recommended` or `ApplicationRequired`. " +
					"Default `None`. Updated in place.",
				Validators: []validator.String{stringvalidator.OneOf(dynamics.RequiredLevelNone,
					dynamics.RequiredLevelRecommended, dynamics.RequiredLevelApplicationRequired)},
			},
			"language_code": schema.Int64Attribute{
				Optional: true, Computed: true,
				Default: int64default.StaticInt64(dynamics.DefaultLanguageCode),
				MarkdownDescription: "Language (LCID) of `display_name`, `description`, `true_label` and `false_label`, " +
					"e.g. `1033` for English (United States), the default. Labels in other languages are kept. An import " +
					"takes the language the column is labelled in (e.g. `1031` in an org whose base language is German).",
				Validators: []validator.Int64{int64validator.Between(1, 65535)},
			},
			"solution": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Unique name of the unmanaged solution the column is created in; default: the provider's " +
					"`dynamics.solution`. Checked at plan time: the solution must exist and be unmanaged, and a new column's " +
					"`schema_name` must carry its publisher's customization prefix. Changing it adds the column to the new solution (it stays in the old one) " +
					"instead of recreating it. Solution membership cannot be read back from Dataverse: after an import " +
					"this is assumed to be the provider's `dynamics.solution`; set it and apply to add the column to " +
					"another solution.",
			},
			"published": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the column's last change is published, i.e. active in Dataverse. `false` after " +
					"an update whose publish failed: the change is stored but not active, and the next apply publishes " +
					"the table (the plan shows `published` changing to `true`).",
			},
			"deletion_protection": schema.BoolAttribute{
				Optional: true, Computed: true,
				Default: booldefault.StaticBool(true),
				MarkdownDescription: "While `true` (the default, also after an import), destroying or replacing the column " +
					"fails: deleting a column deletes its value in every record. Set it to `false` and apply before " +
					"destroying.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

// Configure receives the provider data.
func (r *SalesOptOutFieldResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan derives what is known before apply (the logical name, the solution default) and
// stops, at plan time, what would fail or lose data at apply: an unknown table, and destroying or
// replacing a protected column.
func (r *SalesOptOutFieldResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		if req.State.Raw.IsNull() {
			return
		}
		var state salesOptOutFieldModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !resp.Diagnostics.HasError() && state.DeletionProtection.ValueBool() {
			addSalesOptOutProtectedError(&resp.Diagnostics, state, "Destroying")
		}
		return
	}
	var plan, config salesOptOutFieldModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.SchemaName.IsUnknown() && !plan.SchemaName.IsNull() {
		plan.LogicalName = types.StringValue(strings.ToLower(plan.SchemaName.ValueString()))
	}
	// Optional+Computed would otherwise keep whatever is in state when the configuration drops
	// the attribute; the provider default is what "unset" means here.
	if config.Solution.IsNull() {
		switch {
		case r.data != nil && r.data.solutionUnknown:
			// The provider's dynamics.solution is known only at apply.
			plan.Solution = types.StringUnknown()
		case r.data != nil && r.data.solution != "":
			plan.Solution = types.StringValue(r.data.solution)
		default:
			plan.Solution = types.StringNull()
		}
	}
	plan.AttributeType = types.StringValue("Boolean")

	if !req.State.Raw.IsNull() {
		var state salesOptOutFieldModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		replaced := (!plan.Entity.IsUnknown() && plan.Entity.ValueString() != state.Entity.ValueString()) ||
			(!plan.SchemaName.IsUnknown() && !strings.EqualFold(plan.SchemaName.ValueString(), state.SchemaName.ValueString()))
		if replaced && state.DeletionProtection.ValueBool() {
			addSalesOptOutProtectedError(&resp.Diagnostics, state, "Replacing")
			return
		}
		if !plan.Solution.Equal(state.Solution) && !r.checkSolution(ctx, plan, false, &resp.Diagnostics) {
			return
		}
		plan.Published = salesOptOutPlannedPublished(state.Published, salesOptOutPublishPending(ctx, req.Private, &resp.Diagnostics))
	} else if !plan.Entity.IsUnknown() && r.data != nil && r.data.dynamics != nil {
		// Checking the table now turns a typo into a plan error instead of a failed apply.
		if _, err := r.data.dynamics.GetEntity(ctx, plan.Entity.ValueString()); err != nil {
			if dynamics.IsNotFound(err) {
				addSalesOptOutUnknownEntityError(&resp.Diagnostics, plan.Entity.ValueString())
			} else {
				addClientError(&resp.Diagnostics, path.Root("entity"), "Cannot read the Dataverse table", err)
			}
			return
		}
		if !r.checkSolution(ctx, plan, true, &resp.Diagnostics) {
			return
		}
	}
	if req.State.Raw.IsNull() {
		plan.Published = types.BoolValue(true) // creating a column publishes it
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkSolution reads the target solution at plan time, when it is known: it must exist and be
// unmanaged, and a column created in it must carry its publisher's customization prefix.
// Dataverse would refuse either on apply; the plan is the place to say so. It reports whether
// the plan may go on.
func (r *SalesOptOutFieldResource) checkSolution(ctx context.Context, plan salesOptOutFieldModel, creating bool, diags *diag.Diagnostics) bool {
	if r.data == nil || r.data.dynamics == nil || plan.Solution.IsUnknown() || plan.Solution.IsNull() || plan.Solution.ValueString() == "" {
		return true
	}
	name := plan.Solution.ValueString()
	sol, err := r.data.dynamics.GetSolution(ctx, name)
	switch {
	case dynamics.IsNotFound(err):
		diags.AddAttributeError(path.Root("solution"), "Solution not found",
			fmt.Sprintf("Dataverse has no solution with unique name %q. Use the unique name (not the display name) of an "+
				"unmanaged solution, set dynamics.solution in the provider (DYNAMICS_SOLUTION), or leave solution unset "+
				"to create the column outside any solution.", name))
		return false
	case err != nil:
		addClientError(diags, path.Root("solution"), "Cannot read the Dataverse solution", err)
		return false
	case sol.IsManaged:
		diags.AddAttributeError(path.Root("solution"), "Managed solution",
			fmt.Sprintf("Solution %q is managed: columns can only be added to an unmanaged solution. Use the unmanaged "+
				"solution your team customizes in.", name))
		return false
	}
	if !creating || plan.SchemaName.IsUnknown() || sol.PublisherPrefix == "" {
		return true
	}
	schemaName := plan.SchemaName.ValueString()
	prefix, rest, _ := strings.Cut(schemaName, "_")
	if !strings.EqualFold(prefix, sol.PublisherPrefix) {
		diags.AddAttributeError(path.Root("schema_name"), "Schema name prefix does not match the solution's publisher",
			fmt.Sprintf("%q carries the prefix %q, but solution %q belongs to a publisher whose customization prefix is %q, "+
				"and Dataverse requires a new column to carry it. Use %q.", schemaName, prefix, name, sol.PublisherPrefix,
				sol.PublisherPrefix+"_"+rest))
		return false
	}
	return true
}

// Create creates the column, refusing to adopt one that already exists, and reads it back until
// the metadata cache has it.
func (r *SalesOptOutFieldResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan salesOptOutFieldModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	c := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() || c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	entity := plan.Entity.ValueString()
	logical := strings.ToLower(plan.SchemaName.ValueString())

	// Creating over an existing column would be refused by Dataverse anyway; asking first gives
	// the user the import command instead of a bare "already exists".
	existing, err := c.GetLatestAttribute(ctx, entity, logical)
	switch {
	case err == nil:
		addSalesOptOutExistsError(&resp.Diagnostics, entity, logical, existing)
		return
	case !dynamics.IsNotFound(err):
		addClientError(&resp.Diagnostics, path.Root("schema_name"), "Cannot check whether the column already exists", err)
		return
	}

	def := dynamics.BooleanAttributeDefinition{
		SchemaName:    plan.SchemaName.ValueString(),
		DisplayName:   plan.DisplayName.ValueString(),
		Description:   plan.Description.ValueString(),
		TrueLabel:     plan.TrueLabel.ValueString(),
		FalseLabel:    plan.FalseLabel.ValueString(),
		RequiredLevel: plan.RequiredLevel.ValueString(),
		DefaultValue:  plan.DefaultValue.ValueBool(),
		LanguageCode:  int(plan.LanguageCode.ValueInt64()),
	}
	id, err := c.CreateBooleanAttribute(ctx, entity, def, plan.Solution.ValueString())
	if err != nil {
		switch {
		case dynamics.IsDuplicate(err):
			addSalesOptOutExistsError(&resp.Diagnostics, entity, logical, nil)
		case dynamics.IsSolutionNotFound(err):
			addSalesOptOutWriteError(&resp.Diagnostics, entity, logical, "Cannot create the Dataverse column", err)
		case dynamics.IsNotFound(err):
			addSalesOptOutUnknownEntityError(&resp.Diagnostics, entity)
		default:
			addSalesOptOutWriteError(&resp.Diagnostics, entity, logical, "Cannot create the Dataverse column", err)
		}
		return
	}

	// The client waits out the metadata-cache lag of the new column within ctx, which carries the
	// create timeout.
	col, err := c.GetCreatedBooleanAttribute(ctx, entity, logical)
	if err != nil {
		// The column exists: leaving it out of state would orphan it (the next apply would find it
		// and refuse it as "already exists"). Keep what the create told us; everything else is
		// what was just sent, and the next refresh reads the column itself.
		resp.Diagnostics.AddWarning("Created column not read back yet",
			fmt.Sprintf("Dataverse created the column %s.%s (MetadataId %s) but it could not be read back before the create "+
				"timeout (%s): %v\n\nThe column is in the Terraform state with the values of the configuration. The next "+
				"terraform plan or apply reads it from Dataverse and shows any difference. Raise timeouts.create if the "+
				"organization is often this slow.", entity, logical, id, timeout, err))
		plan.ID, plan.MetadataID = types.StringValue(id), types.StringValue(id)
		plan.LogicalName = types.StringValue(logical)
		plan.AttributeType = types.StringValue("Boolean")
		plan.Published = types.BoolValue(true)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, salesOptOutIdentity(plan))...)
		return
	}
	plan.Published = types.BoolValue(true)
	salesOptOutFromAPI(&plan, col)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, salesOptOutIdentity(plan))...)
}

// Read refreshes every attribute that Dataverse holds. A column deleted outside Terraform is
// removed from state with a warning, so that the next apply creates it again.
func (r *SalesOptOutFieldResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state salesOptOutFieldModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if c == nil {
		// The provider's Dataverse settings are known only at apply: the state stays as it is,
		// and so does its identity, which Terraform requires after every Read.
		resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, salesOptOutIdentity(state))...)
		return
	}
	entity, logical := state.Entity.ValueString(), state.LogicalName.ValueString()
	// The table's shared Boolean column list serves most refreshes; a column not in it (or with
	// shared reads off) is read on its own, which is also how a deletion is confirmed.
	col, found, err := readBooleanColumn(ctx, r.data.shared.enabled, c, entity, logical)
	if err == nil && !found {
		col, err = c.GetBooleanAttribute(ctx, entity, logical, false)
	}
	if dynamics.IsNotFound(err) {
		// A cached miss is not proof: only a strongly consistent read may remove the column.
		col, err = c.GetBooleanAttribute(ctx, entity, logical, true)
	}
	if err != nil {
		if dynamics.IsNotFound(err) {
			resp.Diagnostics.AddWarning("Sales Opt Out column deleted outside Terraform",
				fmt.Sprintf("The column %s.%s no longer exists in Dataverse. It was removed from the Terraform state and "+
					"will be created again by the next apply; the values it held in existing records are lost.", entity, logical))
			resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, salesOptOutIdentity(state))...)
			resp.State.RemoveResource(ctx)
			return
		}
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot read the Dataverse column", err)
		return
	}
	// published is what this provider remembers, not something Dataverse tells.
	if salesOptOutPublishPending(ctx, req.Private, &resp.Diagnostics) {
		state.Published = types.BoolValue(false)
	} else if state.Published.IsNull() {
		state.Published = types.BoolValue(true)
	}
	// An import sets only what the id says; the rest takes the values an unset configuration has,
	// except the language, which is the one the column is labelled in (an org whose base language
	// is German has German labels only).
	if state.LanguageCode.IsNull() {
		state.LanguageCode = salesOptOutLabelLanguage(col)
	}
	if state.DeletionProtection.IsNull() {
		state.DeletionProtection = types.BoolValue(true)
	}
	salesOptOutFromAPI(&state, col)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, salesOptOutIdentity(state))...)
}

// Update changes the column in place: its definition with a full PUT, the option labels one by
// one (a PUT ignores them), then publishes the table; a new solution gets the column added.
func (r *SalesOptOutFieldResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state salesOptOutFieldModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	entity, logical := state.Entity.ValueString(), state.LogicalName.ValueString()
	solution := plan.Solution.ValueString()
	lang := int(plan.LanguageCode.ValueInt64())
	langChanged := !plan.LanguageCode.Equal(state.LanguageCode)
	definitionChanged := langChanged || !plan.DisplayName.Equal(state.DisplayName) || !plan.Description.Equal(state.Description) ||
		!plan.DefaultValue.Equal(state.DefaultValue) || !plan.RequiredLevel.Equal(state.RequiredLevel)
	trueChanged := langChanged || !plan.TrueLabel.Equal(state.TrueLabel)
	falseChanged := langChanged || !plan.FalseLabel.Equal(state.FalseLabel)
	solutionChanged := solution != "" && !plan.Solution.Equal(state.Solution)
	// A publish that failed in an earlier apply is still owed (sales_optout_field_publish.go).
	pending := salesOptOutPublishPending(ctx, req.Private, &resp.Diagnostics) || (!state.Published.IsNull() && !state.Published.ValueBool())
	writes := definitionChanged || trueChanged || falseChanged
	plan.Published = types.BoolValue(true)

	if writes || pending || solutionChanged {
		c := r.client(&resp.Diagnostics)
		if c == nil {
			return
		}
		if writes {
			// From the first write on, the table needs a publish; should anything below fail,
			// the next apply still owes it.
			setSalesOptOutPublishPending(ctx, resp.Private, entity, &resp.Diagnostics)
		}
		if definitionChanged {
			err := c.UpdateBooleanAttribute(ctx, entity, logical, dynamics.BooleanAttributeUpdate{
				DisplayName:   plan.DisplayName.ValueString(),
				Description:   plan.Description.ValueString(),
				DefaultValue:  plan.DefaultValue.ValueBool(),
				RequiredLevel: plan.RequiredLevel.ValueString(),
				LanguageCode:  lang,
			}, solution)
			if err != nil {
				addSalesOptOutWriteError(&resp.Diagnostics, entity, logical, "Cannot update the Dataverse column", err)
				return
			}
		}
		for _, o := range []struct {
			changed bool
			value   int
			label   types.String
			attr    string
		}{{trueChanged, 1, plan.TrueLabel, "true_label"}, {falseChanged, 0, plan.FalseLabel, "false_label"}} {
			if !o.changed {
				continue
			}
			if err := c.UpdateOptionLabel(ctx, entity, logical, o.value, dynamics.Label{Text: o.label.ValueString(), LanguageCode: lang}, solution); err != nil {
				addSalesOptOutWriteError(&resp.Diagnostics, entity, logical, "Cannot change the column's "+strings.ReplaceAll(o.attr, "_", " "), err)
				return
			}
		}
		if writes || pending {
			// Metadata updates are not active until the table is published.
			if err := c.PublishEntity(ctx, entity); err != nil {
				addClientError(&resp.Diagnostics, path.Empty(), "Cannot publish the table "+entity,
					fmt.Errorf("%w\n\nThe column was changed but the change is not active until %s is published. The state "+
						"records published = false, so the next apply publishes it", err, entity))
				plan.ID, plan.MetadataID, plan.LogicalName = state.ID, state.MetadataID, state.LogicalName
				plan.Published = types.BoolValue(false)
				resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
				resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, salesOptOutIdentity(plan))...)
				return
			}
			setSalesOptOutPublishPending(ctx, resp.Private, "", &resp.Diagnostics)
		}
		if solutionChanged {
			if err := c.AddSolutionComponent(ctx, solution, state.MetadataID.ValueString(), dynamics.ComponentTypeAttribute); err != nil {
				addSalesOptOutWriteError(&resp.Diagnostics, entity, logical, "Cannot add the column to solution "+solution, err)
				return
			}
		}
		col, err := c.GetBooleanAttribute(ctx, entity, logical, true)
		if err != nil {
			addClientError(&resp.Diagnostics, path.Empty(), "Cannot read the Dataverse column after the update", err)
			return
		}
		salesOptOutFromAPI(&plan, col)
	} else {
		// Only Terraform-side settings changed (deletion_protection, timeouts): nothing to send.
		plan.ID, plan.MetadataID, plan.LogicalName = state.ID, state.MetadataID, state.LogicalName
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, salesOptOutIdentity(plan))...)
}

// Delete deletes the column, unless deletion_protection is on. A column that is already gone is
// success.
func (r *SalesOptOutFieldResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state salesOptOutFieldModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Repeated from ModifyPlan so that no path to a delete (a hand-edited state, an older plan)
	// can skip it.
	if state.DeletionProtection.ValueBool() {
		addSalesOptOutProtectedError(&resp.Diagnostics, state, "Destroying")
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	c := r.client(&resp.Diagnostics)
	if resp.Diagnostics.HasError() || c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	entity, logical := state.Entity.ValueString(), state.LogicalName.ValueString()
	err := c.DeleteAttribute(ctx, entity, logical)
	switch {
	case err == nil, dynamics.IsNotFound(err):
	case dynamics.IsInUse(err):
		addClientError(&resp.Diagnostics, path.Empty(), "Column still in use",
			fmt.Errorf("the column %s.%s is referenced by other components (forms, views, business rules, workflows, "+
				"duplicate-detection rules, ...). Remove those references in the maker portal (Solutions > the table > "+
				"the column > Show dependencies lists them), then destroy again.\n\n%w", entity, logical, err))
	default:
		addSalesOptOutWriteError(&resp.Diagnostics, entity, logical, "Cannot delete the Dataverse column", err)
	}
}

// ImportState adopts an existing column by `<entity>/<logical_name>` or `<entity>/<MetadataId>`.
// The settings that Dataverse does not hold take the values an unset configuration has, so that
// an imported column plans clean.
func (r *SalesOptOutFieldResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	raw := req.ID
	if identityGiven(req.Identity) {
		raw = salesOptOutImportIDOfIdentity(ctx, req.Identity, &resp.Diagnostics)
	}
	id, err := parseSalesOptOutImportID(raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	c := r.client(&resp.Diagnostics)
	if c == nil {
		return
	}
	col, err := r.findForImport(ctx, c, id)
	if err != nil && !dynamics.IsNotFound(err) {
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot read the column to import", err)
		return
	}
	if col == nil {
		resp.Diagnostics.AddError("Column not found",
			fmt.Sprintf("Dataverse has no column %q on table %q (or no such table). The import id is %s.", id.key(), id.Entity, salesOptOutImportFormat))
		return
	}
	if col.AttributeType != "Boolean" {
		resp.Diagnostics.AddError("Not a Boolean column",
			fmt.Sprintf("The column %s.%s is of type %s; dynamics_sales_optout_field manages Boolean (two-option) columns only.", id.Entity, col.LogicalName, col.AttributeType))
		return
	}
	if !col.IsCustom {
		resp.Diagnostics.AddError("Not a custom column",
			fmt.Sprintf("The column %s.%s is a standard Dataverse column. Only custom columns (with a publisher prefix, "+
				"e.g. new_salesoptout) can be managed by dynamics_sales_optout_field; map standard columns such as "+
				"donotemail directly.", id.Entity, col.LogicalName))
		return
	}
	solution := types.StringNull()
	if r.data != nil && r.data.solution != "" {
		solution = types.StringValue(r.data.solution)
	}
	for attr, v := range map[string]any{
		"id":           types.StringValue(col.MetadataID),
		"entity":       types.StringValue(id.Entity),
		"logical_name": types.StringValue(col.LogicalName),
		// language_code stays null: Read takes it from the column's labels.
		"deletion_protection": types.BoolValue(true),
		"solution":            solution,
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), v)...)
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, salesOptOutIdentityModel{
		Entity: types.StringValue(id.Entity), LogicalName: types.StringValue(col.LogicalName),
	})...)
}

// findForImport resolves an import id to the column's common definition; nil when there is no such
// column. A MetadataId is looked up in the table's column list: the client addresses columns by
// logical name only. The reads are strongly consistent: a column made seconds ago (the usual
// moment to import it) may not be in the metadata cache yet.
func (r *SalesOptOutFieldResource) findForImport(ctx context.Context, c *dynamics.Client, id salesOptOutImportID) (*dynamics.Attribute, error) {
	if id.MetadataID == "" {
		return c.GetLatestAttribute(ctx, id.Entity, id.LogicalName)
	}
	cols, err := c.ListLatestAttributes(ctx, id.Entity)
	if err != nil {
		return nil, err
	}
	for i := range cols {
		if strings.EqualFold(cols[i].MetadataID, id.MetadataID) {
			return &cols[i], nil
		}
	}
	return nil, nil
}

// client returns the Dataverse client or adds a diagnostic saying what to configure.
func (r *SalesOptOutFieldResource) client(diags *diag.Diagnostics) *dynamics.Client {
	if r.data == nil {
		diags.AddError("Provider not configured",
			"The outreach provider was not configured before dynamics_sales_optout_field was used. Please report this issue to the provider developers.")
		return nil
	}
	return r.data.dynamicsClient(diags)
}

// salesOptOutFromAPI copies what Dataverse holds into m. Labels are taken in m's language; the
// schema name keeps m's letter case when it differs only in case, because Dataverse compares
// names case-insensitively and a case-only difference is not drift.
func salesOptOutFromAPI(m *salesOptOutFieldModel, a *dynamics.BooleanAttribute) {
	lang := dynamics.DefaultLanguageCode
	if !m.LanguageCode.IsNull() && !m.LanguageCode.IsUnknown() {
		lang = int(m.LanguageCode.ValueInt64())
	}
	m.ID = types.StringValue(a.MetadataID)
	m.MetadataID = types.StringValue(a.MetadataID)
	m.LogicalName = types.StringValue(a.LogicalName)
	if m.SchemaName.IsNull() || m.SchemaName.IsUnknown() || !strings.EqualFold(m.SchemaName.ValueString(), a.SchemaName) {
		m.SchemaName = types.StringValue(a.SchemaName)
	}
	if a.EntityLogicalName != "" {
		m.Entity = types.StringValue(a.EntityLogicalName)
	}
	m.AttributeType = types.StringValue(a.AttributeType)
	if a.AttributeType == "" {
		m.AttributeType = types.StringValue("Boolean")
	}
	m.DisplayName = types.StringValue(salesOptOutLabel(a.DisplayNameLabels, lang, a.DisplayName))
	m.Description = types.StringValue(salesOptOutLabel(a.DescriptionLabels, lang, a.Description))
	m.TrueLabel = types.StringValue(salesOptOutLabel(a.TrueLabels, lang, a.TrueLabel))
	m.FalseLabel = types.StringValue(salesOptOutLabel(a.FalseLabels, lang, a.FalseLabel))
	m.DefaultValue = types.BoolValue(a.DefaultValue)
	m.RequiredLevel = types.StringValue(a.RequiredLevel)
	if a.RequiredLevel == "" {
		m.RequiredLevel = types.StringValue(dynamics.RequiredLevelNone)
	}
}

// salesOptOutLabelLanguage is the language_code of a column adopted from Dataverse (import, list):
// the language it is labelled in, 1033 when Dataverse does not say.
func salesOptOutLabelLanguage(col *dynamics.BooleanAttribute) types.Int64 {
	if col.LabelLanguageCode == 0 {
		return types.Int64Value(dynamics.DefaultLanguageCode)
	}
	return types.Int64Value(int64(col.LabelLanguageCode))
}

// salesOptOutLabel returns the label in lang. The client's plain-string label is in its own
// language (1033), which is used when lang is that language and the list is empty.
func salesOptOutLabel(labels []dynamics.Label, lang int, clientText string) string {
	for _, l := range labels {
		if l.LanguageCode == lang {
			return l.Text
		}
	}
	if len(labels) == 0 && lang == dynamics.DefaultLanguageCode {
		return clientText
	}
	return ""
}

// salesOptOutSchemaNameChanged replaces the column only when the schema name changes other than
// in letter case: Dataverse names are case-insensitive, and a replacement deletes the data.
func salesOptOutSchemaNameChanged(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
}

// salesOptOutSchemaNameValidator checks the publisher prefix at plan time, so that a name
// Dataverse would refuse never reaches it.
type salesOptOutSchemaNameValidator struct{}

// Description says what the validator checks.
func (v salesOptOutSchemaNameValidator) Description(_ context.Context) string {
	return "must be <prefix>_<Name>: a customization prefix of 2-8 letters or digits starting with a letter, an underscore, then a name starting with a letter, at most 50 characters (e.g. new_SalesOptOut)"
}

// MarkdownDescription says what the validator checks.
func (v salesOptOutSchemaNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

// ValidateString reports a schema name Dataverse would refuse, with the rule and an example.
func (v salesOptOutSchemaNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	example := "new_SalesOptOut"
	switch {
	case len(name) > salesOptOutSchemaNameMaxLength:
		resp.Diagnostics.AddAttributeError(req.Path, "Schema name too long",
			fmt.Sprintf("The schema name %q has %d characters; Dataverse allows at most %d, prefix included. Use a shorter name, e.g. %q.",
				name, len(name), salesOptOutSchemaNameMaxLength, example))
	case !strings.Contains(name, "_"):
		if salesOptOutEntityPattern.MatchString(strings.ToLower(name)) && name != "" && isLetter(name[0]) {
			example = "new_" + name
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Schema name without customization prefix",
			fmt.Sprintf("The schema name %q has no customization prefix. Custom Dataverse columns are named <prefix>_<Name>, "+
				"where <prefix> is the customization prefix of the solution's publisher (2-8 letters or digits, starting "+
				"with a letter; \"new\" for the default publisher), e.g. %q.", name, example))
	case !salesOptOutSchemaNamePattern.MatchString(name):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid schema name",
			fmt.Sprintf("The schema name %q is not <prefix>_<Name>: the customization prefix must have 2-8 letters or digits "+
				"and start with a letter, and the name after the underscore must start with a letter and contain only "+
				"letters, digits and underscores, e.g. %q.", name, example))
	}
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// addSalesOptOutProtectedError explains why a protected column is not deleted and how to proceed.
func addSalesOptOutProtectedError(diags *diag.Diagnostics, state salesOptOutFieldModel, action string) {
	diags.AddAttributeError(path.Root("deletion_protection"), "Sales Opt Out column is protected from deletion",
		fmt.Sprintf("%s dynamics_sales_optout_field deletes the Dataverse column %s.%s, and with it the value of that column "+
			"in every %s record. deletion_protection is true, so nothing was deleted.\n\nIf you really mean to delete the "+
			"column and its data, set deletion_protection = false, run terraform apply, then run the destroy (or the "+
			"change) again. To stop managing the column without deleting it, use terraform state rm (or a removed block "+
			"with destroy = false).", action, state.Entity.ValueString(), state.LogicalName.ValueString(), state.Entity.ValueString()))
}

// addSalesOptOutUnknownEntityError names the table Dataverse does not know.
func addSalesOptOutUnknownEntityError(diags *diag.Diagnostics, entity string) {
	diags.AddAttributeError(path.Root("entity"), "Table not found",
		fmt.Sprintf("Dataverse has no table with logical name %q. Use the table's logical name (lower case), e.g. \"contact\" or \"lead\"; "+
			"the lead table exists only where Dynamics 365 Sales is installed.", entity))
}

// addSalesOptOutExistsError refuses to adopt an existing column and says how to import it.
func addSalesOptOutExistsError(diags *diag.Diagnostics, entity, logical string, existing *dynamics.Attribute) {
	what := fmt.Sprintf("Table %q already has a column named %q", entity, logical)
	if existing != nil {
		what += fmt.Sprintf(" (%s, type %s, MetadataId %s)", existing.DisplayName, existing.AttributeType, existing.MetadataID)
		if existing.AttributeType != "" && existing.AttributeType != "Boolean" {
			diags.AddAttributeError(path.Root("schema_name"), "Column already exists",
				what+". It is not a Boolean column, so it cannot serve as the Sales Opt Out column: choose another schema_name. Nothing was changed.")
			return
		}
	}
	diags.AddAttributeError(path.Root("schema_name"), "Column already exists",
		what+". Creating it again would overwrite a column this configuration does not own, so nothing was changed.\n\n"+
			salesOptOutImportHint(entity, logical)+"\n\nOr choose another schema_name.")
}

// addSalesOptOutWriteError reports a failed metadata write, with the customization-lock case
// spelled out: it is retried already, so reaching here means the lock outlasted the retries.
func addSalesOptOutWriteError(diags *diag.Diagnostics, entity, logical, summary string, err error) {
	if dynamics.IsCustomizationLock(err) {
		err = fmt.Errorf("%w\n\nAnother customization (a solution import, a publish or another column change) held the "+
			"organization's lock for longer than the operation's timeout allowed. Wait until it finishes (Solution History "+
			"in the maker portal shows it), then apply again, or raise the resource's timeouts", err)
	} else if dynamics.IsSolutionNotFound(err) {
		addClientError(diags, path.Root("solution"), "Solution not found",
			fmt.Errorf("%w\n\nThe solution was deleted or renamed after the plan. Set solution (or the provider's "+
				"dynamics.solution) to the unique name of an existing unmanaged solution and apply again", err))
		return
	} else if dynamics.IsNotFound(err) {
		err = fmt.Errorf("%w\n\nThe column %s.%s was deleted outside Terraform; run terraform apply again to create it", err, entity, logical)
	}
	addClientError(diags, path.Empty(), summary, err)
}
