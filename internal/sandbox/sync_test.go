package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// syncT runs one round through the admin API, as an acceptance test does.
func syncT(t *testing.T, s *Server) SyncReport {
	t.Helper()
	r := admin(t, s, http.MethodPost, "/_sandbox/sync", nil)
	mustStatus(t, r, http.StatusOK)
	var rep SyncReport
	if err := json.Unmarshal(r.body, &rep); err != nil {
		t.Fatalf("sync report: %v\n%s", err, r.body)
	}
	return rep
}

// setObject patches the toggles of a plugin object.
func setObject(t *testing.T, s *Server, obj string, attrs map[string]any) {
	t.Helper()
	r := api(t, s, http.MethodGet, "/api/v2/pluginObjects?filter[crmObject]="+obj, nil)
	mustStatus(t, r, http.StatusOK)
	id := r.doc(t).many(t)[0].ID
	mustStatus(t, api(t, s, http.MethodPatch, "/api/v2/pluginObjects/"+itoa(id), resource(typeObject, id, attrs, false)), http.StatusOK)
}

// linkedPair creates a record and a prospect connected to it, and runs the round that sees both
// as new, so that the test starts from a synced pair.
func linkedPair(t *testing.T, s *Server, obj string, values, attrs map[string]any) (string, int64) {
	t.Helper()
	rec, err := s.org.CreateRecord(obj, values)
	if err != nil {
		t.Fatal(err)
	}
	p := createProspectT(t, s, attrs, map[string]any{"dataConnections": []any{map[string]any{"type": obj, "id": rec.ID}}})
	syncT(t, s)
	return rec.ID, p.ID
}

func recordValues(t *testing.T, s *Server, obj, id string) map[string]any {
	t.Helper()
	rec, ok := s.org.GetRecord(obj, id)
	if !ok {
		t.Fatalf("no %s %s", obj, id)
	}
	return rec.Values
}

// onlyAction returns the report's single action, failing otherwise.
func onlyAction(t *testing.T, rep SyncReport) SyncAction {
	t.Helper()
	if len(rep.Actions) != 1 {
		t.Fatalf("want one action, got %+v", rep.Actions)
	}
	return rep.Actions[0]
}

// TestSyncSharedField is contract section 5: optedOut → donotemail sets every opt-out column.
func TestSyncSharedField(t *testing.T) {
	for obj, cols := range map[string][]string{
		"contact": {"donotbulkemail", "donotbulkpostalmail", "donotemail", "donotfax", "donotphone", "donotpostalmail"},
		"lead":    {"donotbulkemail", "donotemail", "donotfax", "donotphone", "donotpostalmail"},
	} {
		t.Run(obj, func(t *testing.T) {
			s := startSandbox(t, Options{})
			createMappingT(t, s, obj, "optedOut", "donotemail", nil)
			recID, pID := linkedPair(t, s, obj, map[string]any{"lastname": "Shared"}, nil)

			patchProspectT(t, s, pID, map[string]any{"optedOut": true})
			a := onlyAction(t, syncT(t, s))
			if a.Direction != "outbound" || a.Result != "updated" || !slices.Equal(a.Fields, cols) {
				t.Fatalf("action %+v, want outbound update of %v", a, cols)
			}
			vals := recordValues(t, s, obj, recID)
			for _, c := range cols {
				if vals[c] != true {
					t.Errorf("%s = %v after the opt-out", c, vals[c])
				}
			}
			if vals["donotsendmm"] != false || vals["followemail"] != true {
				t.Errorf("columns that are not opt-outs changed: donotsendmm %v followemail %v", vals["donotsendmm"], vals["followemail"])
			}
			// The round's own writes are not changes: nothing comes back.
			if rep := syncT(t, s); len(rep.Actions) != 0 {
				t.Errorf("echo: %+v", rep.Actions)
			}
			// Opting back in clears donotemail only.
			patchProspectT(t, s, pID, map[string]any{"optedOut": false})
			syncT(t, s)
			vals = recordValues(t, s, obj, recID)
			if vals["donotemail"] != false || vals["donotphone"] != true {
				t.Errorf("after opting back in: donotemail %v donotphone %v", vals["donotemail"], vals["donotphone"])
			}
		})
	}
}

