package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// Directions of a mapping, in the user's words; contract 3.4 spells them as updatesIn/updatesOut.
const (
	mappingDirectionBoth       = "bidirectional"
	mappingDirectionToDynamics = "outreach_to_dynamics"
	mappingDirectionToOutreach = "dynamics_to_outreach"
	// mappingDirectionNone switches both flags off: the mapping exists but moves nothing. The
	// Outreach UI can do that, so it is read, and configurable so that generated config is valid.
	mappingDirectionNone = "none"
)

// Sides of the field catalog (contract 3.3).
const (
	mappingSideOutreach = catalogSideOutreach
	mappingSideCRM      = catalogSideCRM
)

// mappingDirectionFlags returns updatesIn (Dynamics → Outreach) and updatesOut (Outreach → Dynamics).
func mappingDirectionFlags(direction string) (in, out bool) {
	switch direction {
	case mappingDirectionToDynamics:
		return false, true
	case mappingDirectionToOutreach:
		return true, false
	case mappingDirectionNone:
		return false, false
	default:
		return true, true
	}
}

// mappingDirectionOf is the inverse of mappingDirectionFlags.
func mappingDirectionOf(in, out bool) string {
	switch {
	case in && out:
		return mappingDirectionBoth
	case out:
		return mappingDirectionToDynamics
	case in:
		return mappingDirectionToOutreach
	default:
		return mappingDirectionNone
	}
}

// mappingTypesCompatible is contract 3.4: equal types, or string on either side with anything but
// a lookup (a record reference no text can stand for).
func mappingTypesCompatible(a, b string) bool {
	if a == b {
		return true
	}
	if a == "lookup" || b == "lookup" {
		return false
	}
	return a == "string" || b == "string"
}

// fieldMappingChecksNeeded reports whether the plan changes anything the plan-time checks look at,
// so that an unchanged mapping costs no request and is not failed by a catalog that moved on.
func fieldMappingChecksNeeded(plan, state fieldMappingModel) bool {
	return !plan.PluginID.Equal(state.PluginID) || !plan.Object.Equal(state.Object) ||
		!plan.OutreachField.Equal(state.OutreachField) || !plan.DynamicsField.Equal(state.DynamicsField) ||
		!plan.Direction.Equal(state.Direction)
}

