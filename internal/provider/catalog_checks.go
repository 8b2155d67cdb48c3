package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// This file holds what every resource naming a Dynamics column shares (field mappings and sync
// conditions on CRM-side triggers): the plan-time decision about a column the plugin's field
// catalog does not list, and the apply-time refresh of the plugin's fields when Outreach refuses
// such a column.

// Sides of the field catalog (contract 3.3).
const (
	catalogSideOutreach = "outreach"
	catalogSideCRM      = "crm"
)

// uncataloguedColumn decides at plan time about a Dynamics column the plugin's catalog does not
// list. ok is true when the plan may go on: Dataverse has the column (created after the plugin
// last read the metadata), the provider cannot ask Dataverse before apply (its dynamics settings
// are known only then), or the column looks like one this configuration is about to create (a
// warning on attr says so). Otherwise note explains, in a sentence for the caller's error, why the
// column is not accepted. The apply refreshes the plugin's fields when Outreach refuses the column
// (writeWithFieldRefresh). It only reads.
func (d *providerData) uncataloguedColumn(ctx context.Context, attr path.Path, pluginID int64, object, name string, fields []outreach.Field, diags *diag.Diagnostics) (note string, ok bool) {
	switch {
	case name != strings.ToLower(name):
		return "Dynamics logical names are lower case.", false
	case d.dynamics == nil && configUnknown(d.dynamicsErr):
		// The provider connects to Dataverse on apply, once its own configuration is known: the
		// check is skipped, as the Outreach side's are, and Outreach checks the column on apply.
		tflog.Info(ctx, "Dynamics settings known only at apply; the column is checked by Outreach then",
			map[string]any{"object": object, "column": name, "plugin_id": pluginID})
		return "", true
	case d.dynamics == nil:
		return "The provider has no dynamics block, so it could not check whether Dataverse has the column.", false
	}
	_, err := d.dynamics.GetAttribute(ctx, object, name)
	if err == nil {
		tflog.Info(ctx, "Dynamics column not yet in the plugin's field catalog; the apply will refresh the plugin's fields",
			map[string]any{"object": object, "column": name, "plugin_id": pluginID})
		return "", true
	}
	if !dynamics.IsNotFound(err) {
		diags.AddAttributeWarning(attr, "Cannot check the Dynamics column",
			fmt.Sprintf("The plugin's field catalog has no column %q on %s, and Dataverse could not be asked whether it exists: %v. "+
				"Outreach checks the column when it is written.", name, object, err))
		return "", true
	}
	if customColumnName.MatchString(name) && !columnNearMiss(name, catalogNames(fields, catalogSideCRM, nil)) {
		// A custom column that no one has yet, and that is no near miss of an existing one, is
		// most likely created by this very configuration with a logical name known at plan time
		// (dynamics_sales_optout_field derives it from schema_name). Failing here would make the
		// one-apply configuration impossible; the apply refreshes the plugin's fields.
		diags.AddAttributeWarning(attr, "Dynamics column does not exist yet",
			fmt.Sprintf("Neither plugin %d nor Dataverse has column %q on %s. That is expected when this configuration "+
				"creates the column (dynamics_sales_optout_field): the apply refreshes the plugin's fields and uses it. "+
				"Otherwise the apply fails: check the column's logical name.", pluginID, name, object))
		return "", true
	}
	return fmt.Sprintf("Dataverse has no column %q on table %q either.", name, object), false
}

// customColumnName matches the logical name of a custom column: a publisher prefix, an
// underscore, the name (new_salesoptout).
var customColumnName = regexp.MustCompile(`^[a-z][a-z0-9]{1,7}_[a-z0-9_]+$`)

// columnNearMiss reports whether name is a typo of one of names (at most two edits), which makes
// "it is about to be created" an unlikely explanation.
func columnNearMiss(name string, names []string) bool {
	for _, n := range names {
		if levenshtein(name, strings.ToLower(n)) <= 2 {
			return true
		}
	}
	return false
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

// writeWithFieldRefresh runs a create or update of something that names Dynamics column column of
// object. When Outreach refuses the column as unknown (unknownColumn recognises the resource's
// 422), the column is most likely new (created in this apply): the plugin's fields are refreshed
// until its catalog lists the column (refreshFieldsUntil), and write is called again. write must
// build its request anew each time, from the catalog as it is then, so that what depends on the
// column's type (a condition's value) is typed after the refresh.
func writeWithFieldRefresh[T any](ctx context.Context, d *providerData, c *outreach.Client, pluginID int64, object, column string, unknownColumn func(error) bool, write func() (T, error)) (T, error) {
	mark := d.catalog.refreshMark(pluginID)
	v, err := write()
	if err == nil || !unknownColumn(err) {
		return v, err
	}
	var zero T
	tflog.Info(ctx, "Outreach does not know the Dynamics column yet; refreshing the plugin's fields and retrying",
		map[string]any{"plugin_id": pluginID, "object": object, "column": column})
	if rerr := d.catalog.refreshFieldsUntil(ctx, c, pluginID, object, column, mark); rerr != nil {
		return zero, fmt.Errorf("%w; refreshing the plugin's fields failed too: %v", err, rerr)
	}
	v, err = write()
	if err != nil && unknownColumn(err) {
		return zero, fmt.Errorf("even after refreshing the plugin's fields: %w", err)
	}
	return v, err
}

// isUnknownColumnError recognises a 422 whose source.pointer is the attribute naming the column
// and whose detail says Outreach does not know it (contract 3.4's wording for a mapping's
// crmField; the sandbox's for a condition's field).
func isUnknownColumnError(err error, pointer string) bool {
	apiErr, ok := outreach.AsAPIError(err)
	if !ok || apiErr.StatusCode != 422 {
		return false
	}
	for _, e := range apiErr.Errors {
		if e.Pointer == pointer && strings.Contains(e.Detail, "is not a known") {
			return true
		}
	}
	return false
}

// isValidationErrorAt recognises a 422 whose source.pointer is pointer.
func isValidationErrorAt(err error, pointer string) bool {
	apiErr, ok := outreach.AsAPIError(err)
	if !ok || apiErr.StatusCode != 422 {
		return false
	}
	for _, e := range apiErr.Errors {
		if e.Pointer == pointer {
			return true
		}
	}
	return false
}
