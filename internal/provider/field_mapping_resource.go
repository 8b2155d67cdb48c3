package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ resource.Resource                = &FieldMappingResource{}
	_ resource.ResourceWithConfigure   = &FieldMappingResource{}
	_ resource.ResourceWithModifyPlan  = &FieldMappingResource{}
	_ resource.ResourceWithImportState = &FieldMappingResource{}
	_ resource.ResourceWithIdentity    = &FieldMappingResource{}
)

func init() { resourceConstructors = append(resourceConstructors, NewFieldMappingResource) }

// NewFieldMappingResource returns the outreach_dynamics_field_mapping resource.
func NewFieldMappingResource() resource.Resource { return &FieldMappingResource{} }

// FieldMappingResource manages one field mapping of the Outreach Dynamics plugin: which Outreach
// field syncs with which Dynamics column on one CRM object, and in which direction.
type FieldMappingResource struct{ data *providerData }

// fieldMappingModel is the resource's state and plan.
type fieldMappingModel struct {
	ID                    types.String `tfsdk:"id"`
	PluginID              types.Int64  `tfsdk:"plugin_id"`
	Object                types.String `tfsdk:"object"`
	OutreachField         types.String `tfsdk:"outreach_field"`
	DynamicsField         types.String `tfsdk:"dynamics_field"`
	Direction             types.String `tfsdk:"direction"`
	SkipEmptyToDynamics   types.Bool   `tfsdk:"skip_empty_to_dynamics"`
	SkipEmptyFromDynamics types.Bool   `tfsdk:"skip_empty_from_dynamics"`
	EmptyPlaceholder      types.String `tfsdk:"empty_placeholder"`
	LookupType            types.String `tfsdk:"lookup_type"`
	CreatedAt             types.String `tfsdk:"created_at"`
	UpdatedAt             types.String `tfsdk:"updated_at"`
}

// Metadata names the resource.
func (r *FieldMappingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_field_mapping"
}

// Schema describes the resource.
func (r *FieldMappingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Maps an Outreach field to a Dynamics 365 column on one CRM object of the Outreach Dynamics plugin, " +
			"e.g. Outreach `optedOut` ↔ Dynamics `donotemail` on `lead` and `contact`.\n\n" +
			"The mapping is checked at plan time against the plugin's live field catalog: both fields must exist on the " +
			"object, their types must be compatible (equal, or `string` on either side with anything but `lookup`), the " +
			"direction must write only to writable fields, and no other mapping (managed by Terraform or not) may already " +
			"map the Outreach field on that object. A column created in the same apply (for example " +
			"`dynamics_field = dynamics_sales_optout_field.x.logical_name`) does not exist yet at plan time: the plan " +
			"warns, and the provider refreshes the plugin's fields once on apply if Outreach does not know the column yet. " +
			"When the provider's `dynamics` settings are known only at apply, a column the catalog does not list is checked " +
			"by Outreach on apply.\n\n" +
			"A create whose answer is lost (a proxy's 502, a timeout, a dropped connection) is never sent again: the " +
			"provider looks the mapping up in Outreach and records it in state if it was created A create refused with `503` (Outreach maintenance) " +
			"was not processed: it is sent again after the wait Outreach asks for, for up to 15 minutes.\n\n" +
			"Import with the mapping id (`42`), `<object>/<outreach_field>` (`lead/optedOut`) or " +
			"`<plugin_id>/<object>/<outreach_field>` (`1/lead/optedOut`). The `outreach_dynamics_field_mappings` data " +
			"source lists existing mappings, for `import` blocks.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The mapping's id in Outreach.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"plugin_id": pluginIDAttribute("Changing a configured value replaces the mapping."),
			"object": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The CRM object (Dynamics table) the mapping belongs to: `lead`, `contact`, `account`, " +
					"`opportunity`, `task`, `appointment` or `systemuser`. Changing it replaces the mapping.",
				Validators:    []validator.String{stringvalidator.OneOf(crmObjects...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"outreach_field": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Outreach field name as the plugin's catalog spells it, e.g. `optedOut`, `emailOptedOut`, " +
					"`callOptedOut`, `smsOptedOut`. The `outreach_dynamics_fields` data source lists them. Changing it " +
					"replaces the mapping: with `object` and `plugin_id` it is the mapping's identity, which never changes.",
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"dynamics_field": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Logical name of the Dynamics column, e.g. `donotemail` or `new_salesoptout`. " +
					"Updated in place.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"direction": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(mappingDirectionBoth),
				MarkdownDescription: "Which way values flow: `bidirectional` (default), `outreach_to_dynamics`, " +
					"`dynamics_to_outreach` or `none`. Writing to Dynamics needs a writable column, writing to Outreach a " +
					"writable Outreach field. `none` switches both directions off (as the Outreach UI can): the mapping " +
					"exists but moves nothing, so neither field needs to be writable; a mapping switched off in the UI " +
					"reads as `none`.",
				Validators: []validator.String{stringvalidator.OneOf(mappingDirectionBoth, mappingDirectionToDynamics, mappingDirectionToOutreach, mappingDirectionNone)},
			},
			"skip_empty_to_dynamics": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Do not overwrite the Dynamics column with an empty Outreach value. Default `false`.",
			},
			"skip_empty_from_dynamics": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Do not overwrite the Outreach field with an empty Dynamics value. Default `false`.",
			},
			"empty_placeholder": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Value sent instead of an empty one.",
			},
			"lookup_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Target type of a `lookup` field, e.g. `systemuser`.",
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the mapping was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the mapping was last changed (RFC 3339).",
			},
		},
	}
}

