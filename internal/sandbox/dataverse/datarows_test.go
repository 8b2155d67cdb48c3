package dataverse

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// createContact posts a contact and returns its id, parsed from OData-EntityId.
func (h *harness) createContact(body map[string]any) string {
	h.t.Helper()
	r := h.do(http.MethodPost, api+"contacts", body)
	expect(h.t, r, http.StatusNoContent, "")
	loc := r.header.Get("OData-EntityId")
	prefix := h.srv.URL + api + "contacts("
	if !strings.HasPrefix(loc, prefix) || !strings.HasSuffix(loc, ")") || !isGUID(loc[len(prefix):len(loc)-1]) {
		h.t.Fatalf("OData-EntityId %q is not %s<guid>)", loc, prefix)
	}
	return loc[len(prefix) : len(loc)-1]
}

func TestRecordCreateAppliesColumnDefaults(t *testing.T) {
	h := newHarness(t)
	id := h.createContact(map[string]any{"firstname": "Ada", "lastname": "Lovelace", "donotphone": true})
	r := h.do(http.MethodGet, api+"contacts("+id+")", nil)
	expect(t, r, http.StatusOK, "")
	want := map[string]any{
		"contactid": id, "firstname": "Ada", "lastname": "Lovelace", "fullname": "Ada Lovelace",
		"donotphone": true, "donotemail": false, "donotbulkpostalmail": false,
		"followemail": true, // DefaultValue true in the metadata (facts section 4)
		"statecode":   float64(0), "statuscode": float64(1),
		"_ownerid_value": h.org.st.UserID, "emailaddress1": nil,
		"createdon": "2025-06-01T12:00:00Z", "modifiedon": "2025-06-01T12:00:00Z",
	}
	for k, v := range want {
		if got := r.body[k]; got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	if !strings.HasPrefix(str(r.body, "@odata.context"), h.srv.URL+api+"$metadata#contacts") || str(r.body, "@odata.etag") == "" {
		t.Errorf("annotations: %v", r.body)
	}
}

func TestRecordCreateReturnRepresentation(t *testing.T) {
	h := newHarness(t)
	r := h.do(http.MethodPost, api+"leads?$select=lastname,donotemail", map[string]any{"lastname": "Hopper", "donotemail": true},
		"Prefer", "return=representation")
	expect(t, r, http.StatusCreated, "")
	if r.body["lastname"] != "Hopper" || r.body["donotemail"] != true || r.body["leadid"] == nil {
		t.Fatalf("body %s", r.raw)
	}
	if _, ok := r.body["firstname"]; ok {
		t.Errorf("$select ignored: %s", r.raw)
	}
	if r.header.Get("Preference-Applied") != "return=representation" || r.header.Get("OData-EntityId") == "" {
		t.Errorf("headers %v", r.header)
	}
}

// TestRecordValidation: values are checked against the column metadata, as the Web API does.
func TestRecordValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		set    string
		body   map[string]any
		status int
		code   string
		msg    string
	}{
		{"unknown property", "contacts", map[string]any{"salesoptout": true}, 400, codeODataError,
			"Could not find a property named 'salesoptout' on type 'Microsoft.Dynamics.CRM.contact'."},
		{"property names are case-sensitive", "contacts", map[string]any{"DoNotEMail": true}, 400, codeODataError,
			"Could not find a property named 'DoNotEMail'"},
		{"lead has no donotbulkpostalmail", "leads", map[string]any{"donotbulkpostalmail": true}, 400, codeODataError,
			"on type 'Microsoft.Dynamics.CRM.lead'"},
		{"string for a Boolean", "contacts", map[string]any{"donotemail": "true"}, 400, codePayload,
			"Cannot convert the literal 'true' to the expected type 'Edm.Boolean'."},
		{"number for a string", "contacts", map[string]any{"firstname": 5}, 400, codePayload,
			"expected type 'Edm.String'"},
		{"not valid for create", "contacts", map[string]any{"fullname": "Ada"}, 400, codeInvalidArgument,
			"The attribute 'fullname' of entity 'contact' is not valid for create."},
		{"audit column", "contacts", map[string]any{"modifiedon": "2025-01-01T00:00:00Z"}, 400, codeInvalidArgument, "not valid for create"},
		{"too long", "contacts", map[string]any{"firstname": strings.Repeat("x", 51)}, 400, codeLengthExceeded,
			"exceeded the maximum allowed length of '50'"},
		{"choice out of range", "leads", map[string]any{"leadsourcecode": 99}, 400, codeOutOfRange,
			"The value 99 of 'leadsourcecode' on record of type 'lead' is outside the valid range."},
		{"integer out of range", "leads", map[string]any{"numberofemployees": 3000000000.0}, 400, codeOutOfRange, "outside the valid range"},
		{"status of another state", "contacts", map[string]any{"statuscode": 2}, 400, codeInvalidArgument, "is not a valid status code"},
		{"lookup", "contacts", map[string]any{"parentcustomerid_account@odata.bind": "/accounts(00000000-0000-0000-0000-000000000001)"}, 501, codeODataError, "not supported by this sandbox"},
		{"wrong entity type", "contacts", map[string]any{"@odata.type": "Microsoft.Dynamics.CRM.lead"}, 400, codePayload, "was expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.do(http.MethodPost, api+tc.set, tc.body)
			expect(t, r, tc.status, tc.code)
			if !strings.Contains(r.errMsg(), tc.msg) {
				t.Errorf("message %q does not contain %q", r.errMsg(), tc.msg)
			}
			if n := len(h.org.st.Rows["contact"]) + len(h.org.st.Rows["lead"]); n != 0 {
				t.Errorf("a refused create stored %d records", n)
			}
		})
	}
}

func TestRecordUpdateValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"primary key", map[string]any{"contactid": "00000000-0000-0000-0000-000000000001"}, codeInvalidArgument},
		{"computed name", map[string]any{"fullname": "x"}, codeInvalidArgument},
		{"system-required to null", map[string]any{"statecode": nil}, codeInvalidArgument},
		{"Boolean from a number", map[string]any{"donotemail": 1}, codePayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := h.createContact(map[string]any{"lastname": "Byron"})
			expect(t, h.do(http.MethodPatch, api+"contacts("+id+")", tc.body), http.StatusBadRequest, tc.code)
		})
	}
}

func TestRecordPatch(t *testing.T) {
	h := newHarness(t)
	id := h.createContact(map[string]any{"lastname": "Curie"})
	before := h.do(http.MethodGet, api+"contacts("+id+")", nil)
	h.clock.Advance(time.Minute)
	expect(t, h.do(http.MethodPatch, api+"contacts("+id+")", map[string]any{"donotemail": true, "emailaddress1": "marie@example.com"}), http.StatusNoContent, "")
	after := h.do(http.MethodGet, api+"contacts("+id+")?$select=donotemail,emailaddress1,modifiedon,createdon", nil)
	expect(t, after, http.StatusOK, "")
	if after.body["donotemail"] != true || after.body["emailaddress1"] != "marie@example.com" ||
		after.body["modifiedon"] != "2025-06-01T12:01:00Z" || after.body["createdon"] != "2025-06-01T12:00:00Z" {
		t.Fatalf("after PATCH: %s", after.raw)
	}
	if str(after.body, "@odata.etag") == str(before.body, "@odata.etag") {
		t.Error("the ETag did not change")
	}
	// Optimistic concurrency: the old ETag no longer matches.
	expect(t, h.do(http.MethodPatch, api+"contacts("+id+")", map[string]any{"donotfax": true}, "If-Match", str(before.body, "@odata.etag")),
		http.StatusPreconditionFailed, codeVersionMismatch)
	// Prefer: return=representation on PATCH answers 200 with the record.
	r := h.do(http.MethodPatch, api+"contacts("+id+")", map[string]any{"donotfax": true}, "Prefer", "return=representation", "If-Match", str(after.body, "@odata.etag"))
	expect(t, r, http.StatusOK, "")
	if r.body["donotfax"] != true {
		t.Errorf("representation %s", r.raw)
	}
}

func TestRecordPatchUpserts(t *testing.T) {
	h := newHarness(t)
	const id = "11111111-2222-4333-8444-555555555555"
	expect(t, h.do(http.MethodPatch, api+"contacts("+id+")", map[string]any{"lastname": "New"}, "If-Match", "*"),
		http.StatusNotFound, codeObjectDoesNotExist)
	expect(t, h.do(http.MethodPatch, api+"contacts("+id+")", map[string]any{"lastname": "New"}), http.StatusNoContent, "")
	expect(t, h.do(http.MethodGet, api+"contacts("+id+")", nil), http.StatusOK, "")
	expect(t, h.do(http.MethodPatch, api+"contacts("+id+")", map[string]any{"lastname": "Again"}, "If-None-Match", "*"),
		http.StatusPreconditionFailed, codeDuplicateRecord)
	expect(t, h.do(http.MethodPost, api+"contacts", map[string]any{"contactid": id}), http.StatusPreconditionFailed, codeDuplicateRecord)
}

