package provider

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// syncConditionFuzzTypes are the catalog types a condition's value is typed as.
var syncConditionFuzzTypes = []string{"boolean", "integer", "decimal", "datetime", "string", "picklist", "lookup"}

// FuzzSyncConditionValue checks the value rules for any written string and field type:
//   - an accepted value is valid JSON of the field's JSON kind;
//   - what the user wrote means the same as what is sent (syncConditionSameValue), and is kept as
//     written when read back (syncConditionNormalize), so no accepted value plans a perpetual diff;
//   - the API's canonical rendering types back to the same wire value, and means the same;
//   - a string value is never "same" as a different string.
func FuzzSyncConditionValue(f *testing.F) {
	for _, c := range []struct {
		typ uint8
		s   string
	}{
		{0, "TRUE"}, {0, "false"}, {0, " true"}, {1, "+7"}, {1, "-0"}, {1, "9223372036854775807"}, {1, "010"},
		{2, "1.50"}, {2, "1e3"}, {2, "-0.75"}, {2, "1e999999999"}, {2, "12345678901234567890.123"},
		{3, "2024-01-31T00:00:00Z"}, {3, "2024-01-31T01:00:00+01:00"}, {4, "Contoso"}, {4, "<&>"}, {4, ""},
		{5, "Web"}, {6, "00000000-0000-0000-0000-000000000001"},
	} {
		f.Add(c.typ, c.s)
	}
	f.Fuzz(func(t *testing.T, ti uint8, s string) {
		if !utf8.ValidString(s) {
			return // Terraform strings are UTF-8
		}
		typ := syncConditionFuzzTypes[int(ti)%len(syncConditionFuzzTypes)]
		raw, err := syncConditionEncodeValue(typ, s)
		if err != nil {
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("%s %q: sent %s, not JSON", typ, s, raw)
		}
		var v any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		switch typ {
		case "boolean":
			if _, ok := v.(bool); !ok {
				t.Fatalf("%s %q: sent %s", typ, s, raw)
			}
		case "integer", "decimal":
			n, ok := v.(json.Number)
			if !ok {
				t.Fatalf("%s %q: sent %s", typ, s, raw)
			}
			if _, err := n.Int64(); typ == "integer" && err != nil {
				t.Fatalf("%s %q: sent %s, not an integer", typ, s, raw)
			}
		default:
			if _, ok := v.(string); !ok {
				t.Fatalf("%s %q: sent %s", typ, s, raw)
			}
		}
		if !syncConditionSameValue(s, raw) {
			t.Fatalf("%s %q: the written value does not mean what is sent (%s): perpetual diff", typ, s, raw)
		}
		if kept, ok := syncConditionNormalize(&s, raw); !ok || kept != s {
			t.Fatalf("%s %q: read back as %q", typ, s, kept)
		}
		canon, ok := syncConditionCanonical(raw)
		if !ok {
			t.Fatalf("%s %q: no canonical form of %s", typ, s, raw)
		}
		again, err := syncConditionEncodeValue(typ, canon)
		if err != nil || !syncConditionSameValue(canon, again) || !syncConditionSameValue(s, again) {
			t.Fatalf("%s %q: canonical %q types as %s (%v)", typ, s, canon, again, err)
		}
		// A string that differs is never taken for this one.
		if v, isString := v.(string); isString && typ != "datetime" && syncConditionSameValue(v+"x", raw) {
			t.Fatalf("%s: %q is taken for %s", typ, v+"x", raw)
		}
	})
}
