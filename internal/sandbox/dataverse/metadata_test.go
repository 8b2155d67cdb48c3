package dataverse

import (
	"strings"
	"testing"
)

// TestColumnLifecycle walks a Boolean column through create → get (base, cast, expand) → PUT
// with merged labels → UpdateOptionValue → publish → delete, checking solution membership.
func TestColumnLifecycle(t *testing.T) {
	h := newHarness(t)
	id := h.create("contact", "new_SalesOptOut", "MSCRM.SolutionUniqueName", "OptOutSync")
	if r := h.do("POST", api+"EntityDefinitions(LogicalName='contact')/Attributes", booleanColumn("new_SalesOptOut")); r.status == 204 {
		t.Fatal("second create succeeded")
	}
	if got := h.org.Stats().MetadataWrites; got != 1 {
		t.Fatalf("MetadataWrites = %d, want 1", got)
	}

	// Base GET: AttributeMetadata properties only, with the derived type annotated.
	r := h.do("GET", attrPath("contact", "new_salesoptout"), nil, "Consistency", "Strong")
	expect(t, r, 200, "")
	for k, want := range map[string]any{
		"MetadataId": id, "LogicalName": "new_salesoptout", "SchemaName": "new_SalesOptOut",
		"AttributeType": "Boolean", "IsCustomAttribute": true, "IsManaged": false, "IsValidForUpdate": true,
		"IsValidForCreate": true, "IsValidForRead": true, "EntityLogicalName": "contact", "IntroducedVersion": "1.0.0.0",
		"@odata.type": "#Microsoft.Dynamics.CRM.BooleanAttributeMetadata",
	} {
		if r.body[k] != want {
			t.Errorf("%s = %v, want %v", k, r.body[k], want)
		}
	}
	if _, ok := r.body["DefaultValue"]; ok {
		t.Error("base GET has DefaultValue")
	}
	if got := str(r.body, "AttributeTypeName", "Value"); got != "BooleanType" {
		t.Errorf("AttributeTypeName = %q", got)
	}
	if got := str(r.body, "DisplayName", "UserLocalizedLabel", "Label"); got != "Sales Opt-Out" {
		t.Errorf("DisplayName = %q", got)
	}
	if got := str(r.body, "RequiredLevel", "ManagedPropertyLogicalName"); got != "canmodifyrequirementlevelsettings" {
		t.Errorf("RequiredLevel.ManagedPropertyLogicalName = %q", got)
	}
	if !strings.HasSuffix(str(r.body, "@odata.context"), "$metadata#EntityDefinitions('contact')/Attributes/$entity") {
		t.Errorf("@odata.context = %q", r.body["@odata.context"])
	}

	// Cast GET: DefaultValue, no OptionSet, no @odata.type; GUID keys work too.
	r = h.do("GET", api+"EntityDefinitions("+h.tableID("contact")+")/Attributes("+id+")"+booleanCast, nil)
	expect(t, r, 200, "")
	if r.body["DefaultValue"] != false || r.body["@odata.type"] != nil || r.body["OptionSet"] != nil {
		t.Errorf("cast GET: DefaultValue=%v @odata.type=%v OptionSet=%v", r.body["DefaultValue"], r.body["@odata.type"], r.body["OptionSet"])
	}

	// Cast GET with $expand=OptionSet.
	r = h.do("GET", attrPath("contact", "new_salesoptout")+booleanCast+"?$expand=OptionSet", nil)
	expect(t, r, 200, "")
	os, _ := r.body["OptionSet"].(map[string]any)
	if os == nil {
		t.Fatalf("no OptionSet: %s", r.raw)
	}
	if os["Name"] != "contact_new_salesoptout" || os["OptionSetType"] != "Boolean" || os["IsGlobal"] != false {
		t.Errorf("OptionSet = %v", os)
	}
	if got := str(os, "TrueOption", "Label", "UserLocalizedLabel", "Label"); got != "Opted Out" {
		t.Errorf("TrueOption label = %q", got)
	}
	if dig(os, "TrueOption", "Value") != 1.0 || dig(os, "FalseOption", "Value") != 0.0 {
		t.Errorf("option values: %v / %v", dig(os, "TrueOption", "Value"), dig(os, "FalseOption", "Value"))
	}
	if !strings.HasSuffix(str(r.body, "@odata.context"), "/Attributes/Microsoft.Dynamics.CRM.BooleanAttributeMetadata(OptionSet)/$entity") {
		t.Errorf("@odata.context = %q", r.body["@odata.context"])
	}

	// PUT the retrieved definition back (as the samples do: drop @odata.context, add
	// @odata.type) with a German label merged in and a new default; option changes are ignored.
	def := r.body
	delete(def, "@odata.context")
	def["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
	def["DisplayName"] = labelBody("Verkaufs-Opt-out", 1031)
	def["DefaultValue"] = true
	object(def, "OptionSet")["TrueOption"] = map[string]any{"Value": 1, "Label": labelBody("Changed", 1033)}
	r = h.do("PUT", attrPath("contact", "new_salesoptout"), def, "MSCRM.MergeLabels", "true", "MSCRM.SolutionUniqueName", "OptOutSync")
	expect(t, r, 204, "")
	if got := r.header.Get("OData-EntityId"); !strings.HasSuffix(got, "/EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_salesoptout')") {
		t.Errorf("PUT OData-EntityId = %q", got)
	}
	if got := h.org.Stats().Unpublished; got != 1 {
		t.Errorf("Unpublished after PUT = %d, want 1", got)
	}
	r = h.do("GET", attrPath("contact", "new_salesoptout")+booleanCast+"?$expand=OptionSet&$select=DisplayName,DefaultValue", nil)
	expect(t, r, 200, "")
	if r.body["DefaultValue"] != true {
		t.Errorf("DefaultValue = %v after PUT", r.body["DefaultValue"])
	}
	if labels := localizedLabels(t, r.body, "DisplayName"); len(labels) != 2 {
		t.Errorf("merged labels = %v, want 1033 and 1031", labels)
	}
	if got := str(r.body, "OptionSet", "TrueOption", "Label", "UserLocalizedLabel", "Label"); got != "Opted Out" {
		t.Errorf("PUT changed the TrueOption label to %q", got)
	}
	if _, ok := r.body["SchemaName"]; ok {
		t.Error("$select not applied")
	}

	// UpdateOptionValue changes the option label.
	r = h.do("POST", api+"UpdateOptionValue", map[string]any{
		"AttributeLogicalName": "new_salesoptout", "EntityLogicalName": "contact", "Value": 1,
		"Label": labelBody("Do Not Sync", 1033), "MergeLabels": true,
	})
	expect(t, r, 204, "")
	r = h.do("GET", attrPath("contact", "new_salesoptout")+booleanCast+"?$expand=OptionSet", nil)
	if got := str(r.body, "OptionSet", "TrueOption", "Label", "UserLocalizedLabel", "Label"); got != "Do Not Sync" {
		t.Errorf("TrueOption label = %q after UpdateOptionValue", got)
	}

	// Publish the table.
	r = h.do("POST", api+"PublishXml", map[string]any{"ParameterXml": "<importexportxml><entities><entity>contact</entity></entities></importexportxml>"})
	expect(t, r, 204, "")
	if s := h.org.Stats(); s.Publishes != 1 || s.Unpublished != 0 || s.MetadataWrites != 3 {
		t.Errorf("stats after publish = %+v", s)
	}

	// The column is in OptOutSync.
	sol := h.do("GET", api+"solutions?$filter=uniquename eq 'OptOutSync'&$select=solutionid,uniquename,ismanaged&$expand=publisherid($select=customizationprefix)", nil)
	expect(t, sol, 200, "")
	rows := values(sol)
	if len(rows) != 1 || rows[0]["ismanaged"] != false || str(rows[0], "publisherid", "customizationprefix") != "new" {
		t.Fatalf("solutions = %s", sol.raw)
	}
	solID := str(rows[0], "solutionid")
	membership := api + "solutioncomponents?$filter=_solutionid_value eq " + solID + " and objectid eq " + id + "&$select=solutioncomponentid,componenttype"
	r = h.do("GET", membership, nil)
	expect(t, r, 200, "")
	if rows := values(r); len(rows) != 1 || rows[0]["componenttype"] != 2.0 {
		t.Fatalf("solutioncomponents = %s", r.raw)
	}

	// Delete: gone from the table and from the solution.
	expect(t, h.do("DELETE", attrPath("contact", "new_salesoptout"), nil), 204, "")
	expect(t, h.do("GET", attrPath("contact", "new_salesoptout"), nil), 404, codeObjectDoesNotExist)
	if rows := values(h.do("GET", membership, nil)); len(rows) != 0 {
		t.Errorf("component still in the solution: %v", rows)
	}
	if _, ok := h.org.Columns("contact"); !ok {
		t.Fatal("contact vanished")
	}
	for _, c := range mustColumns(t, h.org, "contact") {
		if c.LogicalName == "new_salesoptout" {
			t.Error("Columns still lists the deleted column")
		}
	}
}

func (h *harness) tableID(entity string) string {
	h.t.Helper()
	r := h.do("GET", api+"EntityDefinitions(LogicalName='"+entity+"')?$select=MetadataId,LogicalName", nil)
	expect(h.t, r, 200, "")
	id := str(r.body, "MetadataId")
	if id == "" {
		h.t.Fatalf("no MetadataId for %s: %s", entity, r.raw)
	}
	return id
}

func mustColumns(t *testing.T, o *Org, entity string) []Column {
	t.Helper()
	cols, ok := o.Columns(entity)
	if !ok {
		t.Fatalf("no table %s", entity)
	}
	return cols
}

func TestCreateValidation(t *testing.T) {
	with := func(schemaName string, edit func(map[string]any)) map[string]any {
		b := booleanColumn(schemaName)
		if edit != nil {
			edit(b)
		}
		return b
	}
	tests := []struct {
		name     string
		entity   string
		body     any
		headers  []string
		status   int
		code     string
		contains string
	}{
		{"no prefix", "lead", with("SalesOptOut", nil), nil, 400, codePrefix, "prefix"},
		{"unknown prefix", "lead", with("foo_SalesOptOut", nil), nil, 400, codePrefix, "foo_SalesOptOut"},
		{"empty after prefix", "lead", with("new_", nil), nil, 400, codePrefix, ""},
		{"prefix of another publisher", "lead", with("new_SalesOptOut", nil), []string{"MSCRM.SolutionUniqueName", "ContosoSolution"}, 400, codePrefix, "cont_"},
		{"prefix of the solution's publisher", "lead", with("cont_SalesOptOut", nil), []string{"MSCRM.SolutionUniqueName", "ContosoSolution"}, 204, "", ""},
		{"unknown solution", "lead", with("new_SalesOptOut", nil), []string{"MSCRM.SolutionUniqueName", "NoSuchSolution"}, 404, codeObjectDoesNotExist, "NoSuchSolution"},
		{"managed solution", "lead", with("new_SalesOptOut", nil), []string{"MSCRM.SolutionUniqueName", "System"}, 400, codeInvalidArgument, "managed"},
		{"bad charset", "lead", with("new_Sales-OptOut", nil), nil, 400, codeInvalidArgument, "SchemaName"},
		{"leading digit", "lead", with("1new_x", nil), nil, 400, codeInvalidArgument, "SchemaName"},
		{"too long", "lead", with("new_"+strings.Repeat("x", 47), nil), nil, 400, codeInvalidArgument, "50"},
		{"fifty is fine", "lead", with("new_"+strings.Repeat("x", 46), nil), nil, 204, "", ""},
		{"duplicate, other case", "lead", with("NEW_EXISTING", nil), nil, 400, codeDuplicateAttribute, "already exists"},
		{"no @odata.type", "lead", with("new_x", func(b map[string]any) { delete(b, "@odata.type"); delete(b, "OptionSet"); delete(b, "DefaultValue") }), nil, 400, codeInvalidArgument, "@odata.type"},
		{"no @odata.type with typed properties", "lead", with("new_x", func(b map[string]any) { delete(b, "@odata.type") }), nil, 400, codePayload, "does not exist on type 'Microsoft.Dynamics.CRM.AttributeMetadata'"},
		{"unresolvable type", "lead", with("new_x", func(b map[string]any) { b["@odata.type"] = "Microsoft.Dynamics.CRM.Nope" }), nil, 400, codePayload, "could not be resolved"},
		{"string column", "lead", with("new_x", func(b map[string]any) {
			b["@odata.type"] = "#Microsoft.Dynamics.CRM.StringAttributeMetadata"
			delete(b, "OptionSet")
			delete(b, "DefaultValue")
		}), nil, 400, codeInvalidArgument, "not supported by this sandbox"},
		{"unknown property", "lead", with("new_x", func(b map[string]any) { b["Colour"] = "red" }), nil, 400, codePayload, "'Colour' does not exist"},
		{"odata.context", "lead", with("new_x", func(b map[string]any) { b["@odata.context"] = "x" }), nil, 400, codePayload, "odata.context"},
		{"no display name", "lead", with("new_x", func(b map[string]any) { b["DisplayName"] = labelBody() }), nil, 400, codeInvalidArgument, "DisplayName"},
		{"no option set", "lead", with("new_x", func(b map[string]any) { delete(b, "OptionSet") }), nil, 400, codeInvalidArgument, "OptionSet"},
		{"no false option", "lead", with("new_x", func(b map[string]any) { delete(object(b, "OptionSet"), "FalseOption") }), nil, 400, codeInvalidArgument, "FalseOption"},
		{"true option value 2", "lead", with("new_x", func(b map[string]any) {
			object(b, "OptionSet")["TrueOption"] = map[string]any{"Value": 2, "Label": labelBody("x", 1033)}
		}), nil, 400, codeInvalidArgument, "TrueOption"},
		{"bad default type", "lead", with("new_x", func(b map[string]any) { b["DefaultValue"] = "yes" }), nil, 400, codePayload, "Edm.Boolean"},
		{"system required", "lead", with("new_x", func(b map[string]any) { b["RequiredLevel"] = map[string]any{"Value": "SystemRequired"} }), nil, 400, codeInvalidArgument, "SystemRequired"},
		{"minimal body", "lead", map[string]any{
			"@odata.type": "Microsoft.Dynamics.CRM.BooleanAttributeMetadata", "SchemaName": "new_Minimal",
			"DisplayName": map[string]any{"LocalizedLabels": []any{map[string]any{"Label": "Minimal"}}},
			"OptionSet": map[string]any{"TrueOption": map[string]any{"Label": labelBody("Yes", 1033)},
				"FalseOption": map[string]any{"Label": labelBody("No", 1033)}},
		}, nil, 204, "", ""},
		{"invalid JSON", "lead", "{", nil, 400, codePayload, "Invalid JSON"},
		{"unknown table", "nosuchtable", with("new_x", nil), nil, 404, codeObjectDoesNotExist, "nosuchtable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.org.mu.Lock()
			contoso := &publisher{ID: newGUID(), UniqueName: "contoso", FriendlyName: "Contoso", Prefix: "cont"}
			h.org.st.Publishers = append(h.org.st.Publishers, contoso)
			h.org.st.Solutions = append(h.org.st.Solutions, &solution{ID: newGUID(), UniqueName: "ContosoSolution", PublisherID: contoso.ID})
			h.org.mu.Unlock()
			h.create("lead", "new_Existing")

			r := h.do("POST", api+"EntityDefinitions(LogicalName='"+tc.entity+"')/Attributes", tc.body, tc.headers...)
			expect(t, r, tc.status, tc.code)
			if !strings.Contains(r.errMsg(), tc.contains) {
				t.Errorf("message %q does not contain %q", r.errMsg(), tc.contains)
			}
			wantWrites := 1
			if tc.status == 204 {
				wantWrites = 2
			}
			if got := h.org.Stats().MetadataWrites; got != wantWrites {
				t.Errorf("MetadataWrites = %d, want %d", got, wantWrites)
			}
		})
	}
}

