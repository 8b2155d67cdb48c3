package dataverse

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

func TestFaultLock(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lockStatus int
		want       int
	}{
		{"default status", 0, 400},
		{"429", 429, 429},
		{"503", 503, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.org.SetFaults(Faults{Lock: 2, LockStatus: tc.lockStatus})
			writes := []func() result{
				func() result {
					return h.do("POST", api+"EntityDefinitions(LogicalName='lead')/Attributes", booleanColumn("new_Locked"))
				},
				func() result {
					return h.do("POST", api+"PublishXml", map[string]any{"ParameterXml": "<importexportxml/>"})
				},
			}
			for _, w := range writes {
				r := w()
				expect(t, r, tc.want, codeCustomizationLock)
				if r.errMsg() != lockMessage {
					t.Errorf("message %q", r.errMsg())
				}
			}
			// Reads are not writes: they pass while the lock is armed and do not consume it.
			h.org.SetFaults(Faults{Lock: 1, LockStatus: tc.lockStatus})
			expect(t, h.do("GET", attrPath("lead", "donotemail"), nil), 200, "")
			expect(t, h.do("POST", api+"PublishAllXml", map[string]any{}), tc.want, codeCustomizationLock)
			h.create("lead", "new_Locked") // the counter is spent
			if s := h.org.Stats(); s.LockFaults != 3 || s.MetadataWrites != 1 || s.Publishes != 0 {
				t.Errorf("stats %+v", s)
			}
			if f := h.org.CurrentFaults(); f.Lock != 0 {
				t.Errorf("Lock = %d left", f.Lock)
			}
		})
	}
}

func TestFaultNotFoundAfterCreate(t *testing.T) {
	h := newHarness(t)
	h.create("lead", "new_Before")
	h.org.SetFaults(Faults{NotFoundAfterCreate: 2})
	id := h.create("lead", "new_After")

	// Columns created before the fault was set are not affected.
	expect(t, h.do("GET", attrPath("lead", "new_before"), nil), 200, "")
	for i := 0; i < 2; i++ {
		r := h.do("GET", attrPath("lead", "new_after")+booleanCast, nil, "Consistency", "Strong")
		expect(t, r, 404, codeObjectDoesNotExist)
	}
	// The list is not affected; the third single GET sees the column.
	r := h.do("GET", api+"EntityDefinitions(LogicalName='lead')/Attributes?$select=LogicalName&$filter=LogicalName eq 'new_after'", nil)
	if len(values(r)) != 1 {
		t.Errorf("list: %s", r.raw)
	}
	expect(t, h.do("GET", api+"EntityDefinitions(LogicalName='lead')/Attributes("+id+")", nil), 200, "")
	if s := h.org.Stats(); s.NotFoundFaults != 2 {
		t.Errorf("NotFoundFaults = %d", s.NotFoundFaults)
	}
}

func TestFaultThrottle(t *testing.T) {
	h := newHarness(t)
	h.org.SetFaults(Faults{Throttle: 2, RetryAfter: "7"})
	for i := 0; i < 2; i++ {
		r := h.do("GET", api+"WhoAmI", nil)
		expect(t, r, http.StatusTooManyRequests, codeThrottled)
		if r.header.Get("Retry-After") != "7" {
			t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
		}
	}
	expect(t, h.do("GET", api+"WhoAmI", nil), 200, "")

	h.org.SetFaults(Faults{Throttle: 1})
	if r := h.do("GET", api+"WhoAmI", nil); r.header.Get("Retry-After") != "1" {
		t.Errorf("default Retry-After = %q", r.header.Get("Retry-After"))
	}
	if s := h.org.Stats(); s.Throttled != 3 {
		t.Errorf("Throttled = %d", s.Throttled)
	}
}

func TestFaultsJSON(t *testing.T) {
	var f Faults
	if err := json.Unmarshal([]byte(`{"dynamics_lock":1,"dynamics_lock_status":429,"dynamics_404_after_create":2,"dynamics_429":3,"dynamics_retry_after":"5"}`), &f); err != nil {
		t.Fatal(err)
	}
	if f != (Faults{Lock: 1, LockStatus: 429, NotFoundAfterCreate: 2, Throttle: 3, RetryAfter: "5"}) {
		t.Errorf("%+v", f)
	}
}

