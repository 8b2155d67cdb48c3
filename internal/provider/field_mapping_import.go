package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// fieldMappingImportID is a parsed import ID: either MappingID, or Object and OutreachField with
// an optional PluginID (0 = the provider's default plugin).
type fieldMappingImportID struct {
	MappingID, PluginID   int64
	Object, OutreachField string
}

const fieldMappingImportFormats = "Use the mapping id (`42`), `<object>/<outreach_field>` (`lead/optedOut`) or " +
	"`<plugin_id>/<object>/<outreach_field>` (`1/lead/optedOut`)."

// parseFieldMappingImportID is the one parser of the resource's import IDs.
func parseFieldMappingImportID(raw string) (fieldMappingImportID, error) {
	parts := strings.Split(strings.TrimSpace(raw), "/")
	// Space around a part ("1 / lead / optedOut") is a typing slip, never part of a name.
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	positive := func(s, what string) (int64, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q is not a valid %s in import ID %q: it must be a positive integer. %s", s, what, raw, fieldMappingImportFormats)
		}
		return n, nil
	}
	var id fieldMappingImportID
	switch len(parts) {
	case 1:
		n, err := positive(parts[0], "mapping id")
		if err != nil {
			return id, err
		}
		id.MappingID = n
		return id, nil
	case 3:
		n, err := positive(parts[0], "plugin id")
		if err != nil {
			return id, err
		}
		id.PluginID = n
		parts = parts[1:]
	case 2:
	default:
		return id, fmt.Errorf("import ID %q has %d parts. %s", raw, len(parts), fieldMappingImportFormats)
	}
	id.Object, id.OutreachField = parts[0], parts[1]
	if !slices.Contains(crmObjects, id.Object) {
		return id, fmt.Errorf("%q in import ID %q is not a CRM object; use one of %s.%s", id.Object, raw,
			strings.Join(crmObjects, ", "), didYouMean(id.Object, crmObjects))
	}
	if id.OutreachField == "" {
		return id, fmt.Errorf("import ID %q has no Outreach field. %s", raw, fieldMappingImportFormats)
	}
	return id, nil
}

// findForImport looks up the mapping of an Outreach field on an object.
func (r *FieldMappingResource) findForImport(ctx context.Context, id fieldMappingImportID, diags *diag.Diagnostics) *outreach.FieldMapping {
	c := r.data.outreachClient(diags)
	if c == nil {
		return nil
	}
	pluginID := id.PluginID
	if pluginID == 0 {
		pluginID = r.data.resolvePluginID(ctx, types.Int64Null(), diags)
		if diags.HasError() {
			return nil
		}
	}
	ms, err := c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: pluginID, CRMObject: id.Object, OutreachField: id.OutreachField})
	if err != nil {
		addClientError(diags, path.Empty(), "Cannot list the plugin's field mappings", err)
		return nil
	}
	for i := range ms {
		if ms[i].CRMObject == id.Object && ms[i].OutreachField == id.OutreachField {
			if ms[i].PluginID == 0 {
				ms[i].PluginID = pluginID
			}
			return &ms[i]
		}
	}
	var hint string
	if all, err := c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: pluginID, CRMObject: id.Object}); err == nil {
		var names []string
		for _, m := range all {
			names = append(names, m.OutreachField)
		}
		hint = didYouMean(id.OutreachField, names)
	}
	diags.AddError("Field mapping not found",
		fmt.Sprintf("Plugin %d has no mapping of Outreach field %q on %s.%s The outreach_dynamics_field_mappings data source lists the mappings of an object.",
			pluginID, id.OutreachField, id.Object, hint))
	return nil
}
