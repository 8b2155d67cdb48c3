package dataverse

import (
	"testing"
	"time"
)

// weak is the header pair that makes the harness send no Consistency: Strong.
var weak = []string{"Consistency", ""}

func TestMetadataCacheLagHidesNewColumnWithoutStrongConsistency(t *testing.T) {
	h := newHarness(t)
	h.create("contact", "new_SalesOptOut")

	expect(t, h.do("GET", attrPath("contact", "new_salesoptout"), nil, weak...), 404, codeObjectDoesNotExist)
	expect(t, h.do("GET", attrPath("contact", "new_salesoptout")+booleanCast+"?$expand=OptionSet", nil, weak...), 404, codeObjectDoesNotExist)
	list := h.do("GET", api+"EntityDefinitions(LogicalName='contact')/Attributes"+booleanCast+"?$select=LogicalName", nil, weak...)
	expect(t, list, 200, "")
	for _, v := range values(list) {
		if v["LogicalName"] == "new_salesoptout" {
			t.Fatal("a list without Consistency: Strong shows the column created a moment ago")
		}
	}
	expect(t, h.do("GET", attrPath("contact", "new_salesoptout"), nil), 200, "")
	if got := h.org.Stats().StaleReads; got != 2+1 {
		t.Errorf("StaleReads = %d, want 3", got)
	}

	// A DELETE resolves the name through the same cache: without Consistency: Strong it misses
	// the column, which stays.
	expect(t, h.do("DELETE", attrPath("contact", "new_salesoptout"), nil, weak...), 404, codeObjectDoesNotExist)
	if !hasColumn(h.org, "contact", "new_salesoptout") {
		t.Fatal("the column is gone after a DELETE that answered 404")
	}

	h.clock.Advance(DefaultMetadataCacheLag)
	expect(t, h.do("GET", attrPath("contact", "new_salesoptout"), nil, weak...), 200, "")
}

func TestMetadataCacheLagServesOldDefinitionAfterUpdate(t *testing.T) {
	h := newHarness(t)
	h.create("contact", "new_SalesOptOut")
	h.clock.Advance(DefaultMetadataCacheLag)

	r := h.do("GET", attrPath("contact", "new_salesoptout")+booleanCast, nil)
	expect(t, r, 200, "")
	def := r.body
	delete(def, "@odata.context")
	def["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
	def["DisplayName"] = labelBody("Renamed", 1033)
	expect(t, h.do("PUT", attrPath("contact", "new_salesoptout"), def), 204, "")

	stale := h.do("GET", attrPath("contact", "new_salesoptout"), nil, weak...)
	expect(t, stale, 200, "")
	if got := str(stale.body, "DisplayName", "UserLocalizedLabel", "Label"); got == "Renamed" {
		t.Errorf("a read without Consistency: Strong right after the PUT shows the new display name")
	}
	fresh := h.do("GET", attrPath("contact", "new_salesoptout"), nil)
	if got := str(fresh.body, "DisplayName", "UserLocalizedLabel", "Label"); got != "Renamed" {
		t.Errorf("strong read: DisplayName = %q, want Renamed", got)
	}
	h.clock.Advance(DefaultMetadataCacheLag - time.Second)
	if got := str(h.do("GET", attrPath("contact", "new_salesoptout"), nil, weak...).body, "DisplayName", "UserLocalizedLabel", "Label"); got == "Renamed" {
		t.Error("the cache caught up before the lag passed")
	}
	h.clock.Advance(time.Second)
	if got := str(h.do("GET", attrPath("contact", "new_salesoptout"), nil, weak...).body, "DisplayName", "UserLocalizedLabel", "Label"); got != "Renamed" {
		t.Errorf("after the lag: DisplayName = %q, want Renamed", got)
	}
}

func TestMetadataCacheLagOff(t *testing.T) {
	clock := &testClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	h := newHarnessWith(t, Config{Now: clock.Now, MetadataCacheLag: -1}, clock)
	h.create("contact", "new_SalesOptOut")
	expect(t, h.do("GET", attrPath("contact", "new_salesoptout"), nil, weak...), 200, "")
}

func hasColumn(o *Org, entity, logical string) bool {
	cols, _ := o.Columns(entity)
	for _, c := range cols {
		if c.LogicalName == logical {
			return true
		}
	}
	return false
}
