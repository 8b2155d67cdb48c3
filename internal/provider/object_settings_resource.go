package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ resource.Resource                = &ObjectSettingsResource{}
	_ resource.ResourceWithConfigure   = &ObjectSettingsResource{}
	_ resource.ResourceWithModifyPlan  = &ObjectSettingsResource{}
	_ resource.ResourceWithImportState = &ObjectSettingsResource{}
	_ resource.ResourceWithIdentity    = &ObjectSettingsResource{}
)

func init() { resourceConstructors = append(resourceConstructors, NewObjectSettingsResource) }

// NewObjectSettingsResource returns the outreach_dynamics_object_settings resource.
func NewObjectSettingsResource() resource.Resource { return &ObjectSettingsResource{} }

// ObjectSettingsResource manages the sync toggles of one CRM object of the plugin. The object
// always exists: the resource adopts it, and destroying the resource only forgets it.
type ObjectSettingsResource struct{ data *providerData }

type objectSettingsResourceModel struct {
	ID               types.String `tfsdk:"id"`
	PluginID         types.Int64  `tfsdk:"plugin_id"`
	Object           types.String `tfsdk:"object"`
	OutreachObject   types.String `tfsdk:"outreach_object"`
	Polling          types.Bool   `tfsdk:"polling"`
	PollingFrequency types.Int64  `tfsdk:"polling_frequency"`
	Pushing          types.Bool   `tfsdk:"pushing"`
	InboundCreate    types.Bool   `tfsdk:"inbound_create"`
	InboundUpdate    types.Bool   `tfsdk:"inbound_update"`
	OutboundCreate   types.Bool   `tfsdk:"outbound_create"`
	OutboundUpdate   types.Bool   `tfsdk:"outbound_update"`
	UpdatedAt        types.String `tfsdk:"updated_at"`
}

// objectSettingsFrequencies are the polling intervals the contract (3.2) allows, in minutes.
var objectSettingsFrequencies = []int64{1, 5, 10, 15, 30, 60, 120, 240, 720, 1440}

// Metadata names the resource.
func (r *ObjectSettingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamics_object_settings"
}

// Schema describes the resource.
func (r *ObjectSettingsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	// A toggle is managed only when it is set: a null config keeps the value read from Outreach
	// without a diff, and Update never sends it.
	toggle := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: desc + " Left out: not managed (neither changed nor shown as drift).",
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The sync settings of one CRM object of the Outreach Dynamics plugin: polling and its frequency, " +
			"pushing, and inbound/outbound create and update. Only the settings you set are managed; the others are " +
			"shown as read from Outreach and left as they are.\n\n" +
			"The object always exists in the plugin: creating this resource adopts it and applies the settings you set. " +
			"**Destroying this resource only removes it from the Terraform state: the plugin's settings stay as they are** " +
			"(Terraform prints a warning saying so); set them explicitly first if you want them changed.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Outreach id of the plugin object.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"plugin_id": pluginIDAttribute("Changing it moves management to the other plugin's object."),
			"object": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The CRM object: one of " + quoteJoin(crmObjects, ", ") + ". Changing it moves management to that object.",
				Validators:          []validator.String{stringvalidator.OneOf(crmObjects...)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"outreach_object": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Outreach type the object syncs with: `prospect` (lead, contact), `account`, `opportunity`, `task`, `event` or `user`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"polling": toggle("Poll Dynamics for changes on mapped fields."),
			"polling_frequency": schema.Int64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Minutes between polls: one of 1, 5, 10, 15, 30, 60, 120, 240, 720, 1440. " +
					"Left out: not managed (neither changed nor shown as drift).",
				Validators:    []validator.Int64{int64validator.OneOf(objectSettingsFrequencies...)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"pushing":         toggle("Push Outreach changes on mapped fields to Dynamics."),
			"inbound_create":  toggle("Create Outreach records for new Dynamics records (subject to the `inbound_create` sync conditions)."),
			"inbound_update":  toggle("Update Outreach records from Dynamics changes."),
			"outbound_create": toggle("Create Dynamics records for new Outreach records (subject to the `outbound_create` sync conditions)."),
			"outbound_update": toggle("Update Dynamics records from Outreach changes."),
			"updated_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the settings last changed (RFC 3339).",
			},
		},
	}
}