func TestMinimalCreateDefaults(t *testing.T) {
	h := newHarness(t)
	r := h.do("POST", api+"EntityDefinitions(LogicalName='lead')/Attributes", map[string]any{
		"@odata.type": "Microsoft.Dynamics.CRM.BooleanAttributeMetadata", "SchemaName": "new_Minimal",
		"DisplayName": map[string]any{"LocalizedLabels": []any{map[string]any{"Label": "Minimal"}}},
		"OptionSet": map[string]any{"TrueOption": map[string]any{"Label": labelBody("Yes", 1033)},
			"FalseOption": map[string]any{"Label": labelBody("No", 1033)}},
	})
	expect(t, r, 204, "")
	r = h.do("GET", attrPath("lead", "new_minimal")+booleanCast, nil)
	expect(t, r, 200, "")
	if r.body["DefaultValue"] != false || str(r.body, "RequiredLevel", "Value") != "None" {
		t.Errorf("defaults: DefaultValue=%v RequiredLevel=%v", r.body["DefaultValue"], dig(r.body, "RequiredLevel", "Value"))
	}
	if got := localizedLabels(t, r.body, "DisplayName")[0]["LanguageCode"]; got != 1033.0 {
		t.Errorf("LanguageCode = %v, want 1033", got)
	}
	if labels := localizedLabels(t, r.body, "Description"); len(labels) != 0 || dig(r.body, "Description", "UserLocalizedLabel") != nil {
		t.Errorf("Description = %v", r.body["Description"])
	}
}

