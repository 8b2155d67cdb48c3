package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// syncConditionIdentityModel is the identity of a sync condition. A condition has no natural key
// (two conditions may test the same field), so it is its Outreach id; plugin_id says where it
// lives.
type syncConditionIdentityModel struct {
	ID       types.String `tfsdk:"id"`
	PluginID types.Int64  `tfsdk:"plugin_id"`
}

// IdentitySchema describes the identity (Terraform and OpenTofu 1.12 and later).
func (r *SyncConditionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The condition's Outreach id, e.g. `42`.",
			},
			"plugin_id": identityschema.Int64Attribute{
				OptionalForImport: true,
				Description:       "Id of the Outreach Dynamics plugin the condition belongs to; checked on import when given.",
			},
		},
	}
}

// syncConditionIdentity is the identity of the condition m holds.
func syncConditionIdentity(m syncConditionResourceModel) syncConditionIdentityModel {
	return syncConditionIdentityModel{ID: m.ID, PluginID: m.PluginID}
}

// syncConditionImportIDOfIdentity returns the import ID an `import { identity = ... }` stands
// for, and the plugin it names (0 when left out).
func syncConditionImportIDOfIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) (string, int64) {
	var id syncConditionIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	return id.ID.ValueString(), id.PluginID.ValueInt64()
}

// checkSyncConditionPlugin refuses an import by identity whose plugin_id is not the condition's:
// the identity would otherwise name an object that does not exist.
func (r *SyncConditionResource) checkSyncConditionPlugin(ctx context.Context, id, pluginID int64, diags *diag.Diagnostics) {
	if pluginID == 0 || r.data == nil {
		return
	}
	c := r.data.outreachClient(diags)
	if c == nil {
		return
	}
	got, err := c.GetSyncCondition(ctx, id)
	switch {
	case outreach.IsNotFound(err):
		diags.AddAttributeError(path.Root("id"), "Sync condition not found",
			fmt.Sprintf("Outreach has no sync condition %d. The outreach_dynamics_sync_condition list resource (terraform query) lists the conditions of a plugin.", id))
	case err != nil:
		addClientError(diags, path.Empty(), "Cannot read the sync condition to import", err)
	case got.PluginID != 0 && got.PluginID != pluginID:
		diags.AddAttributeError(path.Root("plugin_id"), "Sync condition belongs to another plugin",
			fmt.Sprintf("Sync condition %d belongs to plugin %d, not %d: set plugin_id = %d in the import identity, or leave it out.",
				id, got.PluginID, pluginID, got.PluginID))
	}
}