// TestSyncCustomColumnSetsOnlyItself: a mapping to a Sales Opt Out column leaves marketing's
// columns alone.
func TestSyncCustomColumnSetsOnlyItself(t *testing.T) {
	s := startSandbox(t, Options{})
	createBooleanColumn(t, s, "contact", "new_SalesOptOut", "Sales Opt Out")
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/plugins/1/actions/refreshFields", nil), http.StatusNoContent)
	createMappingT(t, s, "contact", "optedOut", "new_salesoptout", nil)
	recID, pID := linkedPair(t, s, "contact", map[string]any{"lastname": "Sales"}, nil)
	patchProspectT(t, s, pID, map[string]any{"optedOut": true})
	if a := onlyAction(t, syncT(t, s)); a.Result != "updated" || !slices.Equal(a.Fields, []string{"new_salesoptout"}) {
		t.Fatalf("action %+v", a)
	}
	vals := recordValues(t, s, "contact", recID)
	if vals["new_salesoptout"] != true {
		t.Errorf("new_salesoptout %v", vals["new_salesoptout"])
	}
	for _, c := range optOutColumns {
		if vals[c] != false {
			t.Errorf("%s = %v: a Sales Opt Out mapping touched a marketing column", c, vals[c])
		}
	}
}

// TestSyncWithoutMappingMovesNothing: the opt-out reaches Dynamics only through a mapping.
func TestSyncWithoutMappingMovesNothing(t *testing.T) {
	s := startSandbox(t, Options{})
	recID, pID := linkedPair(t, s, "contact", map[string]any{"lastname": "Alone"}, nil)
	patchProspectT(t, s, pID, map[string]any{"optedOut": true})
	if a := onlyAction(t, syncT(t, s)); a.Result != "unchanged" {
		t.Fatalf("action %+v", a)
	}
	if v := recordValues(t, s, "contact", recID)["donotemail"]; v != false {
		t.Errorf("donotemail %v without a mapping", v)
	}
}

// TestSyncInboundOptOut: a marketing unsubscribe in Dynamics opts the prospect out, and only
// the mapped field moves: the shared-field rule is about opt-outs made in Outreach.
func TestSyncInboundOptOut(t *testing.T) {
	s := startSandbox(t, Options{})
	createMappingT(t, s, "lead", "optedOut", "donotemail", nil)
	recID, pID := linkedPair(t, s, "lead", map[string]any{"lastname": "Marketing"}, nil)
	if _, err := s.org.UpdateRecord("lead", recID, map[string]any{"donotemail": true}); err != nil {
		t.Fatal(err)
	}
	a := onlyAction(t, syncT(t, s))
	if a.Direction != "inbound" || a.Result != "updated" || a.ProspectID != pID || !slices.Equal(a.Fields, []string{"optedOut"}) {
		t.Fatalf("action %+v", a)
	}
	p := itemAt(t, s, "/api/v2/prospects/"+itoa(pID))
	if p.Attributes["optedOut"] != true || p.Attributes["optedOutAt"] == nil {
		t.Errorf("prospect %v", p.Attributes)
	}
	if rep := syncT(t, s); len(rep.Actions) != 0 {
		t.Errorf("echo: %+v", rep.Actions)
	}
	if v := recordValues(t, s, "lead", recID)["donotphone"]; v != false {
		t.Errorf("donotphone %v: an inbound opt-out was pushed back as a shared-field opt-out", v)
	}
}