func TestRecordListFilterAndDelete(t *testing.T) {
	h := newHarness(t)
	out := h.createContact(map[string]any{"lastname": "Out", "donotemail": true})
	h.createContact(map[string]any{"lastname": "In"})
	r := h.do(http.MethodGet, api+"contacts?$select=lastname&$filter=donotemail eq true", nil)
	expect(t, r, http.StatusOK, "")
	if vs := values(r); len(vs) != 1 || vs[0]["lastname"] != "Out" || vs[0]["contactid"] != out {
		t.Fatalf("filtered list %s", r.raw)
	}
	r = h.do(http.MethodGet, api+"contacts?$filter=lastname eq 'in' and statecode eq 0&$top=5", nil)
	if vs := values(r); len(vs) != 1 || vs[0]["lastname"] != "In" {
		t.Fatalf("case-insensitive filter %s", r.raw)
	}
	expect(t, h.do(http.MethodGet, api+"contacts?$filter=salesoptout eq true", nil), http.StatusBadRequest, codeODataError)
	expect(t, h.do(http.MethodGet, api+"contacts?$select=nope", nil), http.StatusBadRequest, codePropertyNotFound)
	expect(t, h.do(http.MethodGet, api+"contacts?$orderby=lastname", nil), http.StatusBadRequest, codeODataError)

	expect(t, h.do(http.MethodDelete, api+"contacts("+out+")", nil), http.StatusNoContent, "")
	r = h.do(http.MethodGet, api+"contacts("+out+")", nil)
	expect(t, r, http.StatusNotFound, codeObjectDoesNotExist)
	if r.errMsg() != "contact With Id = "+out+" Does Not Exist" {
		t.Errorf("message %q", r.errMsg())
	}
	expect(t, h.do(http.MethodGet, api+"accounts", nil), http.StatusNotFound, codeResourceNotFound)
	expect(t, h.do(http.MethodGet, api+"Contacts", nil), http.StatusNotFound, codeResourceNotFound)
}

// TestRecordCustomColumn: a column created through the metadata API is usable on records at
// once; deleting it deletes its values.
func TestRecordCustomColumn(t *testing.T) {
	h := newHarness(t)
	old := h.createContact(map[string]any{"lastname": "Before"})
	h.create("contact", "new_SalesOptOut")
	id := h.createContact(map[string]any{"lastname": "After", "new_salesoptout": true})
	r := h.do(http.MethodGet, api+"contacts?$select=lastname,new_salesoptout", nil)
	got := map[string]any{}
	for _, v := range values(r) {
		rid, _ := v["contactid"].(string)
		got[rid] = v["new_salesoptout"]
	}
	// A record that existed before the column has no value in it, as in Dataverse.
	if got[id] != true || got[old] != nil {
		t.Fatalf("values %v", got)
	}
	expect(t, h.do(http.MethodDelete, attrPath("contact", "new_salesoptout"), nil), http.StatusNoContent, "")
	expect(t, h.do(http.MethodGet, api+"contacts("+id+")?$select=new_salesoptout", nil), http.StatusBadRequest, codePropertyNotFound)
	h.create("contact", "new_SalesOptOut")
	r = h.do(http.MethodGet, api+"contacts("+id+")?$select=new_salesoptout", nil)
	if r.body["new_salesoptout"] != nil {
		t.Errorf("a re-created column resurrected the old value: %s", r.raw)
	}
}

func TestRecordChangeTrackingAndSnapshot(t *testing.T) {
	h := newHarness(t)
	id := h.createContact(map[string]any{"lastname": "Noether"})
	mark := h.org.RecordVersion()
	// A PATCH that changes nothing is a write, but no column changed.
	expect(t, h.do(http.MethodPatch, api+"contacts("+id+")", map[string]any{"lastname": "Noether", "donotemail": true}), http.StatusNoContent, "")
	recs, ok := h.org.ChangedRecords("contact", mark)
	if !ok || len(recs) != 1 || strings.Join(recs[0].Changed, ",") != "donotemail" || recs[0].Values["donotemail"] != true {
		t.Fatalf("changed records %+v", recs)
	}
	if recs, _ := h.org.ChangedRecords("contact", h.org.RecordVersion()); len(recs) != 0 {
		t.Errorf("nothing changed after the current version, got %+v", recs)
	}
	snap, err := h.org.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	h.org.Reset()
	if _, ok := h.org.GetRecord("contact", id); ok {
		t.Fatal("Reset kept the record")
	}
	if err := h.org.Restore(snap); err != nil {
		t.Fatal(err)
	}
	rec, ok := h.org.GetRecord("contact", id)
	if !ok || rec.Values["donotemail"] != true || rec.Values["lastname"] != "Noether" {
		t.Fatalf("restored record %+v", rec)
	}
}

// TestRecordGoAPIValidates: the Go API the sync engine uses refuses what the Web API refuses.
func TestRecordGoAPIValidates(t *testing.T) {
	h := newHarness(t)
	rec, err := h.org.CreateRecord("lead", map[string]any{"lastname": "Go", "donotemail": true})
	if err != nil || rec.Values["donotemail"] != true || rec.Values["followemail"] != true {
		t.Fatalf("CreateRecord: %+v, %v", rec, err)
	}
	if _, err := h.org.UpdateRecord("lead", rec.ID, map[string]any{"donotemail": "yes"}); err == nil || !strings.Contains(err.Error(), "Edm.Boolean") {
		t.Errorf("UpdateRecord with a string for a Boolean: %v", err)
	}
	if _, err := h.org.UpdateRecord("lead", rec.ID, map[string]any{"new_salesoptout": true}); err == nil || !strings.Contains(err.Error(), "Could not find a property named 'new_salesoptout'") {
		t.Errorf("UpdateRecord with an unknown column: %v", err)
	}
	if _, err := h.org.CreateRecord("account", nil); err == nil {
		t.Error("CreateRecord on a table without records succeeded")
	}
}
