package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// Directions of a mapping, in the user's words; contract 3.4 spells them as updatesIn/updatesOut.
const (
	mappingDirectionBoth       = "bidirectional"
	mappingDirectionToDynamics = "outreach_to_dynamics"
	mappingDirectionToOutreach = "dynamics_to_outreach"
	// mappingDirectionNone is only ever read: both flags switched off outside Terraform.
	mappingDirectionNone = "none"
)

// Sides of the field catalog (contract 3.3).
const (
	mappingSideOutreach = "outreach"
	mappingSideCRM      = "crm"
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

// checkUncataloguedColumn decides about a Dynamics column the plugin's catalog does not list. A
// column that Dataverse has is fine: it was created after the plugin last read the metadata (by
// this configuration, or by hand), and the apply refreshes the plugin's fields when Outreach
// refuses it. Anything else is an error with the closest catalog names.
func (r *FieldMappingResource) checkUncataloguedColumn(ctx context.Context, pluginID int64, object, name string, fields []outreach.Field, diags *diag.Diagnostics) {
	var note string
	switch {
	case name != strings.ToLower(name):
		note = "Dynamics logical names are lower case."
	case r.data.dynamics == nil:
		note = "The provider has no dynamics block, so it could not check whether Dataverse has the column."
	default:
		_, err := r.data.dynamics.GetAttribute(ctx, object, name)
		if err == nil {
			tflog.Info(ctx, "Dynamics column not yet in the plugin's field catalog; the apply will refresh the plugin's fields",
				map[string]any{"object": object, "column": name, "plugin_id": pluginID})
			return
		}
		if !dynamics.IsNotFound(err) {
			diags.AddAttributeWarning(path.Root("dynamics_field"), "Cannot check the Dynamics column",
				fmt.Sprintf("The plugin's field catalog has no column %q on %s, and Dataverse could not be asked whether it exists: %v. "+
					"Outreach checks the column when the mapping is written.", name, object, err))
			return
		}
		if mappingCustomColumnName.MatchString(name) && !mappingNearMiss(name, catalogNames(fields, mappingSideCRM, nil)) {
			// A custom column that no one has yet, and that is no near miss of an existing one, is
			// most likely created by this very configuration with a logical name known at plan
			// time (dynamics_sales_optout_field derives it from schema_name). Failing here would
			// make the one-apply configuration impossible; the apply refreshes the plugin's fields.
			diags.AddAttributeWarning(path.Root("dynamics_field"), "Dynamics column does not exist yet",
				fmt.Sprintf("Neither plugin %d nor Dataverse has column %q on %s. That is expected when this configuration "+
					"creates the column (dynamics_sales_optout_field): the apply refreshes the plugin's fields and maps it. "+
					"Otherwise the apply fails: check the column's logical name.", pluginID, name, object))
			return
		}
		note = fmt.Sprintf("Dataverse has no column %q on table %q either.", name, object)
	}
	diags.AddAttributeError(path.Root("dynamics_field"), "Unknown Dynamics column",
		fmt.Sprintf("Plugin %d knows no Dynamics column %q on %s.%s %s Check the column's logical name (the "+
			"outreach_dynamics_fields data source with side = \"dynamics\" lists them). A column created recently outside this "+
			"configuration appears after refreshing the plugin's fields in Outreach; one created by dynamics_sales_optout_field "+
			"in this configuration is picked up automatically.",
			pluginID, name, object, didYouMean(name, catalogNames(fields, mappingSideCRM, nil)), note))
}

// mappingCustomColumnName matches the logical name of a custom column: a publisher prefix, an
// underscore, the name (new_salesoptout).
var mappingCustomColumnName = regexp.MustCompile(`^[a-z][a-z0-9]{1,7}_[a-z0-9_]+$`)

// mappingNearMiss reports whether name is a typo of one of names (at most two edits), which makes
// "it is about to be created" an unlikely explanation.
func mappingNearMiss(name string, names []string) bool {
	for _, n := range names {
		if levenshtein(name, strings.ToLower(n)) <= 2 {
			return true
		}
	}
	return false
}

// checkNotMappedElsewhere fails when another mapping, managed by Terraform or not, already maps the
// Outreach field on the object: Outreach allows one per (plugin, object, Outreach field).
func (r *FieldMappingResource) checkNotMappedElsewhere(ctx context.Context, c *outreach.Client, pluginID int64, object, field, ownID string, diags *diag.Diagnostics) {
	ms, err := c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: pluginID, CRMObject: object, OutreachField: field})
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

// catalogNames lists the names of one side of the catalog, optionally filtered.
func catalogNames(fields []outreach.Field, side string, keep func(outreach.Field) bool) []string {
	var out []string
	for _, f := range fields {
		if f.Side == side && (keep == nil || keep(f)) {
			out = append(out, f.Name)
		}
	}
	return out
}

// writeWithFieldRefresh runs a create or update. When Outreach refuses the Dynamics column as
// unknown, the column is most likely new (created in this apply): the plugin's fields are
// refreshed once, the catalog cache forgotten, and the write retried once.
func (r *FieldMappingResource) writeWithFieldRefresh(ctx context.Context, c *outreach.Client, pluginID int64, write func() (*outreach.FieldMapping, error)) (*outreach.FieldMapping, error) {
	m, err := write()
	if err == nil || !isUnknownCRMFieldError(err) {
		return m, err
	}
	tflog.Info(ctx, "Outreach does not know the Dynamics column yet; refreshing the plugin's fields and retrying", map[string]any{"plugin_id": pluginID})
	if rerr := c.RefreshFields(ctx, pluginID); rerr != nil {
		return nil, fmt.Errorf("%w; refreshing the plugin's fields failed too: %v", err, rerr)
	}
	r.data.catalog.Invalidate(pluginID)
	m, err = write()
	if err != nil && isUnknownCRMFieldError(err) {
		return nil, fmt.Errorf("even after refreshing the plugin's fields: %w", err)
	}
	return m, err
}

// isUnknownCRMFieldError recognises contract 3.4's 422 for an unknown crmField.
func isUnknownCRMFieldError(err error) bool {
	apiErr, ok := outreach.AsAPIError(err)
	if !ok || apiErr.StatusCode != 422 {
		return false
	}
	for _, e := range apiErr.Errors {
		if e.Pointer == "/data/attributes/crmField" && strings.Contains(e.Detail, "is not a known field") {
			return true
		}
	}
	return false
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