func TestUpdateRules(t *testing.T) {
	type body = map[string]any
	// current returns the column as a client would PUT it back.
	current := func(h *harness, entity, attr, cast string) body {
		r := h.do("GET", attrPath(entity, attr)+cast, nil)
		expect(t, r, 200, "")
		b := r.body
		delete(b, "@odata.context")
		return b
	}
	tests := []struct {
		name     string
		attr     string
		method   string
		edit     func(b body)
		cast     string
		headers  []string
		status   int
		code     string
		contains string
		check    func(t *testing.T, h *harness)
	}{
		{name: "without @odata.type", attr: "new_flag", cast: booleanCast, edit: func(b body) {}, status: 400, code: codePayload,
			contains: "The property 'DefaultValue' does not exist on type 'Microsoft.Dynamics.CRM.AttributeMetadata'"},
		{name: "without @odata.type or typed properties", attr: "new_flag", edit: func(b body) { delete(b, "@odata.type") }, status: 400, code: codeInvalidArgument,
			contains: "@odata.type"},
		{name: "with @odata.context", attr: "new_flag", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			b["@odata.context"] = "x"
		},
			status: 400, code: codePayload, contains: "odata.context"},
		{name: "change SchemaName", attr: "new_flag", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			b["SchemaName"] = "new_Other"
		},
			status: 400, code: codeInvalidArgument, contains: "SchemaName"},
		{name: "change LogicalName", attr: "new_flag", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			b["LogicalName"] = "new_other"
		},
			status: 400, code: codeInvalidArgument, contains: "LogicalName"},
		{name: "change AttributeType", attr: "new_flag", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			b["AttributeType"] = "String"
		},
			status: 400, code: codeInvalidArgument, contains: "AttributeType"},
		{name: "change type by @odata.type", attr: "new_flag", edit: func(b body) { b["@odata.type"] = "Microsoft.Dynamics.CRM.StringAttributeMetadata" },
			status: 400, code: codeInvalidArgument, contains: "cannot be changed"},
		{name: "change IsCustomAttribute", attr: "new_flag", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			b["IsCustomAttribute"] = false
		}, status: 400, code: codeInvalidArgument, contains: "IsCustomAttribute"},
		{name: "PATCH", attr: "new_flag", method: "PATCH", cast: booleanCast, edit: func(b body) { b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata" },
			status: 405, code: codeODataError, contains: "does not support http method 'PATCH'"},
		{name: "replace labels", attr: "new_flag", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			b["DisplayName"] = labelBody("Drapeau", 1036)
			delete(b, "Description")
		}, status: 204, check: func(t *testing.T, h *harness) {
			r := h.do("GET", attrPath("lead", "new_flag"), nil)
			if got := localizedLabels(t, r.body, "DisplayName"); len(got) != 1 || str(r.body, "DisplayName", "UserLocalizedLabel", "Label") != "Drapeau" {
				t.Errorf("DisplayName after replace = %v", r.body["DisplayName"])
			}
			if got := localizedLabels(t, r.body, "Description"); len(got) != 0 {
				t.Errorf("Description not cleared by a PUT without it: %v", got)
			}
		}},
		{name: "absent DefaultValue resets it", attr: "new_flag", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			delete(b, "DefaultValue")
		}, status: 204, check: func(t *testing.T, h *harness) {
			if r := h.do("GET", attrPath("lead", "new_flag")+booleanCast, nil); r.body["DefaultValue"] != false {
				t.Errorf("DefaultValue = %v", r.body["DefaultValue"])
			}
		}},
		{name: "system column required level", attr: "donotemail", cast: booleanCast, edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"
			b["RequiredLevel"] = body{"Value": "Recommended"}
		}, status: 204},
		{name: "locked required level", attr: "ownerid", cast: "/Microsoft.Dynamics.CRM.LookupAttributeMetadata", edit: func(b body) {
			b["@odata.type"] = "Microsoft.Dynamics.CRM.LookupAttributeMetadata"
			b["RequiredLevel"] = body{"Value": "None"}
		}, status: 400, code: codeInvalidArgument, contains: "RequiredLevel"},
		{name: "unknown solution", attr: "new_flag", cast: booleanCast, headers: []string{"MSCRM.SolutionUniqueName", "Nope"},
			edit: func(b body) { b["@odata.type"] = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata" }, status: 404, code: codeObjectDoesNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.create("lead", "new_Flag")
			b := current(h, "lead", tc.attr, tc.cast)
			tc.edit(b)
			method := tc.method
			if method == "" {
				method = "PUT"
			}
			r := h.do(method, attrPath("lead", tc.attr), b, tc.headers...)
			expect(t, r, tc.status, tc.code)
			if !strings.Contains(r.errMsg(), tc.contains) {
				t.Errorf("message %q does not contain %q", r.errMsg(), tc.contains)
			}
			if tc.check != nil {
				tc.check(t, h)
			}
		})
	}
}

