package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func conditionDoc(obj, trigger, field, op string, extra map[string]any) map[string]any {
	attrs := map[string]any{"crmObject": obj, "trigger": trigger, "field": field, "operator": op}
	for k, v := range extra {
		attrs[k] = v
	}
	return resource(typeCondition, nil, attrs, true)
}

func createConditionT(t *testing.T, s *Server, obj, trigger, field, op string, extra map[string]any) resObj {
	t.Helper()
	r := api(t, s, http.MethodPost, "/api/v2/pluginSyncConditions", conditionDoc(obj, trigger, field, op, extra))
	mustStatus(t, r, http.StatusCreated)
	return r.doc(t).one(t)
}

func val(v any) map[string]any     { return map[string]any{"value": v} }
func vals(v ...any) map[string]any { return map[string]any{"values": v} }

// TestSyncConditionWrites covers every validation rule of contract 3.5, one case each.
func TestSyncConditionWrites(t *testing.T) {
	s := startSandbox(t, Options{})
	fixtures := func(t *testing.T) map[string]int64 {
		a := createConditionT(t, s, "contact", "polling", "donotemail", "equals", val(false))
		b := createConditionT(t, s, "contact", "outboundCreate", "optedOut", "equals", val(false))
		return map[string]int64{"A": a.ID, "B": b.ID}
	}
	const coll = "pluginSyncConditions"
	ok := func(name string, body map[string]any) writeCase {
		return writeCase{name: name, method: "POST", body: post(body), status: 201}
	}
	bad := func(name string, body map[string]any, pointer, detail string) writeCase {
		return writeCase{name: name, method: "POST", body: post(body), status: 422, errID: errValidation, pointer: pointer, detail: detail}
	}
	const (
		pValue  = "/data/attributes/value"
		pValues = "/data/attributes/values"
		pOp     = "/data/attributes/operator"
		pField  = "/data/attributes/field"
	)
	cases := []writeCase{
		ok("boolean equals on a CRM field", conditionDoc("contact", "polling", "donotbulkemail", "equals", val(true))),
		ok("inboundCreate tests CRM fields", conditionDoc("contact", "inboundCreate", "donotemail", "notEquals", val(true))),
		ok("isBlank without value", conditionDoc("contact", "inboundUpdate", "firstname", "isBlank", nil)),
		ok("isNotBlank with an explicit null value", conditionDoc("contact", "polling", "firstname", "isNotBlank", map[string]any{"value": nil})),
		ok("contains on a string", conditionDoc("contact", "polling", "firstname", "contains", val("Ann"))),
		ok("notContains on an empty string", conditionDoc("contact", "polling", "firstname", "notContains", val(""))),
		ok("greaterThan on an integer", conditionDoc("lead", "polling", "numberofemployees", "greaterThan", val(50))),
		ok("lessThan on a decimal", conditionDoc("lead", "polling", "revenue", "lessThan", val(1000.5))),
		ok("greaterThan on a datetime", conditionDoc("contact", "polling", "createdon", "greaterThan", val("2024-01-01T00:00:00Z"))),
		ok("in on a picklist", conditionDoc("contact", "polling", "statuscode", "in", vals("Active", "Inactive"))),
		ok("notIn on an integer", conditionDoc("lead", "inboundCreate", "numberofemployees", "notIn", vals(1, 2, 3))),
		ok("equals on a lookup takes the id as a string", conditionDoc("contact", "polling", "ownerid", "equals", val("7a3d2c1e-0000-0000-0000-000000000001"))),
		ok("outbound tests Outreach fields", conditionDoc("contact", "outboundUpdate", "emailOptedOut", "equals", val(true))),
		ok("notIn on an Outreach string", conditionDoc("lead", "outboundCreate", "title", "notIn", vals("CEO", "CFO"))),

		bad("unknown field", conditionDoc("contact", "polling", "new_salesoptout", "equals", val(true)), pField, `"new_salesoptout" is not a known CRM field of contact`),
		bad("outbound trigger with a CRM field", conditionDoc("contact", "outboundCreate", "donotemail", "equals", val(true)), pField, "Outreach field"),
		bad("inbound trigger with an Outreach field", conditionDoc("contact", "inboundCreate", "optedOut", "equals", val(true)), pField, "CRM field"),
		bad("unknown trigger", conditionDoc("contact", "onCreate", "donotemail", "equals", val(true)), "/data/attributes/trigger", ""),
		bad("unknown operator", conditionDoc("contact", "polling", "firstname", "startsWith", val("A")), pOp, ""),
		bad("unknown crmObject", conditionDoc("incident", "polling", "donotemail", "equals", val(true)), "/data/attributes/crmObject", ""),
		bad("trigger missing", resource(typeCondition, nil, map[string]any{"crmObject": "contact", "field": "donotemail", "operator": "equals", "value": true}, true), "/data/attributes/trigger", "required"),
		bad("operator missing", resource(typeCondition, nil, map[string]any{"crmObject": "contact", "trigger": "polling", "field": "donotemail", "value": true}, true), pOp, "required"),
		bad("contains on a boolean", conditionDoc("contact", "polling", "donotemail", "contains", val(true)), pOp, "does not fit"),
		bad("contains on a picklist", conditionDoc("contact", "polling", "statuscode", "contains", val("Act")), pOp, "does not fit"),
		bad("greaterThan on a string", conditionDoc("contact", "polling", "firstname", "greaterThan", val("M")), pOp, "does not fit"),
		bad("lessThan on a boolean", conditionDoc("contact", "polling", "donotemail", "lessThan", val(true)), pOp, "does not fit"),
		bad("in on a boolean", conditionDoc("contact", "polling", "donotemail", "in", vals(true)), pOp, "does not fit"),
		bad("equals without value", conditionDoc("contact", "polling", "donotemail", "equals", nil), pValue, "required"),
		bad("equals with null value", conditionDoc("contact", "polling", "donotemail", "equals", val(nil)), pValue, "required"),
		bad("boolean field given a string", conditionDoc("contact", "polling", "donotemail", "equals", val("true")), pValue, "true or false"),
		bad("boolean field given a number", conditionDoc("contact", "polling", "donotemail", "equals", val(1)), pValue, "true or false"),
		bad("integer field given a fraction", conditionDoc("lead", "polling", "numberofemployees", "greaterThan", val(1.5)), pValue, "integer"),
		bad("integer field given a string", conditionDoc("lead", "polling", "numberofemployees", "greaterThan", val("5")), pValue, "integer"),
		bad("decimal field given a string", conditionDoc("lead", "polling", "revenue", "greaterThan", val("1.5")), pValue, "number"),
		bad("datetime field given a bad date", conditionDoc("contact", "polling", "createdon", "lessThan", val("yesterday")), pValue, "RFC 3339"),
		bad("datetime field given a number", conditionDoc("contact", "polling", "createdon", "lessThan", val(1700000000)), pValue, "RFC 3339"),
		bad("string field given a number", conditionDoc("contact", "polling", "firstname", "equals", val(5)), pValue, "a string"),
		bad("lookup field given a number", conditionDoc("contact", "polling", "ownerid", "equals", val(5)), pValue, "a string"),
		bad("isBlank with a value", conditionDoc("contact", "polling", "firstname", "isBlank", val("x")), pValue, "null"),
		bad("isBlank with values", conditionDoc("contact", "polling", "firstname", "isBlank", vals("x")), pValues, "absent"),
		bad("in without values", conditionDoc("contact", "polling", "statuscode", "in", nil), pValues, "non-empty"),
		bad("in with an empty list", conditionDoc("contact", "polling", "statuscode", "in", map[string]any{"values": []any{}}), pValues, "non-empty"),
		bad("in with a value too", conditionDoc("contact", "polling", "statuscode", "in", map[string]any{"value": "Active", "values": []any{"Active"}}), pValue, "use values"),
		bad("in with a mistyped item", conditionDoc("lead", "polling", "numberofemployees", "in", vals(1, "2")), "/data/attributes/values/1", "integer"),
		bad("equals with values", conditionDoc("contact", "polling", "firstname", "equals", map[string]any{"value": "a", "values": []any{"a"}}), pValues, "only for the in and notIn"),
		// Contract 3.5: values is "absent otherwise"; unlike value, it is never allowed as null.
		bad("isNotBlank with a null values", conditionDoc("contact", "polling", "firstname", "isNotBlank", map[string]any{"value": nil, "values": nil}), pValues, "absent"),
		bad("equals with a null values", conditionDoc("contact", "polling", "firstname", "equals", map[string]any{"value": "a", "values": nil}), pValues, "absent"),
		bad("in with a null values", conditionDoc("contact", "polling", "statuscode", "in", map[string]any{"values": nil}), pValues, "non-empty"),
		bad("values not an array", conditionDoc("contact", "polling", "statuscode", "in", map[string]any{"values": "Active"}), pValues, "array"),
		bad("unknown attribute", conditionDoc("contact", "polling", "donotemail", "equals", map[string]any{"value": true, "negate": true}), "/data/attributes/negate", "unknown"),
		bad("plugin relationship missing", resource(typeCondition, nil, map[string]any{"crmObject": "contact", "trigger": "polling", "field": "donotemail", "operator": "isBlank"}, false), "/data/relationships/plugin", ""),
		{name: "non-JSON:API media type", method: "POST", ct: "text/plain", body: post(conditionDoc("contact", "polling", "donotemail", "isBlank", nil)), status: 415, errID: errUnsupportedMediaType},
		{name: "type of another collection", method: "POST", body: post(resource(typeMapping, nil, map[string]any{}, true)), status: 409, errID: errConflict},

		{name: "patch value", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", val(true)), status: 200},
		{name: "patch operator and clear value", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", map[string]any{"operator": "isNotBlank", "value": nil}), status: 200},
		{name: "patch to in with values", method: "PATCH", target: "B", body: patchOf(typeCondition, "B", map[string]any{"field": "title", "operator": "in", "value": nil, "values": []any{"VP"}}), status: 200},
		{name: "patch with a null values", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", map[string]any{"value": true, "values": nil}),
			status: 422, errID: errValidation, pointer: pValues, detail: "absent"},
		{name: "patch operator keeping a value it does not take", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", map[string]any{"operator": "isBlank"}),
			status: 422, errID: errValidation, pointer: pValue},
		{name: "patch trigger", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", map[string]any{"trigger": "inboundUpdate"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/trigger", detail: "cannot be changed"},
		{name: "patch crmObject", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", map[string]any{"crmObject": "lead"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmObject", detail: "cannot be changed"},
		{name: "patch to a field of the wrong side", method: "PATCH", target: "B", body: patchOf(typeCondition, "B", map[string]any{"field": "donotemail"}),
			status: 422, errID: errValidation, pointer: pField},
		{name: "patch value of the wrong type", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", val("no")),
			status: 422, errID: errValidation, pointer: pValue},
		{name: "patch with another resource's id", method: "PATCH", target: "A", body: func(ids map[string]int64) any {
			return resource(typeCondition, ids["B"], val(true), false)
		}, status: 409, errID: errConflict},
		{name: "patch unknown id", method: "PATCH", target: "4242", body: func(map[string]int64) any { return resource(typeCondition, 4242, val(true), false) },
			status: 404, errID: errNotFound},
		{name: "delete", method: "DELETE", target: "B", status: 204},
		{name: "delete unknown id", method: "DELETE", target: "4242", status: 404, errID: errNotFound},
	}
	runWriteCases(t, s, coll, fixtures, cases)
}

// TestSyncConditionLifecycle follows one condition through create, read, list, update and delete.
func TestSyncConditionLifecycle(t *testing.T) {
	s := startSandbox(t, Options{})
	c := createConditionT(t, s, "lead", "polling", "numberofemployees", "in", vals(10, 20))
	if values, _ := c.Attributes["values"].([]any); c.Attributes["value"] != nil || len(values) != 2 || c.Attributes["trigger"] != "polling" {
		t.Fatalf("created %v", c.Attributes)
	}
	createConditionT(t, s, "contact", "outboundCreate", "optedOut", "equals", val(false))

	list := api(t, s, http.MethodGet, "/api/v2/pluginSyncConditions?filter[trigger]=polling&filter[crmObject]=lead&filter[plugin][id]=1&count=true", nil)
	mustStatus(t, list, http.StatusOK)
	d := list.doc(t)
	if items := d.many(t); len(items) != 1 || items[0].ID != c.ID || d.Meta["count"] != float64(1) {
		t.Fatalf("filtered list %s", list.body)
	}

	s.AdvanceClock(time.Second)
	// Leaving in/notIn drops the values: a request cannot send values as null (contract 3.5).
	r := api(t, s, http.MethodPatch, "/api/v2/pluginSyncConditions/"+itoa(c.ID), resource(typeCondition, c.ID, map[string]any{"operator": "greaterThan", "value": 100}, false))
	mustStatus(t, r, http.StatusOK)
	p := r.doc(t).one(t)
	if p.Attributes["operator"] != "greaterThan" || p.Attributes["value"] != float64(100) || p.Attributes["values"] != nil || p.Attributes["field"] != "numberofemployees" {
		t.Errorf("patched %v", p.Attributes)
	}
	if p.Attributes["updatedAt"] == c.Attributes["updatedAt"] {
		t.Errorf("updatedAt did not change")
	}
	got := itemAt(t, s, "/api/v2/pluginSyncConditions/"+itoa(c.ID))
	if got.Attributes["value"] != float64(100) {
		t.Errorf("read back %v", got.Attributes)
	}
	mustStatus(t, api(t, s, http.MethodDelete, "/api/v2/pluginSyncConditions/"+itoa(c.ID), nil), http.StatusNoContent)
	wantError(t, api(t, s, http.MethodGet, "/api/v2/pluginSyncConditions/"+itoa(c.ID), nil), 404, errNotFound, "", "")
}