func mappingKnown(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// checkPlan runs the plan-time checks whose inputs are known. It reads the catalog and the
// mappings, and, for a column the plugin does not know yet, Dataverse metadata; it never writes.
func (r *FieldMappingResource) checkPlan(ctx context.Context, plan fieldMappingModel, state *fieldMappingModel, diags *diag.Diagnostics) {
	if !mappingKnown(plan.PluginID) || !mappingKnown(plan.Object) {
		return
	}
	c := r.data.outreachClient(diags)
	if c == nil {
		return
	}
	pluginID, object := plan.PluginID.ValueInt64(), plan.Object.ValueString()
	fields, err := r.data.catalog.Fields(ctx, c, pluginID, object)
	if err != nil {
		addClientError(diags, path.Root("object"), "Cannot read the plugin's field catalog", err)
		return
	}

	var of, cf *outreach.Field
	if mappingKnown(plan.OutreachField) {
		name := plan.OutreachField.ValueString()
		if f, ok := findField(fields, mappingSideOutreach, name); ok {
			of = &f
		} else {
			diags.AddAttributeError(path.Root("outreach_field"), "Unknown Outreach field",
				fmt.Sprintf("Plugin %d has no Outreach field %q on %s.%s The outreach_dynamics_fields data source (side = \"outreach\") lists the fields of an object.",
					pluginID, name, object, didYouMean(name, catalogNames(fields, mappingSideOutreach, nil))))
		}
	}
	if mappingKnown(plan.DynamicsField) {
		name := plan.DynamicsField.ValueString()
		if f, ok := findField(fields, mappingSideCRM, name); ok {
			cf = &f
		} else {
			r.checkUncataloguedColumn(ctx, pluginID, object, name, fields, diags)
		}
	}
	if of != nil && cf != nil && !mappingTypesCompatible(of.Type, cf.Type) {
		compatible := catalogNames(fields, mappingSideCRM, func(f outreach.Field) bool { return mappingTypesCompatible(of.Type, f.Type) })
		diags.AddAttributeError(path.Root("dynamics_field"), "Incompatible field types",
			fmt.Sprintf("Outreach field %q is %s but Dynamics column %q of %s is %s. A mapping needs equal types, or string on "+
				"either side with anything but lookup.%s", of.Name, of.Type, cf.Name, object, cf.Type, didYouMean(cf.Name, compatible)))
	}
	if mappingKnown(plan.Direction) {
		direction := plan.Direction.ValueString()
		in, out := mappingDirectionFlags(direction)
		if in && of != nil && !of.Writable {
			diags.AddAttributeError(path.Root("direction"), "Outreach field is read only",
				fmt.Sprintf("Direction %q writes Dynamics values into Outreach, but Outreach field %q on %s is read only. "+
					"Use direction = %q, or map a writable Outreach field.", direction, of.Name, object, mappingDirectionToDynamics))
		}
		if out && cf != nil && !cf.Writable {
			diags.AddAttributeError(path.Root("direction"), "Dynamics column is read only",
				fmt.Sprintf("Direction %q writes Outreach values into Dynamics, but column %q of %s is read only. "+
					"Use direction = %q, or map a writable column.", direction, cf.Name, object, mappingDirectionToOutreach))
		}
	}
	moved := state == nil || !plan.PluginID.Equal(state.PluginID) || !plan.Object.Equal(state.Object) || !plan.OutreachField.Equal(state.OutreachField)
	if of != nil && moved {
		var ownID string
		if state != nil {
			ownID = state.ID.ValueString()
		}
		r.checkNotMappedElsewhere(ctx, c, pluginID, object, of.Name, ownID, diags)
	}
}

// checkUncataloguedColumn decides about a Dynamics column the plugin's catalog does not list
// (providerData.uncataloguedColumn); a column it does not accept is an error with the closest
// catalog names.
func (r *FieldMappingResource) checkUncataloguedColumn(ctx context.Context, pluginID int64, object, name string, fields []outreach.Field, diags *diag.Diagnostics) {
	note, ok := r.data.uncataloguedColumn(ctx, path.Root("dynamics_field"), pluginID, object, name, fields, diags)
	if ok {
		return
	}
	diags.AddAttributeError(path.Root("dynamics_field"), "Unknown Dynamics column",
		fmt.Sprintf("Plugin %d knows no Dynamics column %q on %s.%s %s Check the column's logical name (the "+
			"outreach_dynamics_fields data source with side = \"dynamics\" lists them). A column created recently outside this "+
			"configuration appears after refreshing the plugin's fields in Outreach; one created by dynamics_sales_optout_field "+
			"in this configuration is picked up automatically.",
			pluginID, name, object, didYouMean(name, catalogNames(fields, mappingSideCRM, nil)), note))
}

// checkNotMappedElsewhere fails when another mapping, managed by Terraform or not, already maps the
// Outreach field on the object: Outreach allows one per (plugin, object, Outreach field).
func (r *FieldMappingResource) checkNotMappedElsewhere(ctx context.Context, c *outreach.Client, pluginID int64, object, field, ownID string, diags *diag.Diagnostics) {
	ms, err := r.data.shared.MappingsOfField(ctx, c, pluginID, object, field)
	if err != nil {
		addClientError(diags, path.Root("outreach_field"), "Cannot list the plugin's field mappings", err)
		return
	}
	for _, m := range ms {
		if fmt.Sprint(m.ID) == ownID || m.CRMObject != object || m.OutreachField != field {
			continue
		}
		diags.AddAttributeError(path.Root("outreach_field"), "Outreach field already mapped",
			fmt.Sprintf("Outreach field %q on %s is already mapped to Dynamics column %q by mapping %d, and Outreach allows "+
				"one mapping per Outreach field and object. To manage that mapping with Terraform, import it "+
				"(an import block with id = \"%d\", or terraform import <address> %s/%s) instead of creating a second one; "+
				"otherwise delete it in Outreach first. If it belongs to a resource of this configuration that was renamed, "+
				"add a moved block instead of destroying and recreating it.", field, object, m.CRMField, m.ID, m.ID, object, field))
		return
	}
}

// isUnknownCRMFieldError recognises contract 3.4's 422 for an unknown crmField.
func isUnknownCRMFieldError(err error) bool {
	return isUnknownColumnError(err, "/data/attributes/crmField")
}

// fieldMappingAttrOf maps the API's attribute names to the resource's.
var fieldMappingAttrOf = map[string]string{
	"crmObject":          "object",
	"outreachField":      "outreach_field",
	"crmField":           "dynamics_field",
	"updatesIn":          "direction",
	"updatesOut":         "direction",
	"skipEmptyIn":        "skip_empty_from_dynamics",
	"skipEmptyOut":       "skip_empty_to_dynamics",
	"emptyPlaceholder":   "empty_placeholder",
	"externalMappedType": "lookup_type",
}

// fieldMappingErrorPath attaches a 422 to the attribute its source.pointer names.
func fieldMappingErrorPath(err error) path.Path {
	apiErr, ok := outreach.AsAPIError(err)
	if !ok {
		return path.Empty()
	}
	if apiErr.Pointer == "/data/relationships/plugin" {
		return path.Root("plugin_id")
	}
	if name, ok := fieldMappingAttrOf[strings.TrimPrefix(apiErr.Pointer, "/data/attributes/")]; ok {
		return path.Root(name)
	}
	return path.Empty()
}
