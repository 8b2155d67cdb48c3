package provider

import (
	"fmt"
	"regexp"
	"strings"
)

// salesOptOutImportID is a parsed `terraform import` id of dynamics_sales_optout_field: the table
// and either the column's logical name or its MetadataId.
type salesOptOutImportID struct {
	Entity string
	// LogicalName is set when the id names the column; MetadataID when it gives its GUID.
	LogicalName string
	MetadataID  string
}

// salesOptOutGUID matches a MetadataId, with or without braces.
var salesOptOutGUID = regexp.MustCompile(`^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$`)

// salesOptOutImportFormat is quoted by every import error, so that the user sees what to type.
const salesOptOutImportFormat = "`<entity>/<logical_name>` (e.g. `contact/new_salesoptout`) or `<entity>/<MetadataId>` " +
	"(e.g. `contact/0f4c2d7e-5b1a-4e4b-9a55-2f6f7a1c0b11`)"

// key is the column part of the import id, for messages.
func (id salesOptOutImportID) key() string {
	if id.MetadataID != "" {
		return id.MetadataID
	}
	return id.LogicalName
}

// parseSalesOptOutImportID is the one parser of this resource's import ids. Names are lower-cased
// because Dataverse logical names are lower case and users often paste the schema name.
func parseSalesOptOutImportID(raw string) (salesOptOutImportID, error) {
	entity, key, ok := strings.Cut(strings.TrimSpace(raw), "/")
	entity, key = strings.TrimSpace(entity), strings.TrimSpace(key)
	if !ok || entity == "" || key == "" || strings.Contains(key, "/") {
		return salesOptOutImportID{}, fmt.Errorf("the import id %q is not in the form %s", raw, salesOptOutImportFormat)
	}
	entity = strings.ToLower(entity)
	if !salesOptOutEntityPattern.MatchString(entity) {
		return salesOptOutImportID{}, fmt.Errorf("%q is not a table logical name: use letters, digits and underscores, e.g. contact or lead; the import id is %s", entity, salesOptOutImportFormat)
	}
	if m := salesOptOutGUID.FindStringSubmatch(key); m != nil {
		return salesOptOutImportID{Entity: entity, MetadataID: strings.ToLower(m[1])}, nil
	}
	key = strings.ToLower(key)
	if !salesOptOutEntityPattern.MatchString(key) {
		return salesOptOutImportID{}, fmt.Errorf("%q is neither a column logical name nor a MetadataId; the import id is %s", key, salesOptOutImportFormat)
	}
	return salesOptOutImportID{Entity: entity, LogicalName: key}, nil
}

// salesOptOutImportHint is the text that tells a user how to adopt an existing column, both with
// the CLI and with an import block. The resource's own name is not known to the provider, hence
// the <name> placeholder.
func salesOptOutImportHint(entity, logical string) string {
	id := entity + "/" + logical
	return fmt.Sprintf("To manage the existing column with Terraform, import it instead of creating it:\n\n"+
		"  terraform import dynamics_sales_optout_field.<name> %s\n\n"+
		"or add an import block to the configuration and apply:\n\n"+
		"  import {\n    provider = outreach\n    to       = dynamics_sales_optout_field.<name>\n    id       = %q\n  }\n\n"+
		"where <name> is the name of this resource in your configuration (the provider argument is needed "+
		"because dynamics_* types are served by the outreach provider).", id, id)
}