// TestSyncTogglesAndConditions: each toggle and trigger gates its direction.
func TestSyncTogglesAndConditions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, s *Server)
		change string // "crm" or "outreach": which side opts the person out
		result string
		reason string
	}{
		{"inbound", nil, "crm", "updated", ""},
		{"polling off", func(t *testing.T, s *Server) { setObject(t, s, "contact", map[string]any{"polling": false}) }, "crm", "skipped", "polling is off for contact"},
		{"inboundUpdate off", func(t *testing.T, s *Server) { setObject(t, s, "contact", map[string]any{"inboundUpdate": false}) }, "crm", "skipped", "inboundUpdate is off"},
		{"polling condition", func(t *testing.T, s *Server) {
			createConditionT(t, s, "contact", "polling", "donotemail", "equals", val(false))
		}, "crm", "skipped", "polling condition"},
		{"inboundUpdate condition", func(t *testing.T, s *Server) {
			createConditionT(t, s, "contact", "inboundUpdate", "lastname", "contains", val("vip"))
		}, "crm", "skipped", "inboundUpdate condition"},
		{"inboundUpdate condition holds", func(t *testing.T, s *Server) {
			createConditionT(t, s, "contact", "inboundUpdate", "lastname", "contains", val("PAIR"))
		}, "crm", "updated", ""},
		{"outbound", nil, "outreach", "updated", ""},
		{"pushing off", func(t *testing.T, s *Server) { setObject(t, s, "contact", map[string]any{"pushing": false}) }, "outreach", "skipped", "pushing is off for contact"},
		{"outboundUpdate off", func(t *testing.T, s *Server) { setObject(t, s, "contact", map[string]any{"outboundUpdate": false}) }, "outreach", "skipped", "outboundUpdate is off"},
		{"outboundUpdate condition", func(t *testing.T, s *Server) {
			createConditionT(t, s, "contact", "outboundUpdate", "optedOut", "equals", val(false))
		}, "outreach", "skipped", "outboundUpdate condition"},
		{"outboundUpdate conditions AND", func(t *testing.T, s *Server) {
			createConditionT(t, s, "contact", "outboundUpdate", "optedOut", "equals", val(true))
			createConditionT(t, s, "contact", "outboundUpdate", "title", "isNotBlank", nil)
		}, "outreach", "skipped", "title isNotBlank"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSandbox(t, Options{})
			createMappingT(t, s, "contact", "optedOut", "donotemail", nil)
			recID, pID := linkedPair(t, s, "contact", map[string]any{"lastname": "Pair"}, nil)
			if tc.setup != nil {
				tc.setup(t, s)
			}
			if tc.change == "crm" {
				if _, err := s.org.UpdateRecord("contact", recID, map[string]any{"donotemail": true}); err != nil {
					t.Fatal(err)
				}
			} else {
				patchProspectT(t, s, pID, map[string]any{"optedOut": true})
			}
			a := onlyAction(t, syncT(t, s))
			if a.Result != tc.result || !strings.Contains(a.Reason, tc.reason) {
				t.Fatalf("action %+v, want %s with reason ~%q", a, tc.result, tc.reason)
			}
		})
	}
}

// TestSyncInboundCreate: an unconnected record becomes a connected prospect when inboundCreate
// is on and its conditions hold.
func TestSyncInboundCreate(t *testing.T) {
	s := startSandbox(t, Options{})
	setObject(t, s, "contact", map[string]any{"inboundCreate": true})
	createConditionT(t, s, "contact", "inboundCreate", "donotemail", "equals", val(false))
	createMappingT(t, s, "contact", "firstName", "firstname", nil)
	out, _ := s.org.CreateRecord("contact", map[string]any{"firstname": "Out", "donotemail": true})
	in, _ := s.org.CreateRecord("contact", map[string]any{"firstname": "In"})
	// A lead is not created: lead's inboundCreate is off in the seed.
	lead, _ := s.org.CreateRecord("lead", map[string]any{"firstname": "Lead"})

	rep := syncT(t, s)
	if rep.Created != 1 || rep.Skipped != 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, a := range rep.Actions {
		switch a.RecordID {
		case out.ID:
			if a.Result != "skipped" || !strings.Contains(a.Reason, "donotemail equals false") || !strings.Contains(a.Reason, "donotemail is true") {
				t.Errorf("opted-out contact: %+v", a)
			}
		case in.ID:
			if a.Result != "created" || a.ProspectID == 0 {
				t.Fatalf("contact: %+v", a)
			}
			if got := connections(t, s, a.ProspectID); len(got) != 1 || got[0]["id"] != in.ID || got[0]["type"] != "contact" {
				t.Errorf("dataConnections %v", got)
			}
			if p := itemAt(t, s, "/api/v2/prospects/"+itoa(a.ProspectID)); p.Attributes["firstName"] != "In" {
				t.Errorf("prospect %v", p.Attributes)
			}
		case lead.ID:
			if a.Result != "skipped" || a.Reason != "inboundCreate is off for lead" {
				t.Errorf("lead: %+v", a)
			}
		}
	}
	if len(s.st.Prospects) != 1 {
		t.Errorf("%d prospects", len(s.st.Prospects))
	}
	if rep := syncT(t, s); len(rep.Actions) != 0 {
		t.Errorf("the created prospect came back as an Outreach change: %+v", rep.Actions)
	}
}

