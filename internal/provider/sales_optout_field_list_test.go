package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

const sofType = "dynamics_sales_optout_field"

// Only custom Boolean columns are listed: the seeded standard Booleans (donotemail, ...) are
// mapped directly and never managed by the resource.
func TestListSalesOptOutFields_customBooleanColumnsOnly(t *testing.T) {
	env := acctest.NewEnv(t)
	createSalesOptOutColumnOutOfBand(env)
	p := env.Protocol()

	results := p.List(sofType, map[string]any{"entity": "contact"}, true, 0)
	requireNoErrors(t, results)
	if len(results) != 1 {
		var names []string
		for _, r := range results {
			names = append(names, r.DisplayName)
		}
		t.Fatalf("listed %q, want only the custom column", names)
	}
	r := results[0]
	if r.DisplayName != "contact.new_salesoptout ("+salesOptOutHandMade+")" {
		t.Errorf("display name = %q", r.DisplayName)
	}
	want := map[string]any{"entity": "contact", "logical_name": "new_salesoptout"}
	if got := listIdentity(t, p, sofType, r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("identity = %v, want %v", got, want)
	}
	res := listResource(t, p, sofType, r)
	for k, v := range map[string]any{"entity": "contact", "schema_name": "new_SalesOptOut", "logical_name": "new_salesoptout",
		"display_name": salesOptOutHandMade, "attribute_type": "Boolean", "true_label": "Yes", "false_label": "No",
		"deletion_protection": true, "language_code": int64(1033), "solution": "OptOutSync"} {
		if res[k] != v {
			t.Errorf("resource %s = %#v, want %#v", k, res[k], v)
		}
	}
	if res["metadata_id"] == nil || res["metadata_id"] != res["id"] {
		t.Errorf("resource id = %v, metadata_id = %v: want the same MetadataId", res["id"], res["metadata_id"])
	}

	if lead := p.List(sofType, map[string]any{"entity": "lead"}, false, 0); len(lead) != 0 {
		t.Errorf("lead has no custom Boolean column, but %d results were listed: %s", len(lead), acctest.DiagnosticsText(lead[0].Diagnostics))
	}
}

// A table Dataverse does not know is an error result naming the table.
func TestListSalesOptOutFields_unknownTable(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	results := p.List(sofType, map[string]any{"entity": "contcat"}, false, 0)
	if len(results) != 1 || !acctest.HasError(results[0].Diagnostics) {
		t.Fatalf("results = %v, want one error result", results)
	}
	if text := acctest.DiagnosticsText(results[0].Diagnostics); !strings.Contains(text, `no table with logical name "contcat"`) {
		t.Errorf("error = %s", text)
	}
}
