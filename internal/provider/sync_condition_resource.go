package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ resource.Resource                   = &SyncConditionResource{}
	_ resource.ResourceWithConfigure      = &SyncConditionResource{}
	_ resource.ResourceWithValidateConfig = &SyncConditionResource{}
	_ resource.ResourceWithModifyPlan     = &SyncConditionResource{}
	_ resource.ResourceWithImportState    = &SyncConditionResource{}
	_ resource.ResourceWithIdentity       = &SyncConditionResource{}
)

func init() { resourceConstructors = append(resourceConstructors, NewSyncConditionResource) }

// NewSyncConditionResource returns the outreach_dynamics_sync_condition resource.
func NewSyncConditionResource() resource.Resource { return &SyncConditionResource{} }

// SyncConditionResource manages one condition that a record must meet to take part in one sync
// trigger of one CRM object.
type SyncConditionResource struct{ data *providerData }

type syncConditionResourceModel struct {
	ID        types.String `tfsdk:"id"`
	PluginID  types.Int64  `tfsdk:"plugin_id"`
	Object    types.String `tfsdk:"object"`
	Trigger   types.String `tfsdk:"trigger"`
	Field     types.String `tfsdk:"field"`
	Operator  types.String `tfsdk:"operator"`
	Value     types.String `tfsdk:"value"`
	Values    types.List   `tfsdk:"values"`
	CreatedAt types.String `tfsdk:"created_at"`
	UpdatedAt types.String `tfsdk:"updated_at"`
}

// Metadata names the resource.
func (r *SyncConditionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_sync_condition"
}

// Schema describes the resource.
func (r *SyncConditionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A sync condition of the Outreach Dynamics plugin: a record takes part in a `trigger` of an " +
			"`object` only if every condition of that object and trigger holds. Conditions on `polling`, `inbound_create` " +
			"and `inbound_update` test the Dynamics record (Dynamics column logical names such as `donotemail`); conditions " +
			"on `outbound_create` and `outbound_update` test the Outreach record (Outreach attribute names such as " +
			"`optedOut`).\n\nValues are written as strings and sent typed as the field: `\"false\"` on a boolean column is " +
			"sent as `false`, `\"100\"` on an integer column as `100`.\n\n" +
			"A create whose answer is lost (a proxy's 502, a timeout, a dropped connection) is never sent again: the " +
			"provider looks the condition up in Outreach and records it in state if it was created A create refused with `503` (Outreach maintenance) " +
			"was not processed: it is sent again after the wait Outreach asks for, for up to 15 minutes.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The condition's Outreach id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"plugin_id": pluginIDAttribute("Changing a configured value replaces the condition."),
			"object": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The CRM object: one of " + quoteJoin(crmObjects, ", ") + ". Changing it replaces the condition.",
				Validators:          []validator.String{stringvalidator.OneOf(crmObjects...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"trigger": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The sync step the condition filters: `polling`, `inbound_create`, `inbound_update` (these test " +
					"Dynamics fields), `outbound_create` or `outbound_update` (these test Outreach fields). Changing it replaces the condition.",
				Validators:    []validator.String{stringvalidator.OneOf(syncConditionTriggerNames...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"field": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The field tested: a Dynamics column logical name for `polling` and inbound triggers, an " +
					"Outreach attribute name for outbound triggers. It must be in the plugin's field catalog, or be a Dynamics " +
					"column created in the same apply (`field = dynamics_sales_optout_field.x.logical_name`): the provider " +
					"then refreshes the plugin's fields once and types `value` as the new column.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"operator": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "One of `equals`, `not_equals`, `is_blank`, `is_not_blank`, `contains`, `not_contains` " +
					"(string fields), `greater_than`, `less_than` (integer, decimal and datetime fields), `in`, `not_in` " +
					"(not on boolean or datetime fields).",
				Validators: []validator.String{stringvalidator.OneOf(syncConditionOperatorNames...)},
			},
			"value": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The value compared with, written as a string and sent typed as the field: `\"true\"`/`\"false\"` " +
					"for a boolean, a number for an integer or decimal, an RFC 3339 date-time for a datetime. Required for " +
					"`equals`, `not_equals`, `contains`, `not_contains`, `greater_than` and `less_than`; not allowed otherwise.",
			},
			"values": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The list of values for `in` and `not_in` (required and non-empty for them, not allowed " +
					"otherwise), each typed as `value` is. Updated in place, also when moving from `in`/`not_in` to " +
					"another operator.",
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the condition was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the condition was last changed (RFC 3339).",
			},
		},
	}
}

// Configure receives the provider data.
func (r *SyncConditionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks, without any request, that value and values fit the operator.
func (r *SyncConditionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m syncConditionResourceModel
	resp.Diagnostics.Append(syncConditionCodec.FromConfig(ctx, req.Config, &m)...)
	if resp.Diagnostics.HasError() || m.Operator.IsUnknown() || m.Operator.IsNull() {
		return
	}
	op := m.Operator.ValueString()
	// A value known only at apply may turn out null, so only a known value counts as set; the
	// validation at apply, with every value known, decides.
	valueSet, valuesSet := mappingKnown(m.Value), mappingKnown(m.Values)
	switch {
	case syncConditionTakesValue(op):
		if m.Value.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("value"), "Missing value",
				fmt.Sprintf("The operator %q compares the field with a value: set value, e.g. value = \"false\".", op))
		}
		if valuesSet {
			resp.Diagnostics.AddAttributeError(path.Root("values"), "values is only for in and not_in",
				fmt.Sprintf("The operator %q takes one value: use value instead of values, or use the operator in / not_in.", op))
		}
	case syncConditionTakesList(op):
		if valueSet {
			resp.Diagnostics.AddAttributeError(path.Root("value"), "value is not used with "+op,
				fmt.Sprintf("The operator %q compares with a list: put the value in values = [...] and remove value.", op))
		}
		switch {
		case m.Values.IsNull():
			resp.Diagnostics.AddAttributeError(path.Root("values"), "Missing values",
				fmt.Sprintf("The operator %q needs a non-empty list: set values, e.g. values = [\"a\", \"b\"].", op))
		case !m.Values.IsUnknown() && len(m.Values.Elements()) == 0:
			resp.Diagnostics.AddAttributeError(path.Root("values"), "Empty values",
				fmt.Sprintf("The operator %q needs at least one value in values.", op))
		case !m.Values.IsUnknown():
			for i, e := range m.Values.Elements() {
				if e.IsNull() {
					resp.Diagnostics.AddAttributeError(path.Root("values").AtListIndex(i), "Null in values",
						"Every element of values must be a string; remove the null.")
				}
			}
		}
	default: // is_blank, is_not_blank
		if valueSet {
			resp.Diagnostics.AddAttributeError(path.Root("value"), "value is not used with "+op,
				fmt.Sprintf("The operator %q tests only whether the field is empty: remove value.", op))
		}
		if valuesSet {
			resp.Diagnostics.AddAttributeError(path.Root("values"), "values is not used with "+op,
				fmt.Sprintf("The operator %q tests only whether the field is empty: remove values.", op))
		}
	}
}