// Configure receives the provider data.
func (r *ObjectSettingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan makes the plugin of a new resource known at plan time when it comes from the
// provider.
func (r *ObjectSettingsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.outreach == nil {
		return // destroy, or the provider is not configured yet: Create reports what is missing
	}
	r.data.planPluginID(ctx, req, resp)
}

// Create adopts the plugin's object and applies the settings that are set.
func (r *ObjectSettingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config objectSettingsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
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
	obj := objectSettingsFind(ctx, c, pluginID, plan.Object.ValueString(), &resp.Diagnostics)
	if obj == nil {
		return
	}
	if patch, set := objectSettingsPatch(config); set {
		updated, err := c.UpdatePluginObject(ctx, obj.ID, patch)
		r.data.shared.WrotePluginObject(pluginID, obj.ID, updated, err)
		if err != nil {
			addClientError(&resp.Diagnostics, path.Empty(), "Cannot apply the object's sync settings", err)
			return
		}
		obj = updated
	}
	if obj.PluginID == 0 {
		obj.PluginID = pluginID
	}
	next := objectSettingsState(obj, plan, config)
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, objectSettingsIdentity(*next))...)
}

// Read refreshes every setting: a managed one that changed outside Terraform shows as drift, an
// unmanaged one is planned from state (UseStateForUnknown) and so does not.
func (r *ObjectSettingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state objectSettingsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		// Not refreshed (provider settings known only at apply): the state stays, and so must
		// its identity, which the framework requires after every Read.
		resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, objectSettingsIdentity(state))...)
		return
	}
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid plugin object id",
			fmt.Sprintf("The id %q in state is not a number. Remove the resource from state and import it again.", state.ID.ValueString()))
		return
	}
	obj, err := r.data.shared.PluginObject(ctx, c, state.PluginID.ValueInt64(), id)
	if err != nil {
		if outreach.IsNotFound(err) {
			resp.Diagnostics.AddWarning("Plugin object not found",
				fmt.Sprintf("Plugin object %d no longer exists in Outreach (was the plugin disconnected?); it is removed from state.", id))
			resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, objectSettingsIdentity(state))...)
			resp.State.RemoveResource(ctx)
			return
		}
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot read the object's sync settings", err)
		return
	}
	if obj.PluginID == 0 {
		obj.PluginID = state.PluginID.ValueInt64()
	}
	next := objectSettingsState(obj, objectSettingsResourceModel{}, objectSettingsResourceModel{})
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, objectSettingsIdentity(*next))...)
}

// Update sends only the settings the configuration sets.
func (r *ObjectSettingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, config, state objectSettingsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	id, err := strconv.ParseInt(state.ID.ValueString(), 10, 64)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid plugin object id",
			fmt.Sprintf("The id %q in state is not a number. Remove the resource from state and import it again.", state.ID.ValueString()))
		return
	}
	var obj *outreach.PluginObject
	if patch, set := objectSettingsPatch(config); set {
		obj, err = c.UpdatePluginObject(ctx, id, patch)
		r.data.shared.WrotePluginObject(state.PluginID.ValueInt64(), id, obj, err)
	} else {
		obj, err = c.GetPluginObject(ctx, id)
	}
	if err != nil {
		addClientError(&resp.Diagnostics, path.Empty(), "Cannot apply the object's sync settings", err)
		return
	}
	if obj.PluginID == 0 {
		obj.PluginID = state.PluginID.ValueInt64()
	}
	next := objectSettingsState(obj, plan, config)
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
	resp.Diagnostics.Append(keepOrFillIdentity(ctx, resp.Identity, objectSettingsIdentity(*next))...)
}

// Delete forgets the object: its settings cannot be deleted, and resetting them to some default
// would be a guess, so they stay as they are.
func (r *ObjectSettingsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var object types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("object"), &object)...)
	resp.Diagnostics.AddWarning("Object settings removed from state only",
		fmt.Sprintf("The %s settings of the Dynamics plugin are left as they are in Outreach; Terraform no longer manages them.",
			object.ValueString()))
}

// ImportState imports by `<object>` (the provider's plugin) or `<plugin_id>/<object>`, or by the
// identity (object, optional plugin_id).
func (r *ObjectSettingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	raw := req.ID
	if identityGiven(req.Identity) {
		raw = objectSettingsImportIDOfIdentity(ctx, req.Identity, &resp.Diagnostics)
	}
	pluginID, object, err := objectSettingsParseImportID(raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	if r.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider must be configured to import object settings.")
		return
	}
	c := r.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	configured := types.Int64Null()
	if pluginID != 0 {
		configured = types.Int64Value(pluginID)
	}
	pluginID = r.data.resolvePluginID(ctx, configured, &resp.Diagnostics)
	if pluginID == 0 {
		return
	}
	obj := objectSettingsFind(ctx, c, pluginID, object, &resp.Diagnostics)
	if obj == nil {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), strconv.FormatInt(obj.ID, 10))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("plugin_id"), pluginID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("object"), object)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, objectSettingsIdentityModel{
		Object: types.StringValue(object), PluginID: types.Int64Value(pluginID),
	})...)
}

