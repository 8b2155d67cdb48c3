package provider

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The import-id parsers take whatever a user types after `terraform import` or in an import
// block. Each fuzz target checks, for any input: no panic; an accepted id is well formed (the
// invariants the resource relies on); rendering it in the canonical form and parsing that again
// gives the same id; and a refused id gets an error that quotes the input, so the user sees what
// was wrong.

func FuzzParseFieldMappingImportID(f *testing.F) {
	for _, s := range []string{"42", "lead/optedOut", "1/lead/optedOut", " 2/contact/emailOptedOut ", "0", "-1", "lead/",
		"incident/optedOut", "a/b/c/d", "1/lead/ optedOut", "+7/lead/x", "9223372036854775808", "lead/opted Out", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := parseFieldMappingImportID(raw)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(raw)) {
				t.Fatalf("error for %q does not quote it: %v", raw, err)
			}
			return
		}
		var canonical string
		switch {
		case id.MappingID > 0:
			if id.PluginID != 0 || id.Object != "" || id.OutreachField != "" {
				t.Fatalf("%q: a mapping id with other parts: %+v", raw, id)
			}
			canonical = strconv.FormatInt(id.MappingID, 10)
		default:
			if id.PluginID < 0 || !slices.Contains(crmObjects, id.Object) || id.OutreachField == "" ||
				strings.TrimSpace(id.OutreachField) != id.OutreachField || strings.Contains(id.OutreachField, "/") {
				t.Fatalf("%q: accepted a malformed id %+v", raw, id)
			}
			canonical = id.Object + "/" + id.OutreachField
			if id.PluginID > 0 {
				canonical = strconv.FormatInt(id.PluginID, 10) + "/" + canonical
			}
		}
		again, err := parseFieldMappingImportID(canonical)
		if err != nil || again != id {
			t.Fatalf("%q parsed as %+v, its canonical form %q as %+v (%v)", raw, id, canonical, again, err)
		}
	})
}

func FuzzParseSalesOptOutImportID(f *testing.F) {
	for _, s := range []string{"contact/new_salesoptout", "Contact/New_SalesOptOut", "lead/{0F4C2D7E-5B1A-4E4B-9A55-2F6F7A1C0B11}",
		"contact/0f4c2d7e-5b1a-4e4b-9a55-2f6f7a1c0b11", "contact", "/x", "contact/a/b", " contact / new_x ", "con tact/x", "contact/{0f4c2d7e-5b1a-4e4b-9a55-2f6f7a1c0b11"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := parseSalesOptOutImportID(raw)
		if err != nil {
			// The messages quote the input, or the part of it that is wrong.
			if !strings.Contains(err.Error(), `"`) {
				t.Fatalf("error for %q names nothing: %v", raw, err)
			}
			return
		}
		if !salesOptOutEntityPattern.MatchString(id.Entity) || id.Entity != strings.ToLower(id.Entity) {
			t.Fatalf("%q: entity %q", raw, id.Entity)
		}
		switch {
		case id.MetadataID != "" && id.LogicalName == "":
			if !salesOptOutGUID.MatchString(id.MetadataID) || id.MetadataID != strings.ToLower(id.MetadataID) || strings.ContainsAny(id.MetadataID, "{}") {
				t.Fatalf("%q: metadata id %q", raw, id.MetadataID)
			}
		case id.LogicalName != "" && id.MetadataID == "":
			if !salesOptOutEntityPattern.MatchString(id.LogicalName) || id.LogicalName != strings.ToLower(id.LogicalName) {
				t.Fatalf("%q: logical name %q", raw, id.LogicalName)
			}
		default:
			t.Fatalf("%q: want exactly one of logical name and metadata id, got %+v", raw, id)
		}
		canonical := id.Entity + "/" + id.key()
		if again, err := parseSalesOptOutImportID(canonical); err != nil || again != id {
			t.Fatalf("%q parsed as %+v, its canonical form %q as %+v (%v)", raw, id, canonical, again, err)
		}
	})
}

func FuzzObjectSettingsParseImportID(f *testing.F) {
	for _, s := range []string{"lead", "1/lead", " 3/contact ", "0/lead", "x/lead", "lead/1", "1/incident", "1/2/lead", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		pluginID, object, err := objectSettingsParseImportID(raw)
		if err != nil {
			if !strings.Contains(err.Error(), `"`) {
				t.Fatalf("error for %q names nothing: %v", raw, err)
			}
			return
		}
		if pluginID < 0 || !slices.Contains(crmObjects, object) {
			t.Fatalf("%q: accepted plugin %d, object %q", raw, pluginID, object)
		}
		canonical := object
		if pluginID > 0 {
			canonical = fmt.Sprintf("%d/%s", pluginID, object)
		}
		p2, o2, err := objectSettingsParseImportID(canonical)
		if err != nil || p2 != pluginID || o2 != object {
			t.Fatalf("%q parsed as %d/%s, its canonical form %q as %d/%s (%v)", raw, pluginID, object, canonical, p2, o2, err)
		}
	})
}

func FuzzParseSyncConditionImportID(f *testing.F) {
	for _, s := range []string{"42", " 7 ", "0", "-3", "forty-two", "+5", "9223372036854775807", "9223372036854775808", "1.0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := parseSyncConditionImportID(raw)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(raw)) {
				t.Fatalf("error for %q does not quote it: %v", raw, err)
			}
			return
		}
		if id < 1 {
			t.Fatalf("%q: accepted id %d", raw, id)
		}
		if again, err := parseSyncConditionImportID(strconv.FormatInt(id, 10)); err != nil || again != id {
			t.Fatalf("%q parsed as %d, its canonical form as %d (%v)", raw, id, again, err)
		}
	})
}