// ModifyPlan resolves the plugin and, when the field catalog can be read, checks the field, the
// operator and the value against it, so that a mistake fails the plan rather than the apply. It
// never writes.
func (r *SyncConditionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.outreach == nil {
		return // destroy, or the provider is not configured yet: Create reports what is missing
	}
	var plan, config syncConditionResourceModel
	resp.Diagnostics.Append(syncConditionCodec.FromPlan(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(syncConditionCodec.FromConfig(ctx, req.Config, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *syncConditionResourceModel
	if !req.State.Raw.IsNull() {
		state = &syncConditionResourceModel{}
		resp.Diagnostics.Append(syncConditionCodec.FromState(ctx, req.State, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	pluginID := r.data.planPluginID(ctx, req, resp)
	if pluginID == 0 {
		return
	}

	for _, v := range []attr.Value{plan.Object, plan.Trigger, plan.Field, plan.Operator, plan.Value, plan.Values} {
		if v.IsUnknown() {
			return
		}
	}
	// An unchanged condition is not checked again: a catalog that changed since (a column
	// deleted in Dynamics) must not block plans of unrelated resources; the refresh shows it.
	if state != nil && state.PluginID.ValueInt64() == pluginID && state.Object.Equal(plan.Object) &&
		state.Trigger.Equal(plan.Trigger) && state.Field.Equal(plan.Field) && state.Operator.Equal(plan.Operator) &&
		state.Value.Equal(plan.Value) && state.Values.Equal(plan.Values) {
		return
	}
	fields, err := r.data.catalog.Fields(ctx, r.data.outreach, pluginID, plan.Object.ValueString())
	if err != nil {
		addClientError(&resp.Diagnostics, path.Root("field"), "Cannot read the plugin's field catalog", err)
		return
	}
	r.checkAgainstCatalog(ctx, pluginID, plan, fields, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || state == nil || !state.Field.Equal(plan.Field) {
		return
	}
	if f, ok := findField(fields, syncConditionSide(plan.Trigger.ValueString()), plan.Field.ValueString()); ok &&
		syncConditionKeepStateSpelling(ctx, f.Type, *state, &plan) {
		// Only these three: plugin_id may have been resolved into resp.Plan above.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("value"), plan.Value)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("values"), plan.Values)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("updated_at"), plan.UpdatedAt)...)
	}
}

// syncConditionKeepStateSpelling plans the state's value and values where the configuration writes
// the same values another way ("TRUE" for true, "+10" for 10), and reports whether it changed
// plan. State holds the API's canonical spelling after an import, which has no written form to
// keep, so without this an import would plan an update that sends nothing new. Terraform accepts
// the prior value in place of a configured one it stands for. When nothing else differs either,
// updated_at keeps its value too instead of becoming "known after apply".
func syncConditionKeepStateSpelling(ctx context.Context, typ string, state syncConditionResourceModel, plan *syncConditionResourceModel) bool {
	same := func(planned, prior types.String) bool {
		if planned.IsNull() || planned.IsUnknown() || prior.IsNull() || prior.IsUnknown() || planned.Equal(prior) {
			return false
		}
		raw, err := syncConditionEncodeValue(typ, prior.ValueString())
		return err == nil && syncConditionSameValue(planned.ValueString(), raw)
	}
	changed := false
	if same(plan.Value, state.Value) {
		plan.Value, changed = state.Value, true
	}
	if !plan.Values.IsNull() && !plan.Values.IsUnknown() && !state.Values.IsNull() && !state.Values.IsUnknown() &&
		!plan.Values.Equal(state.Values) && len(plan.Values.Elements()) == len(state.Values.Elements()) {
		var planned, prior []types.String
		if plan.Values.ElementsAs(ctx, &planned, false).HasError() || state.Values.ElementsAs(ctx, &prior, false).HasError() {
			return changed
		}
		all := true
		for i := range planned {
			if !planned[i].Equal(prior[i]) && !same(planned[i], prior[i]) {
				all = false
				break
			}
		}
		if all {
			plan.Values, changed = state.Values, true
		}
	}
	if changed && plan.PluginID.Equal(state.PluginID) && plan.Object.Equal(state.Object) && plan.Trigger.Equal(state.Trigger) &&
		plan.Field.Equal(state.Field) && plan.Operator.Equal(state.Operator) && plan.Value.Equal(state.Value) && plan.Values.Equal(state.Values) {
		plan.UpdatedAt = state.UpdatedAt
	}
	return changed
}

// Create creates the condition, its value typed as the field's catalog type.
func (r *SyncConditionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan syncConditionResourceModel
	resp.Diagnostics.Append(syncConditionCodec.FromPlan(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	pluginID := r.data.resolvePluginID(ctx, plan.PluginID, &resp.Diagnostics)
	if pluginID == 0 {
		return
	}
	created, err := r.writeTyped(ctx, c, pluginID, plan, &resp.Diagnostics, func(ctx context.Context, cond outreach.SyncCondition, _ string) (*outreach.SyncCondition, error) {
		return c.CreateSyncCondition(ctx, cond)
	})
	if created != nil {
		r.data.shared.WroteSyncCondition(pluginID, plan.Object.ValueString(), created.ID, created, nil)
	} else {
		r.data.shared.WroteSyncCondition(pluginID, plan.Object.ValueString(), 0, nil, err)
	}
	if err != nil {
		if !errors.Is(err, errSyncConditionNotTyped) {
			addClientError(&resp.Diagnostics, syncConditionErrorPath(err), "Cannot create the sync condition", err)
		}
		return
	}
	if created.PluginID == 0 {
		created.PluginID = pluginID
	}
	next := syncConditionState(ctx, created, plan, &resp.Diagnostics)
	resp.Diagnostics.Append(syncConditionCodec.SetState(ctx, &resp.State, next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, syncConditionIdentity(*next))...)
}

// Read refreshes the condition; one deleted outside Terraform leaves the state with a warning.
func (r *SyncConditionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state syncConditionResourceModel
	resp.Diagnostics.Append(syncConditionCodec.FromState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		// Not refreshed (provider settings known only at apply): the state stays, and so must
		// its identity, which the framework requires after every Read.
		resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, syncConditionIdentity(state))...)
		return
	}
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid sync condition id",
			fmt.Sprintf("The id %q in state is not a number. Remove the resource from state and import it again.", state.ID.ValueString()))
		return
	}
	got, err := r.data.shared.SyncCondition(ctx, c, state.PluginID.ValueInt64(), state.Object.ValueString(), id)
	if err != nil {
		if outreach.IsNotFound(err) {
			resp.Diagnostics.AddWarning("Sync condition deleted outside Terraform",
				fmt.Sprintf("Sync condition %d no longer exists in Outreach; it is removed from state and will be created again on the next apply.", id))
			resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, syncConditionIdentity(state))...)
			resp.State.RemoveResource(ctx)
			return
		}
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot read the sync condition", err)
		return
	}
	if got.PluginID == 0 {
		got.PluginID = state.PluginID.ValueInt64()
	}
	next := syncConditionState(ctx, got, state, &resp.Diagnostics)
	resp.Diagnostics.Append(syncConditionCodec.SetState(ctx, &resp.State, next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, syncConditionIdentity(*next))...)
}

// Update changes field, operator, value and values in place.
func (r *SyncConditionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state syncConditionResourceModel
	resp.Diagnostics.Append(syncConditionCodec.FromPlan(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(syncConditionCodec.FromState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid sync condition id",
			fmt.Sprintf("The id %q in state is not a number. Remove the resource from state and import it again.", state.ID.ValueString()))
		return
	}
	pluginID := state.PluginID.ValueInt64()
	updated, err := r.writeTyped(ctx, c, pluginID, plan, &resp.Diagnostics, func(ctx context.Context, cond outreach.SyncCondition, typ string) (*outreach.SyncCondition, error) {
		cond.ID = id
		return c.UpdateSyncCondition(ctx, syncConditionPriorWire(ctx, state, cond, typ), cond)
	})
	r.data.shared.WroteSyncCondition(pluginID, state.Object.ValueString(), id, updated, err)
	if err != nil {
		if !errors.Is(err, errSyncConditionNotTyped) {
			addClientError(&resp.Diagnostics, syncConditionErrorPath(err), "Cannot update the sync condition", err)
		}
		return
	}
	if updated.PluginID == 0 {
		updated.PluginID = pluginID
	}
	next := syncConditionState(ctx, updated, plan, &resp.Diagnostics)
	resp.Diagnostics.Append(syncConditionCodec.SetState(ctx, &resp.State, next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, syncConditionIdentity(*next))...)
}

// Delete deletes the condition; one already gone is not an error.
func (r *SyncConditionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state syncConditionResourceModel
	resp.Diagnostics.Append(syncConditionCodec.FromState(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		return // nothing that could exist in Outreach
	}
	err = c.DeleteSyncCondition(ctx, id)
	if err != nil && outreach.IsNotFound(err) {
		err = nil
	}
	r.data.shared.WroteSyncCondition(state.PluginID.ValueInt64(), state.Object.ValueString(), id, nil, err)
	if err != nil {
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot delete the sync condition", err)
	}
}

// ImportState imports a condition by its Outreach id, or by the identity (id, optional plugin_id);
// Read fills in the rest.
func (r *SyncConditionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	raw, pluginID := req.ID, int64(0)
	if identityGiven(req.Identity) {
		raw, pluginID = syncConditionImportIDOfIdentity(ctx, req.Identity, &resp.Diagnostics)
	}
	id, err := parseSyncConditionImportID(raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", strings.ToUpper(err.Error()[:1])+err.Error()[1:]+".")
		return
	}
	if r.checkSyncConditionPlugin(ctx, id, pluginID, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(id, 10))...)
}

// checkAgainstCatalog applies contract 3.5's rules to a fully known plan: the field exists on the
// side the trigger tests, the operator fits its type, the value parses as it. A Dynamics column
// the catalog does not list is judged as a field mapping's is (providerData.uncataloguedColumn):
// one created in this apply, or known to Dataverse only, passes, and its operator and value are
// checked on apply, once the refreshed catalog knows its type.
func (r *SyncConditionResource) checkAgainstCatalog(ctx context.Context, pluginID int64, plan syncConditionResourceModel, fields []outreach.Field, diags *diag.Diagnostics) {
	object, trigger, name, op := plan.Object.ValueString(), plan.Trigger.ValueString(), plan.Field.ValueString(), plan.Operator.ValueString()
	side := syncConditionSide(trigger)
	f, ok := findField(fields, side, name)
	if !ok {
		detail := syncConditionMissingFieldDetail(fields, object, trigger, side, name)
		if _, onOutreachSide := findField(fields, syncConditionSideOutreach, name); side == syncConditionSideCRM && !onOutreachSide {
			note, accepted := r.data.uncataloguedColumn(ctx, path.Root("field"), pluginID, object, name, fields, diags)
			if accepted {
				return
			}
			detail += " " + note
		}
		diags.AddAttributeError(path.Root("field"), "Field not available for this trigger", detail)
		return
	}
	if !syncConditionOperatorFits(op, f.Type) {
		diags.AddAttributeError(path.Root("operator"), "Operator does not fit the field type",
			fmt.Sprintf("The operator %q cannot be used on %q, %s field. Operators for %s fields: %s.",
				op, name, syncConditionArticle(f.Type), f.Type, strings.Join(syncConditionOperatorsFor(f.Type), ", ")))
		return
	}
	if syncConditionTakesValue(op) && !plan.Value.IsNull() {
		if _, err := syncConditionEncodeValue(f.Type, plan.Value.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("value"), "Value does not fit the field type",
				fmt.Sprintf("%q is %s field, so value must be %s; got %q.", name, syncConditionArticle(f.Type), err, plan.Value.ValueString()))
		}
	}
	if syncConditionTakesList(op) && !plan.Values.IsNull() {
		for i, e := range plan.Values.Elements() {
			s, ok := e.(types.String)
			if !ok || s.IsNull() || s.IsUnknown() {
				continue
			}
			if _, err := syncConditionEncodeValue(f.Type, s.ValueString()); err != nil {
				diags.AddAttributeError(path.Root("values").AtListIndex(i), "Value does not fit the field type",
					fmt.Sprintf("%q is %s field, so every element of values must be %s; got %q.", name, syncConditionArticle(f.Type), err, s.ValueString()))
			}
		}
	}
}

// syncConditionMissingFieldDetail explains why a field is not usable: it is on the other side
// (the trigger/side rule), or it is not in the catalog at all (a typo, or a new column).
func syncConditionMissingFieldDetail(fields []outreach.Field, object, trigger, side, name string) string {
	var candidates []string
	for _, f := range fields {
		if f.Side == side {
			candidates = append(candidates, f.Name)
		}
	}
	sideName := syncConditionSideName(side)
	rule := fmt.Sprintf("A %s condition tests the %s record, so field must be %s field of %s "+
		"(polling, inbound_create and inbound_update test Dynamics columns; outbound_create and outbound_update test Outreach fields).",
		trigger, sideName, syncConditionArticle(sideName), object)
	other := syncConditionSideOutreach
	if side == syncConditionSideOutreach {
		other = syncConditionSideCRM
	}
	if _, onOther := findField(fields, other, name); onOther {
		var fix string
		if side == syncConditionSideCRM {
			fix = fmt.Sprintf(" To test the Outreach field %q, use the trigger outbound_create or outbound_update; to filter %s, "+
				"test the Dynamics column it is mapped to (e.g. \"donotemail\" for optedOut).", name, trigger)
		} else {
			fix = fmt.Sprintf(" To test the Dynamics column %q, use the trigger polling, inbound_create or inbound_update; to filter %s, "+
				"test the Outreach field it is mapped to (e.g. \"optedOut\" for donotemail).", name, trigger)
		}
		return fmt.Sprintf("%q is %s field of %s, not a %s one. %s%s%s", name, syncConditionArticle(syncConditionSideName(other)),
			object, sideName, rule, fix, didYouMean(name, candidates))
	}
	detail := fmt.Sprintf("%q is not in the plugin's field catalog for %s. %s%s", name, object, rule, didYouMean(name, candidates))
	if side == syncConditionSideCRM {
		detail += " A column created in Dynamics recently is unknown to the plugin until its fields are refreshed."
	}
	return detail
}

// syncConditionArticle puts "a" or "an" before a side name or a field type.
func syncConditionArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// errSyncConditionNotTyped stops a write whose value could not be typed; the diagnostics say why.
var errSyncConditionNotTyped = errors.New("the condition's value could not be typed as its field")

// writeTyped types the plan as the field's catalog type and writes it. When Outreach does not know
// a Dynamics column (one created in this apply), the plugin's fields are refreshed and the
// condition is typed again from the refreshed catalog before the one retry: typed before the
// refresh, "false" for a new Boolean column would go out as a string and be refused.
func (r *SyncConditionResource) writeTyped(ctx context.Context, c *outreach.Client, pluginID int64, plan syncConditionResourceModel, diags *diag.Diagnostics,
	write func(ctx context.Context, cond outreach.SyncCondition, typ string) (*outreach.SyncCondition, error),
) (*outreach.SyncCondition, error) {
	// typedBlind is set when the field was not in the catalog and its value went out as a string.
	// Outreach then refuses either the field (it does not know the column yet) or, when another
	// resource of this apply refreshed the plugin's fields in between, the value's type: both
	// mean "refresh, type again, retry".
	var typedBlind bool
	unknownColumn := func(err error) bool {
		if syncConditionSide(plan.Trigger.ValueString()) != syncConditionSideCRM {
			return false
		}
		return isUnknownColumnError(err, "/data/attributes/field") ||
			(typedBlind && (isValidationErrorAt(err, "/data/attributes/value") || isValidationErrorAt(err, "/data/attributes/values")))
	}
	var typing diag.Diagnostics
	got, err := writeWithFieldRefresh(ctx, r.data, c, pluginID, plan.Object.ValueString(), plan.Field.ValueString(), unknownColumn, func() (*outreach.SyncCondition, error) {
		typing = nil
		cond, typ, blind := r.wireCondition(ctx, c, pluginID, plan, &typing)
		typedBlind = blind
		if typing.HasError() {
			return nil, errSyncConditionNotTyped
		}
		return write(ctx, cond, typ)
	})
	diags.Append(typing...)
	return got, err
}

// wireCondition builds the client's condition from the plan, typing value and values as the
// field's catalog type. A field missing from the catalog (a Dynamics column created in this apply,
// or one the plan could not check) is sent as a string: Outreach refuses the unknown field before
// it looks at the value, writeTyped refreshes the plugin's fields and types it again. It also
// returns the type used, and whether the field was missing from the catalog.
func (r *SyncConditionResource) wireCondition(ctx context.Context, c *outreach.Client, pluginID int64, m syncConditionResourceModel, diags *diag.Diagnostics) (outreach.SyncCondition, string, bool) {
	trigger := m.Trigger.ValueString()
	cond := outreach.SyncCondition{
		PluginID:  pluginID,
		CRMObject: m.Object.ValueString(),
		Trigger:   syncConditionWireWord(syncConditionTriggers, trigger),
		Field:     m.Field.ValueString(),
		Operator:  syncConditionWireWord(syncConditionOperators, m.Operator.ValueString()),
	}
	typ := "string"
	fields, err := r.data.catalog.Fields(ctx, c, pluginID, cond.CRMObject)
	if err != nil {
		addClientError(diags, path.Root("field"), "Cannot read the plugin's field catalog", err)
		return cond, typ, false
	}
	f, ok := findField(fields, syncConditionSide(trigger), cond.Field)
	if !ok {
		// Another resource of this apply may have refreshed the plugin's fields since the catalog
		// was cached (a mapping of the same new column does): read it again before falling back.
		if fields, err = r.data.catalog.Reload(ctx, c, pluginID, cond.CRMObject); err != nil {
			addClientError(diags, path.Root("field"), "Cannot read the plugin's field catalog", err)
			return cond, typ, false
		}
		f, ok = findField(fields, syncConditionSide(trigger), cond.Field)
	}
	if ok {
		typ = f.Type
	}
	blind := !ok
	if !m.Value.IsNull() {
		v, err := syncConditionEncodeValue(typ, m.Value.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("value"), "Value does not fit the field type",
				fmt.Sprintf("%q is %s field, so value must be %s; got %q.", cond.Field, syncConditionArticle(typ), err, m.Value.ValueString()))
			return cond, typ, false
		}
		cond.Value = v
	}
	if !m.Values.IsNull() {
		var items []string
		diags.Append(m.Values.ElementsAs(ctx, &items, false)...)
		cond.Values = make([]json.RawMessage, 0, len(items))
		for i, s := range items {
			v, err := syncConditionEncodeValue(typ, s)
			if err != nil {
				diags.AddAttributeError(path.Root("values").AtListIndex(i), "Value does not fit the field type",
					fmt.Sprintf("%q is %s field, so every element of values must be %s; got %q.", cond.Field, syncConditionArticle(typ), err, s))
				return cond, typ, false
			}
			cond.Values = append(cond.Values, v)
		}
	}
	return cond, typ, blind
}

// syncConditionPriorWire is the condition as state last saw it on the server, the "from" of an
// update's PATCH (which sends only what changes). When the field is unchanged, the state's value
// and values are typed as next's (the same catalog type); a string that does not type goes as a
// JSON string, which differs from any typed value and so is sent again. When the field changes,
// the client sends value and values whatever they were.
func syncConditionPriorWire(ctx context.Context, state syncConditionResourceModel, next outreach.SyncCondition, typ string) outreach.SyncCondition {
	prior := outreach.SyncCondition{
		ID: next.ID, PluginID: next.PluginID, CRMObject: next.CRMObject, Trigger: next.Trigger,
		Field:    state.Field.ValueString(),
		Operator: syncConditionWireWord(syncConditionOperators, state.Operator.ValueString()),
	}
	typed := func(s string) json.RawMessage {
		if v, err := syncConditionEncodeValue(typ, s); err == nil {
			return v
		}
		v, _ := json.Marshal(s)
		return v
	}
	if !state.Value.IsNull() && !state.Value.IsUnknown() {
		prior.Value = typed(state.Value.ValueString())
	}
	if !state.Values.IsNull() && !state.Values.IsUnknown() {
		var items []string
		_ = state.Values.ElementsAs(ctx, &items, false) // a list of strings by schema
		prior.Values = make([]json.RawMessage, 0, len(items))
		for _, s := range items {
			prior.Values = append(prior.Values, typed(s))
		}
	}
	return prior
}

// syncConditionState renders what the API returned, keeping prior's strings for values that
// mean the same (see syncConditionNormalize).
func syncConditionState(ctx context.Context, got *outreach.SyncCondition, prior syncConditionResourceModel, diags *diag.Diagnostics) *syncConditionResourceModel {
	m := &syncConditionResourceModel{
		ID:        types.StringValue(strconv.FormatInt(got.ID, 10)),
		PluginID:  types.Int64Value(got.PluginID),
		Object:    types.StringValue(got.CRMObject),
		Trigger:   types.StringValue(syncConditionHCLWord(syncConditionTriggers, got.Trigger)),
		Field:     types.StringValue(got.Field),
		Operator:  types.StringValue(syncConditionHCLWord(syncConditionOperators, got.Operator)),
		Value:     types.StringNull(),
		Values:    types.ListNull(types.StringType),
		CreatedAt: timeValue(got.CreatedAt),
		UpdatedAt: timeValue(got.UpdatedAt),
	}
	var priorValue *string
	if !prior.Value.IsNull() && !prior.Value.IsUnknown() {
		s := prior.Value.ValueString()
		priorValue = &s
	}
	if s, ok := syncConditionNormalize(priorValue, got.Value); ok {
		m.Value = types.StringValue(s)
	}
	if got.Values != nil {
		var priorValues []string
		if !prior.Values.IsNull() && !prior.Values.IsUnknown() {
			diags.Append(prior.Values.ElementsAs(ctx, &priorValues, true)...)
		}
		list, d := types.ListValueFrom(ctx, types.StringType, syncConditionNormalizeList(priorValues, got.Values))
		diags.Append(d...)
		m.Values = list
	}
	return m
}

// syncConditionErrorPath attaches an API validation error to the attribute its source.pointer
// names, so that Terraform shows it at the right line.
func syncConditionErrorPath(err error) path.Path {
	apiErr, ok := outreach.AsAPIError(err)
	if !ok {
		return path.Empty()
	}
	rest, ok := strings.CutPrefix(apiErr.Pointer, "/data/attributes/")
	if !ok {
		if strings.HasPrefix(apiErr.Pointer, "/data/relationships/plugin") {
			return path.Root("plugin_id")
		}
		return path.Empty()
	}
	name, index, hasIndex := strings.Cut(rest, "/")
	attrName := map[string]string{"crmObject": "object", "trigger": "trigger", "field": "field",
		"operator": "operator", "value": "value", "values": "values"}[name]
	if attrName == "" {
		return path.Empty()
	}
	p := path.Root(attrName)
	if i, err := strconv.Atoi(index); hasIndex && err == nil && attrName == "values" {
		p = p.AtListIndex(i)
	}
	return p
}