// TestSyncOutboundCreate: where an unconnected prospect's record is created, and when not.
func TestSyncOutboundCreate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lead    bool // outboundCreate on lead
		contact bool // outboundCreate on contact
		meta    map[string]any
		attrs   map[string]any
		cond    bool // outboundCreate condition optedOut equals false on both
		object  string
		result  string
		reason  string
	}{
		{name: "lead by default", lead: true, contact: true, object: "lead", result: "created"},
		{name: "contact when only contact creates", contact: true, object: "contact", result: "created"},
		{name: "meta.crmObject", lead: true, contact: true, meta: map[string]any{"crmObject": "contact"}, object: "contact", result: "created"},
		{name: "nobody creates", object: "lead", result: "skipped", reason: "outboundCreate is off for lead"},
		{name: "condition holds", lead: true, cond: true, object: "lead", result: "created"},
		{name: "condition fails", lead: true, cond: true, attrs: map[string]any{"optedOut": true}, object: "lead", result: "skipped", reason: "optedOut equals false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSandbox(t, Options{})
			setObject(t, s, "lead", map[string]any{"outboundCreate": tc.lead})
			setObject(t, s, "contact", map[string]any{"outboundCreate": tc.contact})
			if tc.cond {
				createConditionT(t, s, "lead", "outboundCreate", "optedOut", "equals", val(false))
			}
			createMappingT(t, s, tc.object, "lastName", "lastname", nil)
			attrs := map[string]any{"lastName": "Pushed"}
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			p := createProspectT(t, s, attrs, tc.meta)
			a := onlyAction(t, syncT(t, s))
			if a.Object != tc.object || a.Result != tc.result || !strings.Contains(a.Reason, tc.reason) {
				t.Fatalf("action %+v, want %s on %s (reason ~%q)", a, tc.result, tc.object, tc.reason)
			}
			conns := connections(t, s, p.ID)
			if tc.result != "created" {
				if len(conns) != 0 {
					t.Errorf("connected although skipped: %v", conns)
				}
				return
			}
			if len(conns) != 1 || conns[0]["type"] != tc.object || conns[0]["id"] != a.RecordID {
				t.Fatalf("dataConnections %v", conns)
			}
			if v := recordValues(t, s, tc.object, a.RecordID)["lastname"]; v != "Pushed" {
				t.Errorf("lastname %v", v)
			}
		})
	}
}

