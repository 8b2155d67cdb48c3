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

// fieldMappingIdentityModel is the identity of a field mapping: its natural key in Outreach, a
// plugin's Outreach field on one CRM object (contract 3.4 makes it unique).
type fieldMappingIdentityModel struct {
	Object        types.String `tfsdk:"object"`
	OutreachField types.String `tfsdk:"outreach_field"`
	PluginID      types.Int64  `tfsdk:"plugin_id"`
}

// IdentitySchema describes the identity (Terraform and OpenTofu 1.12 and later).
func (r *FieldMappingResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"object": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The CRM object of the mapping, e.g. `lead`.",
			},
			"outreach_field": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The Outreach field the mapping maps, e.g. `optedOut`.",
			},
			"plugin_id": pluginIDIdentityAttribute(),
		},
	}
}

// fieldMappingIdentity is the identity of the mapping m holds.
func fieldMappingIdentity(m fieldMappingModel) fieldMappingIdentityModel {
	return fieldMappingIdentityModel{Object: m.Object, OutreachField: m.OutreachField, PluginID: m.PluginID}
}

// fieldMappingImportIDOfIdentity turns an `import { identity = ... }` into the import ID it
// stands for, so that one parser (parseFieldMappingImportID) checks both forms.
func fieldMappingImportIDOfIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	var id fieldMappingIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	raw := id.Object.ValueString() + "/" + id.OutreachField.ValueString()
	if !id.PluginID.IsNull() {
		raw = strconv.FormatInt(id.PluginID.ValueInt64(), 10) + "/" + raw
	}
	return raw
}