func TestDeleteRules(t *testing.T) {
	h := newHarness(t)
	id := h.create("lead", "new_Blocked")

	r := h.do("DELETE", attrPath("lead", "donotemail"), nil)
	expect(t, r, 400, codeProtected)

	if err := h.org.AddDependencies("lead", "new_blocked", 3); err != nil {
		t.Fatal(err)
	}
	r = h.do("DELETE", attrPath("lead", "new_blocked"), nil)
	expect(t, r, 400, codeInUse)
	want := "The Attribute(" + id + ") component cannot be deleted because it is referenced by 3 other components. For a list of referenced components, use the RetrieveDependenciesForDeleteRequest."
	if r.errMsg() != want {
		t.Errorf("message\n got %q\nwant %q", r.errMsg(), want)
	}

	if err := h.org.AddDependencies("lead", "new_blocked", -3); err != nil {
		t.Fatal(err)
	}
	expect(t, h.do("DELETE", api+"EntityDefinitions("+h.tableID("lead")+")/Attributes("+id+")", nil), 204, "")
	expect(t, h.do("DELETE", attrPath("lead", "new_blocked"), nil), 404, codeObjectDoesNotExist)

	if err := h.org.AddDependencies("lead", "nosuch", 1); err == nil {
		t.Error("AddDependencies on a missing column succeeded")
	}
	if err := h.org.AddDependencies("nosuch", "x", 1); err == nil {
		t.Error("AddDependencies on a missing table succeeded")
	}
}