// TestSyncConflictKeepsDynamicsValue: a pair changed on both sides in one round.
func TestSyncConflictKeepsDynamicsValue(t *testing.T) {
	s := startSandbox(t, Options{})
	createMappingT(t, s, "contact", "firstName", "firstname", nil)
	recID, pID := linkedPair(t, s, "contact", map[string]any{"firstname": "Old"}, map[string]any{"firstName": "Old"})
	if _, err := s.org.UpdateRecord("contact", recID, map[string]any{"firstname": "Crm"}); err != nil {
		t.Fatal(err)
	}
	patchProspectT(t, s, pID, map[string]any{"firstName": "Outreach"})
	rep := syncT(t, s)
	if p := itemAt(t, s, "/api/v2/prospects/"+itoa(pID)); p.Attributes["firstName"] != "Crm" {
		t.Errorf("prospect firstName %v", p.Attributes["firstName"])
	}
	if v := recordValues(t, s, "contact", recID)["firstname"]; v != "Crm" {
		t.Errorf("record firstname %v", v)
	}
	if len(rep.Actions) != 2 || rep.Actions[1].Result != "unchanged" || len(rep.Actions[1].Notes) != 1 || !strings.Contains(rep.Actions[1].Notes[0], "conflict") {
		t.Errorf("report %+v", rep.Actions)
	}
}

// TestSyncConversionAndEmptyValues: types convert by catalog type; skip-empty and placeholders.
func TestSyncConversionAndEmptyValues(t *testing.T) {
	s := startSandbox(t, Options{})
	setObject(t, s, "lead", map[string]any{"inboundCreate": true})
	createMappingT(t, s, "lead", "custom1", "donotphone", nil)        // string ↔ boolean
	createMappingT(t, s, "lead", "custom2", "numberofemployees", nil) // string ↔ integer
	createMappingT(t, s, "lead", "custom3", "leadsourcecode", nil)    // string ↔ choice
	createMappingT(t, s, "lead", "title", "jobtitle", map[string]any{"skipEmptyIn": true})
	createMappingT(t, s, "lead", "company", "companyname", map[string]any{"emptyPlaceholder": "n/a"})
	createMappingT(t, s, "lead", "custom4", "description", map[string]any{"skipEmptyOut": true})
	rec, err := s.org.CreateRecord("lead", map[string]any{"donotphone": true, "numberofemployees": 250, "leadsourcecode": 8, "description": "met at a fair"})
	if err != nil {
		t.Fatal(err)
	}
	a := onlyAction(t, syncT(t, s))
	if a.Result != "created" {
		t.Fatalf("action %+v", a)
	}
	p := itemAt(t, s, "/api/v2/prospects/"+itoa(a.ProspectID))
	want := map[string]any{"custom1": "true", "custom2": "250", "custom3": "8", "title": nil, "company": "n/a", "custom4": "met at a fair"}
	for k, v := range want {
		if p.Attributes[k] != v {
			t.Errorf("prospect %s = %#v, want %#v", k, p.Attributes[k], v)
		}
	}
	if !slices.ContainsFunc(a.Notes, func(n string) bool { return strings.Contains(n, "title: the value is empty") }) {
		t.Errorf("no note on the skipped empty title: %v", a.Notes)
	}

	// Outbound: text converts back; text that is no number is skipped with a note; an empty
	// value with skipEmptyOut leaves the column alone.
	patchProspectT(t, s, p.ID, map[string]any{"custom1": "false", "custom2": "many", "custom4": nil})
	a = onlyAction(t, syncT(t, s))
	if a.Result != "updated" || !slices.Equal(a.Fields, []string{"donotphone"}) || len(a.Notes) != 2 {
		t.Fatalf("action %+v", a)
	}
	vals := recordValues(t, s, "lead", rec.ID)
	if vals["donotphone"] != false || vals["numberofemployees"] != float64(250) || vals["description"] != "met at a fair" {
		t.Errorf("record %v", vals)
	}

	// A value Dynamics refuses fails the update, with Dynamics' reason.
	patchProspectT(t, s, p.ID, map[string]any{"custom3": "99"})
	a = onlyAction(t, syncT(t, s))
	if a.Result != "failed" || !strings.Contains(a.Reason, "outside the valid range") {
		t.Fatalf("action %+v", a)
	}
}

