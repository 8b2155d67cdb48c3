package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// salesOptOutIdentityModel is the identity of a column: its table and logical name, which
// Dataverse never changes (a new schema name is a new column).
type salesOptOutIdentityModel struct {
	Entity      types.String `tfsdk:"entity"`
	LogicalName types.String `tfsdk:"logical_name"`
}

// IdentitySchema describes the identity (Terraform and OpenTofu 1.12 and later).
func (r *SalesOptOutFieldResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"entity": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Logical name of the table, e.g. `contact`.",
			},
			"logical_name": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Logical name of the column, e.g. `new_salesoptout`.",
			},
		},
	}
}

// salesOptOutIdentity is the identity of the column m holds.
func salesOptOutIdentity(m salesOptOutFieldModel) salesOptOutIdentityModel {
	return salesOptOutIdentityModel{Entity: m.Entity, LogicalName: m.LogicalName}
}

// salesOptOutImportIDOfIdentity turns an `import { identity = ... }` into the import ID it stands
// for, so that one parser (parseSalesOptOutImportID) checks both forms.
func salesOptOutImportIDOfIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	var id salesOptOutIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	return id.Entity.ValueString() + "/" + id.LogicalName.ValueString()
}