func TestActionsValidation(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   any
		status int
		code   string
	}{
		{"UpdateOptionValue unknown table", "UpdateOptionValue", map[string]any{"EntityLogicalName": "nope", "AttributeLogicalName": "donotemail", "Value": 1, "Label": labelBody("x", 1033), "MergeLabels": true}, 404, codeObjectDoesNotExist},
		{"UpdateOptionValue unknown column", "UpdateOptionValue", map[string]any{"EntityLogicalName": "lead", "AttributeLogicalName": "nope", "Value": 1, "Label": labelBody("x", 1033), "MergeLabels": true}, 404, codeObjectDoesNotExist},
		{"UpdateOptionValue value 2", "UpdateOptionValue", map[string]any{"EntityLogicalName": "lead", "AttributeLogicalName": "donotemail", "Value": 2, "Label": labelBody("x", 1033), "MergeLabels": true}, 400, codeInvalidArgument},
		{"UpdateOptionValue no label", "UpdateOptionValue", map[string]any{"EntityLogicalName": "lead", "AttributeLogicalName": "donotemail", "Value": 0, "MergeLabels": true}, 400, codeInvalidArgument},
		{"UpdateOptionValue string column", "UpdateOptionValue", map[string]any{"EntityLogicalName": "lead", "AttributeLogicalName": "firstname", "Value": 0, "Label": labelBody("x", 1033)}, 400, codeInvalidArgument},
		{"UpdateOptionValue bad parameter", "UpdateOptionValue", map[string]any{"EntityLogicalName": "lead", "AttributeLogicalName": "donotemail", "Value": 0, "Label": labelBody("x", 1033), "Merge": true}, 400, codePayload},
		{"UpdateOptionValue picklist", "UpdateOptionValue", map[string]any{"EntityLogicalName": "lead", "AttributeLogicalName": "leadsourcecode", "Value": 8, "Label": labelBody("Website", 1033), "MergeLabels": false}, 204, ""},
		{"PublishXml bad XML", "PublishXml", map[string]any{"ParameterXml": "<importexportxml><entities>"}, 400, codeInvalidArgument},
		{"PublishXml wrong root", "PublishXml", map[string]any{"ParameterXml": "<publish/>"}, 400, codeInvalidArgument},
		{"PublishXml unknown table", "PublishXml", map[string]any{"ParameterXml": "<importexportxml><entities><entity>nope</entity></entities></importexportxml>"}, 404, codeObjectDoesNotExist},
		{"PublishXml missing", "PublishXml", map[string]any{}, 400, codeInvalidArgument},
		{"PublishAllXml", "PublishAllXml", map[string]any{}, 204, ""},
		{"AddSolutionComponent unknown solution", "AddSolutionComponent", map[string]any{"ComponentId": nameGUID("attribute", "lead", "donotemail"), "ComponentType": 2, "SolutionUniqueName": "Nope", "AddRequiredComponents": false}, 404, codeObjectDoesNotExist},
		{"AddSolutionComponent unknown component", "AddSolutionComponent", map[string]any{"ComponentId": newGUID(), "ComponentType": 2, "SolutionUniqueName": "OptOutSync", "AddRequiredComponents": false}, 404, codeObjectDoesNotExist},
		{"AddSolutionComponent managed", "AddSolutionComponent", map[string]any{"ComponentId": nameGUID("attribute", "lead", "donotemail"), "ComponentType": 2, "SolutionUniqueName": "System", "AddRequiredComponents": false}, 400, codeInvalidArgument},
		{"AddSolutionComponent missing parameter", "AddSolutionComponent", map[string]any{"ComponentId": nameGUID("attribute", "lead", "donotemail"), "ComponentType": 2, "SolutionUniqueName": "OptOutSync"}, 400, codeInvalidArgument},
		{"AddSolutionComponent bad type", "AddSolutionComponent", map[string]any{"ComponentId": nameGUID("attribute", "lead", "donotemail"), "ComponentType": 61, "SolutionUniqueName": "OptOutSync", "AddRequiredComponents": false}, 400, codeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			expect(t, h.do("POST", api+tc.path, tc.body), tc.status, tc.code)
		})
	}
}