// objectSettingsParseImportID is the one parser of the import id: `<object>` or
// `<plugin_id>/<object>`; pluginID is 0 when not given.
func objectSettingsParseImportID(id string) (pluginID int64, object string, err error) {
	id = strings.TrimSpace(id)
	object = id
	if before, after, ok := strings.Cut(id, "/"); ok {
		pluginID, err = strconv.ParseInt(before, 10, 64)
		if err != nil || pluginID < 1 {
			return 0, "", fmt.Errorf("the import id must be <object> or <plugin_id>/<object> (e.g. \"lead\" or \"1/lead\"); %q is not a plugin id", before)
		}
		object = after
	}
	if !slices.Contains(crmObjects, object) {
		return 0, "", fmt.Errorf("the import id must be <object> or <plugin_id>/<object> (e.g. \"lead\" or \"1/lead\"); %q is not one of %s",
			object, strings.Join(crmObjects, ", "))
	}
	return pluginID, object, nil
}

// objectSettingsFind returns the plugin's object for a CRM object.
func objectSettingsFind(ctx context.Context, c *outreach.Client, pluginID int64, object string, diags *diag.Diagnostics) *outreach.PluginObject {
	objs, err := c.ListPluginObjects(ctx, pluginID, object)
	if err != nil {
		addClientError(diags, path.Root("object"), "Cannot read the plugin's objects", err)
		return nil
	}
	for i := range objs {
		if objs[i].CRMObject == object {
			return &objs[i]
		}
	}
	diags.AddAttributeError(path.Root("object"), "Object not found in the plugin",
		fmt.Sprintf("Plugin %d has no %q object. Check plugin_id; the objects a Dynamics plugin syncs are %s.",
			pluginID, object, strings.Join(crmObjects, ", ")))
	return nil
}

// objectSettingsPatch holds the settings the configuration sets; set is false when there are
// none, so that no request is made.
func objectSettingsPatch(config objectSettingsResourceModel) (p outreach.PluginObjectPatch, set bool) {
	b := func(v types.Bool) *bool {
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		set = true
		x := v.ValueBool()
		return &x
	}
	p.Polling = b(config.Polling)
	p.Pushing = b(config.Pushing)
	p.InboundCreate = b(config.InboundCreate)
	p.InboundUpdate = b(config.InboundUpdate)
	p.OutboundCreate = b(config.OutboundCreate)
	p.OutboundUpdate = b(config.OutboundUpdate)
	if !config.PollingFrequency.IsNull() && !config.PollingFrequency.IsUnknown() {
		x := config.PollingFrequency.ValueInt64()
		p.PollingFrequency, set = &x, true
	}
	return p, set
}

// objectSettingsState renders the object. After a write, a setting the configuration does not
// set keeps its planned (prior) value when that is known: the plan promised it, and a change made
// concurrently by someone else shows up at the next refresh instead of failing the apply.
func objectSettingsState(obj *outreach.PluginObject, plan, config objectSettingsResourceModel) *objectSettingsResourceModel {
	keepBool := func(planned, configured types.Bool, got bool) types.Bool {
		if configured.IsNull() && !planned.IsNull() && !planned.IsUnknown() {
			return planned
		}
		return types.BoolValue(got)
	}
	freq := types.Int64Value(obj.PollingFrequency)
	if config.PollingFrequency.IsNull() && !plan.PollingFrequency.IsNull() && !plan.PollingFrequency.IsUnknown() {
		freq = plan.PollingFrequency
	}
	return &objectSettingsResourceModel{
		ID:               types.StringValue(strconv.FormatInt(obj.ID, 10)),
		PluginID:         types.Int64Value(obj.PluginID),
		Object:           types.StringValue(obj.CRMObject),
		OutreachObject:   types.StringValue(obj.OutreachObject),
		Polling:          keepBool(plan.Polling, config.Polling, obj.Polling),
		PollingFrequency: freq,
		Pushing:          keepBool(plan.Pushing, config.Pushing, obj.Pushing),
		InboundCreate:    keepBool(plan.InboundCreate, config.InboundCreate, obj.InboundCreate),
		InboundUpdate:    keepBool(plan.InboundUpdate, config.InboundUpdate, obj.InboundUpdate),
		OutboundCreate:   keepBool(plan.OutboundCreate, config.OutboundCreate, obj.OutboundCreate),
		OutboundUpdate:   keepBool(plan.OutboundUpdate, config.OutboundUpdate, obj.OutboundUpdate),
		UpdatedAt:        timeValue(obj.UpdatedAt),
	}
}