// TestConditionHolds covers the operators of contract 3.5 on typed values.
func TestConditionHolds(t *testing.T) {
	cond := func(op string, value any, values ...any) *syncCondition {
		c := &syncCondition{Operator: op}
		if value != nil {
			c.Value, _ = json.Marshal(value)
		}
		for _, v := range values {
			raw, _ := json.Marshal(v)
			c.Values = append(c.Values, raw)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		c    *syncCondition
		typ  string
		v    any
		want bool
	}{
		{"boolean equals", cond("equals", false), fieldTypeBoolean, false, true},
		{"boolean equals true", cond("equals", false), fieldTypeBoolean, true, false},
		{"null boolean reads as false", cond("equals", false), fieldTypeBoolean, nil, true},
		{"boolean notEquals", cond("notEquals", true), fieldTypeBoolean, false, true},
		{"string equals ignores case", cond("equals", "ACME"), fieldTypeString, "acme", true},
		{"blank never equals", cond("equals", ""), fieldTypeString, nil, false},
		{"blank is notEquals", cond("notEquals", "x"), fieldTypeString, "", true},
		{"isBlank null", cond("isBlank", nil), fieldTypeString, nil, true},
		{"isBlank empty string", cond("isBlank", nil), fieldTypeString, "", true},
		{"isBlank false boolean", cond("isBlank", nil), fieldTypeBoolean, false, false},
		{"isNotBlank", cond("isNotBlank", nil), fieldTypeString, "x", true},
		{"contains", cond("contains", "corp"), fieldTypeString, "Acme Corp", true},
		{"notContains", cond("notContains", "corp"), fieldTypeString, "Acme Corp", false},
		{"notContains blank", cond("notContains", "corp"), fieldTypeString, nil, true},
		{"greaterThan integer", cond("greaterThan", 100), fieldTypeInteger, float64(250), true},
		{"lessThan integer", cond("lessThan", 100), fieldTypeInteger, float64(250), false},
		{"greaterThan blank", cond("greaterThan", 100), fieldTypeInteger, nil, false},
		{"lessThan blank", cond("lessThan", 100), fieldTypeInteger, nil, false},
		{"greaterThan decimal", cond("greaterThan", 1.5), fieldTypeDecimal, 1.75, true},
		{"greaterThan datetime", cond("greaterThan", "2025-01-01T00:00:00Z"), fieldTypeDate, "2025-06-01T12:00:00Z", true},
		{"lessThan datetime", cond("lessThan", "2025-01-01T00:00:00Z"), fieldTypeDate, "2025-06-01T12:00:00Z", false},
		{"in", cond("in", nil, "CA", "NY"), fieldTypeString, "ny", true},
		{"in miss", cond("in", nil, "CA", "NY"), fieldTypeString, "TX", false},
		{"notIn", cond("notIn", nil, "CA", "NY"), fieldTypeString, "TX", true},
		{"notIn blank", cond("notIn", nil, "CA"), fieldTypeString, nil, true},
		{"in choice", cond("in", nil, "7", "8"), fieldTypePick, float64(8), true},
		{"equals choice", cond("equals", "8"), fieldTypePick, float64(7), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := conditionHolds(tc.c, tc.typ, tc.v); got != tc.want {
				t.Errorf("conditionHolds(%s %s, %v) = %v", tc.c.Operator, tc.c.Value, tc.v, got)
			}
		})
	}
}

// TestSyncStatePersists: prospects, connections, records and the sync marks survive a restart,
// so a restarted sandbox does not sync everything again.
func TestSyncStatePersists(t *testing.T) {
	dir := t.TempDir()
	s1 := startSandbox(t, Options{StateDir: dir})
	createMappingT(t, s1, "contact", "optedOut", "donotemail", nil)
	recID, pID := linkedPair(t, s1, "contact", map[string]any{"lastname": "Durable"}, nil)
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := startSandbox(t, Options{StateDir: dir})
	if rep := s2.Sync(); rep.Round != 2 || len(rep.Actions) != 0 {
		t.Fatalf("first round after the restart: %+v", rep)
	}
	patchProspectT(t, s2, pID, map[string]any{"optedOut": true})
	s2.Sync()
	if v := recordValues(t, s2, "contact", recID)["donotbulkemail"]; v != true {
		t.Errorf("donotbulkemail %v after a restart", v)
	}
}