func TestAddSolutionComponent(t *testing.T) {
	h := newHarness(t)
	id := h.create("lead", "new_Loose") // no solution header: not in OptOutSync yet
	add := map[string]any{"ComponentId": id, "ComponentType": 2, "SolutionUniqueName": "OptOutSync", "AddRequiredComponents": false}
	r := h.do("POST", api+"AddSolutionComponent", add)
	expect(t, r, 200, "")
	compID := str(r.body, "id")
	if !isGUID(compID) || !strings.HasSuffix(str(r.body, "@odata.context"), "$metadata#Microsoft.Dynamics.CRM.AddSolutionComponentResponse") {
		t.Fatalf("response %s", r.raw)
	}
	if again := h.do("POST", api+"AddSolutionComponent", add); str(again.body, "id") != compID {
		t.Errorf("adding twice gave a new component id")
	}
	r = h.do("GET", api+"solutioncomponents?$filter=objectid eq "+id, nil)
	if rows := values(r); len(rows) != 1 || rows[0]["solutioncomponentid"] != compID {
		t.Errorf("solutioncomponents = %s", r.raw)
	}
}

func TestQueries(t *testing.T) {
	h := newHarness(t)
	h.create("contact", "new_SalesOptOut")
	attrs := api + "EntityDefinitions(LogicalName='contact')/Attributes"
	tests := []struct {
		name   string
		path   string
		status int
		code   string
		check  func(t *testing.T, r result)
	}{
		{"Boolean columns", attrs + "?$select=LogicalName&$filter=AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Boolean'", 200, "", func(t *testing.T, r result) {
			got := map[string]bool{}
			for _, v := range values(r) {
				if v["@odata.type"] != "#Microsoft.Dynamics.CRM.BooleanAttributeMetadata" || v["MetadataId"] == nil || len(v) != 3 {
					t.Errorf("item %v", v)
				}
				got[str(v, "LogicalName")] = true
			}
			for _, want := range []string{"donotbulkemail", "donotbulkpostalmail", "donotemail", "donotfax", "donotphone", "donotpostalmail", "donotsendmm", "followemail", "creditonhold", "new_salesoptout"} {
				if !got[want] {
					t.Errorf("missing %s in %v", want, got)
				}
			}
			if got["firstname"] {
				t.Error("firstname is not Boolean")
			}
		}},
		{"custom columns", attrs + "?$select=LogicalName&$filter=IsCustomAttribute eq true", 200, "", func(t *testing.T, r result) {
			if v := values(r); len(v) != 1 || v[0]["LogicalName"] != "new_salesoptout" {
				t.Errorf("value = %v", v)
			}
		}},
		{"by logical name", attrs + "?$filter=LogicalName eq 'donotemail'", 200, "", func(t *testing.T, r result) {
			if v := values(r); len(v) != 1 || v[0]["SchemaName"] != "DoNotEMail" {
				t.Errorf("value = %v", v)
			}
		}},
		{"and/or/not/parentheses", attrs + "?$select=LogicalName&$filter=(LogicalName eq 'donotemail' or LogicalName eq 'firstname') and not (IsValidForUpdate eq false)", 200, "", func(t *testing.T, r result) {
			if v := values(r); len(v) != 2 {
				t.Errorf("value = %v", v)
			}
		}},
		{"required level", attrs + "?$select=LogicalName&$filter=RequiredLevel/Value eq Microsoft.Dynamics.CRM.AttributeRequiredLevel'ApplicationRequired'", 200, "", func(t *testing.T, r result) {
			if v := values(r); len(v) != 1 || v[0]["LogicalName"] != "lastname" {
				t.Errorf("value = %v", v)
			}
		}},
		{"cast collection", attrs + booleanCast + "?$select=LogicalName,DefaultValue&$filter=LogicalName eq 'followemail'", 200, "", func(t *testing.T, r result) {
			v := values(r)
			if len(v) != 1 || v[0]["DefaultValue"] != true || v[0]["@odata.type"] != nil {
				t.Errorf("value = %v", v)
			}
		}},
		{"enum as string", attrs + "?$filter=AttributeType eq 'Boolean'", 400, codeODataError, func(t *testing.T, r result) {
			if !strings.Contains(r.errMsg(), "incompatible types") {
				t.Error(r.errMsg())
			}
		}},
		{"quoted GUID", api + "solutioncomponents?$filter=objectid eq '" + newGUID() + "'", 400, codeODataError, nil},
		{"unknown filter property", attrs + "?$filter=Colour eq 'red'", 400, codeODataError, nil},
		{"function", attrs + "?$filter=startswith(LogicalName,'new_')", 400, codeODataError, nil},
		{"syntax", attrs + "?$filter=LogicalName eq", 400, codeODataError, nil},
		{"unknown enum member", attrs + "?$filter=AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Bool'", 400, codeODataError, nil},
		{"select wrong case", attrs + "?$select=logicalname", 400, codePropertyNotFound, nil},
		{"select type property on base", attrs + "?$select=DefaultValue", 400, codePropertyNotFound, nil},
		{"top", attrs + "?$top=5", 400, codeODataError, nil},
		{"expand on base", attrPath("contact", "donotemail") + "?$expand=OptionSet", 400, codePropertyNotFound, nil},
		{"cast mismatch", attrPath("contact", "firstname") + booleanCast, 404, codeObjectDoesNotExist, nil},
		{"string cast", attrPath("contact", "firstname") + "/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=MaxLength", 200, "", func(t *testing.T, r result) {
			if r.body["MaxLength"] != 50.0 {
				t.Errorf("MaxLength = %v", r.body["MaxLength"])
			}
		}},
		{"unknown cast", attrPath("contact", "firstname") + "/Microsoft.Dynamics.CRM.FooAttributeMetadata", 404, codeResourceNotFound, nil},
		{"unknown column", attrPath("contact", "nope"), 404, codeObjectDoesNotExist, nil},
		{"entity", api + "EntityDefinitions(LogicalName='lead')?$select=LogicalName,EntitySetName,PrimaryIdAttribute", 200, "", func(t *testing.T, r result) {
			if r.body["EntitySetName"] != "leads" || r.body["PrimaryIdAttribute"] != "leadid" || r.body["MetadataId"] == nil || r.body["DisplayName"] != nil {
				t.Errorf("entity = %s", r.raw)
			}
		}},
		{"entity with attributes", api + "EntityDefinitions(LogicalName='lead')?$select=LogicalName&$expand=Attributes($select=LogicalName;$filter=IsValidForUpdate eq false)", 200, "", func(t *testing.T, r result) {
			list, _ := r.body["Attributes"].([]any)
			names := map[string]bool{}
			for _, a := range list {
				m, _ := a.(map[string]any)
				names[str(m, "LogicalName")] = true
			}
			for _, want := range []string{"leadid", "fullname", "createdon", "modifiedon"} {
				if !names[want] {
					t.Errorf("%s missing from %v", want, names)
				}
			}
			if names["firstname"] {
				t.Error("filter not applied in $expand")
			}
		}},
		{"entities", api + "EntityDefinitions?$select=LogicalName&$filter=ObjectTypeCode lt 5", 200, "", func(t *testing.T, r result) {
			if v := values(r); len(v) != 4 {
				t.Errorf("value = %v", v)
			}
		}},
		{"unknown table", api + "EntityDefinitions(LogicalName='nope')", 404, codeObjectDoesNotExist, func(t *testing.T, r result) {
			if !strings.Contains(r.errMsg(), "Could not find entity with name 'nope'") {
				t.Error(r.errMsg())
			}
		}},
		{"unknown table by id", api + "EntityDefinitions(" + newGUID() + ")", 404, codeObjectDoesNotExist, nil},
		{"string key", api + "EntityDefinitions('lead')", 400, codeODataError, nil},
		{"unknown segment", api + "Account", 404, codeResourceNotFound, func(t *testing.T, r result) {
			if r.errMsg() != "Resource not found for the segment 'Account'." {
				t.Error(r.errMsg())
			}
		}},
		{"unknown navigation", api + "EntityDefinitions(LogicalName='lead')/Forms", 404, codeResourceNotFound, nil},
		{"relationships are empty", api + "EntityDefinitions(LogicalName='lead')/ManyToOneRelationships", 200, "", nil},
		{"WhoAmI", api + "WhoAmI", 200, "", func(t *testing.T, r result) {
			for _, k := range []string{"BusinessUnitId", "UserId", "OrganizationId"} {
				if !isGUID(str(r.body, k)) {
					t.Errorf("%s = %v", k, r.body[k])
				}
			}
		}},
		{"solution by id", api + "solutions(" + nameGUID("solution", "OptOutSync") + ")?$select=uniquename", 200, "", func(t *testing.T, r result) {
			if r.body["uniquename"] != "OptOutSync" || r.body["@odata.etag"] == nil {
				t.Errorf("solution = %s", r.raw)
			}
		}},
		{"solution select unknown", api + "solutions?$select=prefix", 400, codePropertyNotFound, nil},
		{"solution filter case-insensitive", api + "solutions?$filter=uniquename eq 'optoutsync'", 200, "", func(t *testing.T, r result) {
			if len(values(r)) != 1 {
				t.Errorf("value = %s", r.raw)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("GET", tc.path, nil)
			expect(t, r, tc.status, tc.code)
			if r.header.Get("OData-Version") != "4.0" {
				t.Error("no OData-Version header")
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
	// Wrong methods.
	expect(t, h.do("POST", api+"WhoAmI", map[string]any{}), 404, "")
	expect(t, h.do("GET", api+"PublishXml", nil), 404, "")
}

func TestSeededOptOutColumns(t *testing.T) {
	h := newHarness(t)
	want := map[string]map[string][3]any{ // display, true label, false label... default in [2]
		"contact": {
			"donotbulkemail":      {"Do not allow Bulk Emails", "Do Not Allow/Allow", false},
			"donotbulkpostalmail": {"Do not allow Bulk Mails", "Yes/No", false},
			"donotemail":          {"Do not allow Emails", "Do Not Allow/Allow", false},
			"donotfax":            {"Do not allow Faxes", "Do Not Allow/Allow", false},
			"donotphone":          {"Do not allow Phone Calls", "Do Not Allow/Allow", false},
			"donotpostalmail":     {"Do not allow Mails", "Do Not Allow/Allow", false},
			"donotsendmm":         {"Send Marketing Materials", "Do Not Send/Send", false},
			"followemail":         {"Follow Email Activity", "Allow/Do Not Allow", true},
		},
		"lead": {
			"donotbulkemail":  {"Do not allow Bulk Emails", "Do Not Allow/Allow", false},
			"donotemail":      {"Do not allow Emails", "Do Not Allow/Allow", false},
			"donotfax":        {"Do not allow Faxes", "Do Not Allow/Allow", false},
			"donotphone":      {"Do not allow Phone Calls", "Do Not Allow/Allow", false},
			"donotpostalmail": {"Do not allow Mails", "Do Not Allow/Allow", false},
			"donotsendmm":     {"Marketing Material", "Do Not Send/Send", false},
			"followemail":     {"Follow Email Activity", "Allow/Do Not Allow", true},
		},
	}
	for entity, cols := range want {
		for attr, w := range cols {
			r := h.do("GET", attrPath(entity, attr)+booleanCast+"?$expand=OptionSet", nil)
			expect(t, r, 200, "")
			labels := str(r.body, "OptionSet", "TrueOption", "Label", "UserLocalizedLabel", "Label") + "/" +
				str(r.body, "OptionSet", "FalseOption", "Label", "UserLocalizedLabel", "Label")
			if got := str(r.body, "DisplayName", "UserLocalizedLabel", "Label"); got != w[0] || labels != w[1] || r.body["DefaultValue"] != w[2] {
				t.Errorf("%s.%s: %q %q %v, want %v", entity, attr, got, labels, r.body["DefaultValue"], w)
			}
			if r.body["IsCustomAttribute"] != false || str(r.body, "RequiredLevel", "Value") != "None" {
				t.Errorf("%s.%s: IsCustomAttribute=%v RequiredLevel=%v", entity, attr, r.body["IsCustomAttribute"], dig(r.body, "RequiredLevel", "Value"))
			}
		}
	}
	expect(t, h.do("GET", attrPath("lead", "donotbulkpostalmail"), nil), 404, codeObjectDoesNotExist)
}
