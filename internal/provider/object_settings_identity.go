package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// objectSettingsIdentityModel is the identity of an object's settings: one per (plugin, CRM
// object), as contract 3.2 has it.
type objectSettingsIdentityModel struct {
	Object   types.String `tfsdk:"object"`
	PluginID types.Int64  `tfsdk:"plugin_id"`
}

// IdentitySchema describes the identity (Terraform and OpenTofu 1.12 and later).
func (r *ObjectSettingsResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"object": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The CRM object, e.g. `lead`.",
			},
			"plugin_id": pluginIDIdentityAttribute(),
		},
	}
}

// objectSettingsIdentity is the identity of the settings m holds.
func objectSettingsIdentity(m objectSettingsResourceModel) objectSettingsIdentityModel {
	return objectSettingsIdentityModel{Object: m.Object, PluginID: m.PluginID}
}

// objectSettingsImportIDOfIdentity turns an `import { identity = ... }` into the import ID it
// stands for, so that one parser (objectSettingsParseImportID) checks both forms.
func objectSettingsImportIDOfIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	var id objectSettingsIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if id.PluginID.IsNull() {
		return id.Object.ValueString()
	}
	return strconv.FormatInt(id.PluginID.ValueInt64(), 10) + "/" + id.Object.ValueString()
}
