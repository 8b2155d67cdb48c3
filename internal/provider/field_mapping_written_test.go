package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// TestFieldMappingStateAfterWriteKeepsPlannedOptionalStrings: empty_placeholder and lookup_type
// are optional and not computed, so after an apply Terraform requires them to be exactly as
// planned. Contract 3.4 gives the server no default for them and the client always sends both
// (null when unset), so a server that fills or changes one anyway would otherwise make the apply
// fail with "Provider produced inconsistent result": the planned value is kept, with a warning,
// and the next refresh shows the server's value as drift.
func TestFieldMappingStateAfterWriteKeepsPlannedOptionalStrings(t *testing.T) {
	filled := "systemuser"
	placeholder := "n/a"
	plan := fieldMappingModel{EmptyPlaceholder: types.StringValue("n/a"), LookupType: types.StringNull()}
	var diags diag.Diagnostics
	got := fieldMappingStateAfterWrite(&outreach.FieldMapping{ID: 7, EmptyPlaceholder: &placeholder, ExternalMappedType: &filled}, 1, plan, &diags)
	if !got.LookupType.IsNull() || got.EmptyPlaceholder.ValueString() != "n/a" {
		t.Fatalf("state lookup_type %s, empty_placeholder %s; want the planned null and \"n/a\"", got.LookupType, got.EmptyPlaceholder)
	}
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("diagnostics %v, want one warning", diags)
	}
	w := diags.Warnings()[0]
	if p, ok := w.(diag.DiagnosticWithPath); !ok || !p.Path().Equal(path.Root("lookup_type")) || !strings.Contains(w.Detail(), `"systemuser"`) {
		t.Fatalf("warning %q at %v", w.Detail(), w)
	}

	// An answer that matches the plan passes through without a warning.
	diags = nil
	got = fieldMappingStateAfterWrite(&outreach.FieldMapping{ID: 7, EmptyPlaceholder: &placeholder}, 1, plan, &diags)
	if len(diags) != 0 || !got.LookupType.IsNull() || got.EmptyPlaceholder.ValueString() != "n/a" || got.ID.ValueString() != "7" {
		t.Fatalf("state %+v, diagnostics %v", got, diags)
	}
}