// Configure receives the provider data.
func (r *FieldMappingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan checks the planned mapping against the live field catalog, so that a mapping Outreach
// would refuse fails at plan time with the closest valid names, not halfway through an apply. It
// only reads: no write request is ever made here.
func (r *FieldMappingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	var plan fieldMappingModel
	resp.Diagnostics.Append(fieldMappingCodec.FromPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *fieldMappingModel
	if !req.State.Raw.IsNull() {
		state = &fieldMappingModel{}
		resp.Diagnostics.Append(fieldMappingCodec.FromState(ctx, req.State, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if r.data.planPluginID(ctx, req, resp) == 0 {
		return
	}
	resp.Diagnostics.Append(fieldMappingCodec.FromPlan(ctx, resp.Plan, &plan)...) // with the plugin planPluginID resolved
	if resp.Diagnostics.HasError() {
		return
	}
	if state != nil && !fieldMappingChecksNeeded(plan, *state) {
		return // unchanged: no requests for a plan of an unchanged configuration
	}
	r.checkPlan(ctx, plan, state, &resp.Diagnostics)
}

// Create creates the mapping. A 422 for a Dynamics column the plugin does not know yet (one
// created in the same apply) refreshes the plugin's fields once and retries.
func (r *FieldMappingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan fieldMappingModel
	resp.Diagnostics.Append(fieldMappingCodec.FromPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	pluginID := r.data.resolvePluginID(ctx, plan.PluginID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	want := plan.toAPI(pluginID)
	created, err := writeWithFieldRefresh(ctx, r.data, c, pluginID, want.CRMObject, want.CRMField, isUnknownCRMFieldError, func() (*outreach.FieldMapping, error) {
		return c.CreateFieldMapping(ctx, want)
	})
	if created != nil {
		r.data.shared.WroteFieldMapping(pluginID, want.CRMObject, created.ID, created, nil)
	} else {
		r.data.shared.WroteFieldMapping(pluginID, want.CRMObject, 0, nil, err)
	}
	if err != nil {
		addClientError(&resp.Diagnostics, fieldMappingErrorPath(err), "Cannot create the field mapping", err)
		return
	}
	state := fieldMappingStateAfterWrite(created, pluginID, plan, &resp.Diagnostics)
	resp.Diagnostics.Append(fieldMappingCodec.SetState(ctx, &resp.State, &state)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, fieldMappingIdentity(state))...)
}

// Read refreshes every attribute from Outreach, the source of truth; a mapping deleted outside
// Terraform is removed from state so that the next plan recreates it.
func (r *FieldMappingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state fieldMappingModel
	resp.Diagnostics.Append(fieldMappingCodec.FromState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := fieldMappingID(state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		// Not refreshed (provider settings known only at apply): the state stays, and so must
		// its identity, which the framework requires after every Read.
		resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, fieldMappingIdentity(state))...)
		return
	}
	m, err := r.data.shared.FieldMapping(ctx, c, state.PluginID.ValueInt64(), state.Object.ValueString(), id)
	if err != nil {
		if outreach.IsNotFound(err) {
			resp.Diagnostics.AddWarning("Field mapping deleted outside Terraform",
				fmt.Sprintf("Outreach has no field mapping %d any more (%s %s → %s); it was removed from the state and the next apply creates it again.",
					id, state.Object.ValueString(), state.OutreachField.ValueString(), state.DynamicsField.ValueString()))
			resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, fieldMappingIdentity(state))...)
			resp.State.RemoveResource(ctx)
			return
		}
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot read the field mapping", err)
		return
	}
	next := fieldMappingFromAPI(m, state.PluginID.ValueInt64())
	resp.Diagnostics.Append(fieldMappingCodec.SetState(ctx, &resp.State, &next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, fieldMappingIdentity(next))...)
}

// Update patches every mutable attribute, so that Outreach ends up exactly as configured even
// after edits made in the Outreach UI.
func (r *FieldMappingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state fieldMappingModel
	resp.Diagnostics.Append(fieldMappingCodec.FromPlan(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(fieldMappingCodec.FromState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := fieldMappingID(state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	pluginID := state.PluginID.ValueInt64()
	want := plan.toAPI(pluginID)
	want.ID = id
	updated, err := writeWithFieldRefresh(ctx, r.data, c, pluginID, want.CRMObject, want.CRMField, isUnknownCRMFieldError, func() (*outreach.FieldMapping, error) {
		return c.UpdateFieldMapping(ctx, want)
	})
	r.data.shared.WroteFieldMapping(pluginID, want.CRMObject, id, updated, err)
	if err != nil {
		addClientError(&resp.Diagnostics, fieldMappingErrorPath(err), "Cannot update the field mapping", err)
		return
	}
	next := fieldMappingStateAfterWrite(updated, pluginID, plan, &resp.Diagnostics)
	resp.Diagnostics.Append(fieldMappingCodec.SetState(ctx, &resp.State, &next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, fieldMappingIdentity(next))...)
}

// Delete deletes the mapping; one already gone is not an error.
func (r *FieldMappingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state fieldMappingModel
	resp.Diagnostics.Append(fieldMappingCodec.FromState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, ok := fieldMappingID(state.ID, &resp.Diagnostics)
	if !ok {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	err := c.DeleteFieldMapping(ctx, id)
	if err != nil && outreach.IsNotFound(err) {
		err = nil
	}
	r.data.shared.WroteFieldMapping(state.PluginID.ValueInt64(), state.Object.ValueString(), id, nil, err)
	if err != nil {
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot delete the field mapping", err)
	}
}

// ImportState accepts `<id>`, `<object>/<outreach_field>` and `<plugin_id>/<object>/<outreach_field>`,
// or the identity (object, outreach_field, optional plugin_id); all but the id are looked up, Read
// fills in the rest.
func (r *FieldMappingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	raw := req.ID
	if identityGiven(req.Identity) {
		raw = fieldMappingImportIDOfIdentity(ctx, req.Identity, &resp.Diagnostics)
	}
	id, err := parseFieldMappingImportID(raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	if id.MappingID == 0 {
		m := r.findForImport(ctx, id, &resp.Diagnostics)
		if m == nil {
			return
		}
		id.MappingID, id.PluginID = m.ID, m.PluginID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(id.MappingID, 10))...)
	if id.PluginID != 0 {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("plugin_id"), id.PluginID)...)
	}
	if id.Object != "" {
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, fieldMappingIdentityModel{
			Object: types.StringValue(id.Object), OutreachField: types.StringValue(id.OutreachField), PluginID: types.Int64Value(id.PluginID),
		})...)
	}
}

// toAPI converts the plan into the client's mapping under the given plugin.
func (m fieldMappingModel) toAPI(pluginID int64) outreach.FieldMapping {
	in, out := mappingDirectionFlags(m.Direction.ValueString())
	return outreach.FieldMapping{
		PluginID:           pluginID,
		CRMObject:          m.Object.ValueString(),
		OutreachField:      m.OutreachField.ValueString(),
		CRMField:           m.DynamicsField.ValueString(),
		UpdatesIn:          in,
		UpdatesOut:         out,
		SkipEmptyIn:        m.SkipEmptyFromDynamics.ValueBool(),
		SkipEmptyOut:       m.SkipEmptyToDynamics.ValueBool(),
		EmptyPlaceholder:   m.EmptyPlaceholder.ValueStringPointer(),
		ExternalMappedType: m.LookupType.ValueStringPointer(),
	}
}

// fieldMappingFromAPI is the state of a mapping as Outreach has it. pluginID stands in when the
// response carries no plugin relationship.
func fieldMappingFromAPI(m *outreach.FieldMapping, pluginID int64) fieldMappingModel {
	if m.PluginID != 0 {
		pluginID = m.PluginID
	}
	return fieldMappingModel{
		ID:                    types.StringValue(strconv.FormatInt(m.ID, 10)),
		PluginID:              types.Int64Value(pluginID),
		Object:                types.StringValue(m.CRMObject),
		OutreachField:         types.StringValue(m.OutreachField),
		DynamicsField:         types.StringValue(m.CRMField),
		Direction:             types.StringValue(mappingDirectionOf(m.UpdatesIn, m.UpdatesOut)),
		SkipEmptyToDynamics:   types.BoolValue(m.SkipEmptyOut),
		SkipEmptyFromDynamics: types.BoolValue(m.SkipEmptyIn),
		EmptyPlaceholder:      types.StringPointerValue(m.EmptyPlaceholder),
		LookupType:            types.StringPointerValue(m.ExternalMappedType),
		CreatedAt:             timeValue(m.CreatedAt),
		UpdatedAt:             timeValue(m.UpdatedAt),
	}
}

// fieldMappingStateAfterWrite is the state after a create or update: the mapping as Outreach
// answered, except that empty_placeholder and lookup_type keep their planned values. They are
// optional and not computed, so Terraform requires them as planned after an apply; contract 3.4
// gives the server no default for them and the client sends both (null when unset), so a server
// that fills or changes one anyway breaks the contract. Keeping the plan, with a warning, turns
// that into drift shown by the next refresh instead of a failed apply ("inconsistent result").
func fieldMappingStateAfterWrite(got *outreach.FieldMapping, pluginID int64, plan fieldMappingModel, diags *diag.Diagnostics) fieldMappingModel {
	state := fieldMappingFromAPI(got, pluginID)
	for _, a := range []struct {
		name         string
		planned, dst *types.String
		answered     types.String
	}{
		{"empty_placeholder", &plan.EmptyPlaceholder, &state.EmptyPlaceholder, state.EmptyPlaceholder},
		{"lookup_type", &plan.LookupType, &state.LookupType, state.LookupType},
	} {
		if a.planned.IsUnknown() || a.planned.Equal(a.answered) {
			continue
		}
		*a.dst = *a.planned
		shown := "nothing"
		if !a.answered.IsNull() {
			shown = strconv.Quote(a.answered.ValueString())
		}
		diags.AddAttributeWarning(path.Root(a.name), "Outreach changed "+a.name,
			fmt.Sprintf("Outreach stored %s for %s of mapping %d, not the configured value. The state keeps the configuration; "+
				"the next plan shows the difference. Set %s to the value Outreach keeps if it is intended.",
				shown, a.name, got.ID, a.name))
	}
	return state
}

// fieldMappingID parses the state's id.
func fieldMappingID(v types.String, diags *diag.Diagnostics) (int64, bool) {
	id, err := strconv.ParseInt(v.ValueString(), 10, 64)
	if err != nil || id < 1 {
		diags.AddAttributeError(path.Root("id"), "Invalid field mapping id in state",
			fmt.Sprintf("The state holds id %q, which is not an Outreach mapping id. Remove the resource from the state "+
				"(terraform state rm) and import it again.", v.ValueString()))
		return 0, false
	}
	return id, true
}