func TestSnapshotRestore(t *testing.T) {
	h := newHarness(t)
	id := h.create("contact", "new_Kept", "MSCRM.SolutionUniqueName", "OptOutSync")
	h.org.SetFaults(Faults{Throttle: 5})
	snap, err := h.org.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	h.org.Reset()
	if f := h.org.CurrentFaults(); f != (Faults{}) {
		t.Errorf("faults after Reset: %+v", f)
	}
	expect(t, h.do("GET", attrPath("contact", "new_kept"), nil), 404, codeObjectDoesNotExist)

	if err := h.org.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if again, _ := h.org.Snapshot(); string(again) != string(snap) {
		t.Fatalf("snapshot after restore differs:\n%s\n%s", again, snap)
	}
	if f := h.org.CurrentFaults(); f.Throttle != 5 {
		t.Errorf("faults not restored: %+v", f)
	}
	h.org.SetFaults(Faults{})
	r := h.do("GET", attrPath("contact", "new_kept")+booleanCast+"?$expand=OptionSet", nil)
	expect(t, r, 200, "")
	if r.body["MetadataId"] != id || str(r.body, "OptionSet", "TrueOption", "Label", "UserLocalizedLabel", "Label") != "Opted Out" {
		t.Errorf("restored column: %s", r.raw)
	}
	if rows := values(h.do("GET", api+"solutioncomponents?$filter=objectid eq "+id, nil)); len(rows) != 1 {
		t.Error("solution membership not restored")
	}

	// The seed is deterministic: fresh and reset orgs snapshot identically.
	fresh, _ := NewOrg(Config{}).Snapshot()
	h.org.Reset()
	reset, _ := h.org.Snapshot()
	if string(fresh) != string(reset) {
		t.Error("seed snapshot differs between orgs")
	}

	if err := h.org.Restore(snap); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{`, `{"version":99,"tables":[{}]}`, `{"version":1,"tables":[]}`} {
		if err := h.org.Restore([]byte(bad)); err == nil {
			t.Errorf("Restore(%s) succeeded", bad)
		}
	}
	h.org.SetFaults(Faults{})
	expect(t, h.do("GET", attrPath("contact", "new_kept"), nil), 200, "") // unchanged by failed restores
}

func TestCatalog(t *testing.T) {
	o := NewOrg(Config{})
	if got, want := o.Entities(), []string{"account", "appointment", "contact", "lead", "opportunity", "systemuser", "task"}; !slices.Equal(got, want) {
		t.Errorf("Entities = %v", got)
	}
	if _, ok := o.Columns("nope"); ok {
		t.Error("Columns(nope) ok")
	}
	byName := map[string]Column{}
	cols, _ := o.Columns("lead")
	for _, c := range cols {
		byName[c.LogicalName] = c
	}
	for _, tc := range []struct {
		name, typ, display string
		writable           bool
	}{
		{"donotemail", "boolean", "Do not allow Emails", true},
		{"donotsendmm", "boolean", "Marketing Material", true},
		{"firstname", "string", "First Name", true},
		{"fullname", "string", "Full Name", false},
		{"leadid", "string", "Lead", false},
		{"numberofemployees", "integer", "No. of Employees", true},
		{"revenue", "decimal", "Annual Revenue", true},
		{"createdon", "datetime", "Created On", false},
		{"leadsourcecode", "picklist", "Lead Source", true},
		{"statecode", "picklist", "Status", true},
		{"statuscode", "picklist", "Status Reason", true},
		{"ownerid", "lookup", "Owner", true},
		{"description", "string", "Description", true},
	} {
		c, ok := byName[tc.name]
		if !ok || c.Type != tc.typ || c.DisplayName != tc.display || c.Writable != tc.writable {
			t.Errorf("%s = %+v (present %v), want %+v", tc.name, c, ok, tc)
		}
	}
	if _, ok := byName["donotbulkpostalmail"]; ok {
		t.Error("lead has donotbulkpostalmail")
	}
	contact, _ := o.Columns("contact")
	found := map[string]string{}
	for _, c := range contact {
		found[c.LogicalName] = c.Type
	}
	if found["parentcustomerid"] != "lookup" || found["creditonhold"] != "boolean" || found["donotbulkpostalmail"] != "boolean" {
		t.Errorf("contact columns: %v", found)
	}
}
