package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func mappingDoc(obj, outreachField, crmField string, extra map[string]any) map[string]any {
	attrs := map[string]any{"crmObject": obj, "outreachField": outreachField, "crmField": crmField}
	for k, v := range extra {
		attrs[k] = v
	}
	return resource(typeMapping, nil, attrs, true)
}

func createMappingT(t *testing.T, s *Server, obj, of, cf string, extra map[string]any) resObj {
	t.Helper()
	r := api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", mappingDoc(obj, of, cf, extra))
	mustStatus(t, r, http.StatusCreated)
	return r.doc(t).one(t)
}

// writeCase is one write against a freshly reset sandbox holding two fixtures, A and B.
type writeCase struct {
	name    string
	method  string
	target  string // "" the collection, "A"/"B" a fixture, anything else a literal id
	body    func(ids map[string]int64) any
	ct      string // Content-Type override
	status  int
	errID   string // "" for a success
	pointer string
	detail  string
}

func runWriteCases(t *testing.T, s *Server, plural string, fixtures func(t *testing.T) map[string]int64, cases []writeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset()
			ids := fixtures(t)
			path := "/api/v2/" + plural
			switch tc.target {
			case "":
			case "A", "B":
				path += "/" + itoa(ids[tc.target])
			default:
				path += "/" + tc.target
			}
			var body any
			if tc.body != nil {
				body = tc.body(ids)
			}
			r := call(t, s, tc.method, path, StaticAccessToken, body, tc.ct)
			if tc.errID == "" {
				mustStatus(t, r, tc.status)
				return
			}
			wantError(t, r, tc.status, tc.errID, tc.pointer, tc.detail)
		})
	}
}

func post(body any) func(map[string]int64) any { return func(map[string]int64) any { return body } }

func patchOf(typ, target string, attrs map[string]any) func(map[string]int64) any {
	return func(ids map[string]int64) any { return resource(typ, ids[target], attrs, false) }
}

// TestFieldMappingWrites covers every validation rule of contract 3.4 and the JSON:API write
// rules, one case each.
func TestFieldMappingWrites(t *testing.T) {
	s := startSandbox(t, Options{})
	fixtures := func(t *testing.T) map[string]int64 {
		a := createMappingT(t, s, "contact", "optedOut", "donotemail", nil)
		b := createMappingT(t, s, "contact", "emailOptedOut", "donotemail", nil)
		return map[string]int64{"A": a.ID, "B": b.ID}
	}
	const coll = ""
	cases := []writeCase{
		{name: "create boolean to boolean", method: "POST", target: coll, body: post(mappingDoc("contact", "callOptedOut", "donotphone", nil)), status: 201},
		{name: "one CRM field feeds several Outreach fields", method: "POST", body: post(mappingDoc("contact", "smsOptedOut", "donotemail", nil)), status: 201},
		{name: "same Outreach field on another object", method: "POST", body: post(mappingDoc("lead", "optedOut", "donotemail", nil)), status: 201},
		{name: "string with boolean", method: "POST", body: post(mappingDoc("contact", "custom1", "creditonhold", nil)), status: 201},
		{name: "string with datetime, read-only CRM side, in only", method: "POST", body: post(mappingDoc("contact", "custom2", "createdon", map[string]any{"updatesOut": false})), status: 201},
		{name: "string with picklist", method: "POST", body: post(mappingDoc("lead", "custom3", "leadsourcecode", nil)), status: 201},
		{name: "lookup with lookup", method: "POST", body: post(mappingDoc("contact", "owner", "ownerid", map[string]any{"externalMappedType": "user", "emptyPlaceholder": nil})), status: 201},
		{name: "all options set", method: "POST", body: post(mappingDoc("contact", "firstName", "firstname", map[string]any{
			"updatesIn": false, "updatesOut": true, "skipEmptyIn": true, "skipEmptyOut": true, "emptyPlaceholder": "n/a", "externalMappedType": nil})), status: 201},

		{name: "unknown crmField", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "new_salesoptout", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField",
			detail: `crmField "new_salesoptout" is not a known field of contact; refresh the plugin's fields if it was created recently`},
		{name: "unknown outreachField", method: "POST", body: post(mappingDoc("contact", "doNotEmail", "donotemail", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/outreachField", detail: `"doNotEmail"`},
		{name: "CRM field named as the Outreach field", method: "POST", body: post(mappingDoc("contact", "donotphone", "donotphone", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/outreachField"},
		{name: "Outreach field named as the CRM field", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "callOptedOut", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField"},
		{name: "unknown crmObject", method: "POST", body: post(mappingDoc("incident", "optedOut", "donotemail", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmObject"},
		{name: "crmObject missing", method: "POST", body: post(resource(typeMapping, nil, map[string]any{"outreachField": "optedOut", "crmField": "donotemail"}, true)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmObject", detail: "required"},
		{name: "outreachField missing", method: "POST", body: post(resource(typeMapping, nil, map[string]any{"crmObject": "contact", "crmField": "donotemail"}, true)),
			status: 422, errID: errValidation, pointer: "/data/attributes/outreachField", detail: "required"},
		{name: "crmField missing", method: "POST", body: post(resource(typeMapping, nil, map[string]any{"crmObject": "contact", "outreachField": "callOptedOut"}, true)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField", detail: "required"},
		{name: "boolean with lookup", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "ownerid", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField", detail: "cannot be mapped"},
		{name: "lookup with string", method: "POST", body: post(mappingDoc("contact", "owner", "firstname", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField", detail: "cannot be mapped"},
		{name: "boolean with integer", method: "POST", body: post(mappingDoc("lead", "callOptedOut", "numberofemployees", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField", detail: "cannot be mapped"},
		{name: "datetime with boolean", method: "POST", body: post(mappingDoc("contact", "optedOutAt", "creditonhold", map[string]any{"updatesIn": false})),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField", detail: "cannot be mapped"},
		{name: "updatesIn into a read-only Outreach field", method: "POST", body: post(mappingDoc("contact", "optedOutAt", "firstname", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/updatesIn", detail: `"optedOutAt" is read only`},
		{name: "read-only Outreach field, out only", method: "POST", body: post(mappingDoc("contact", "optedOutAt", "firstname", map[string]any{"updatesIn": false})), status: 201},
		{name: "updatesOut into a read-only CRM field", method: "POST", body: post(mappingDoc("contact", "custom4", "fullname", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/updatesOut", detail: `"fullname" is read only`},
		{name: "Outreach field mapped twice", method: "POST", body: post(mappingDoc("contact", "optedOut", "donotbulkemail", nil)),
			status: 422, errID: errValidation, pointer: "/data/attributes/outreachField", detail: `outreachField "optedOut" is already mapped on contact`},
		{name: "plugin relationship missing", method: "POST", body: post(resource(typeMapping, nil, map[string]any{"crmObject": "contact", "outreachField": "callOptedOut", "crmField": "donotphone"}, false)),
			status: 422, errID: errValidation, pointer: "/data/relationships/plugin"},
		{name: "unknown plugin", method: "POST", body: post(map[string]any{"data": map[string]any{"type": typeMapping,
			"attributes":    map[string]any{"crmObject": "contact", "outreachField": "callOptedOut", "crmField": "donotphone"},
			"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 99}}}}}),
			status: 404, errID: errNotFound, pointer: "/data/relationships/plugin"},
		{name: "plugin relationship of the wrong type", method: "POST", body: post(map[string]any{"data": map[string]any{"type": typeMapping,
			"attributes":    map[string]any{"crmObject": "contact", "outreachField": "callOptedOut", "crmField": "donotphone"},
			"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "user", "id": 1}}}}}),
			status: 422, errID: errValidation, pointer: "/data/relationships/plugin/data/type"},
		{name: "unknown attribute", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "donotphone", map[string]any{"direction": "both"})),
			status: 422, errID: errValidation, pointer: "/data/attributes/direction", detail: "unknown attribute"},
		{name: "timestamps are read only", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "donotphone", map[string]any{"createdAt": "2024-01-01T00:00:00Z"})),
			status: 422, errID: errValidation, pointer: "/data/attributes/createdAt"},
		{name: "boolean attribute given a string", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "donotphone", map[string]any{"updatesIn": "yes"})),
			status: 422, errID: errValidation, pointer: "/data/attributes/updatesIn"},
		{name: "boolean attribute given null", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "donotphone", map[string]any{"skipEmptyOut": nil})),
			status: 422, errID: errValidation, pointer: "/data/attributes/skipEmptyOut"},
		{name: "emptyPlaceholder given a number", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "donotphone", map[string]any{"emptyPlaceholder": 5})),
			status: 422, errID: errValidation, pointer: "/data/attributes/emptyPlaceholder"},
		{name: "type of another collection", method: "POST", body: post(resource(typeCondition, nil, map[string]any{"crmObject": "contact"}, true)),
			status: 409, errID: errConflict, pointer: "/data/type"},
		{name: "client-generated id", method: "POST", body: post(resource(typeMapping, 77, map[string]any{"crmObject": "contact", "outreachField": "callOptedOut", "crmField": "donotphone"}, true)),
			status: 422, errID: errValidation, pointer: "/data/id"},
		{name: "plain JSON media type", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "donotphone", nil)), ct: "application/json",
			status: 415, errID: errUnsupportedMediaType},
		{name: "media type with parameters", method: "POST", body: post(mappingDoc("contact", "callOptedOut", "donotphone", nil)), ct: jsonAPIMediaType + "; charset=utf-8",
			status: 415, errID: errUnsupportedMediaType},
		{name: "malformed JSON", method: "POST", body: post(`{"data": {`), status: 400, errID: errBadRequest},
		{name: "no data member", method: "POST", body: post(`{"meta": {}}`), status: 400, errID: errBadRequest, pointer: "/data"},

		{name: "patch one flag", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"updatesIn": false}), status: 200},
		{name: "patch placeholder", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"emptyPlaceholder": "n/a"}), status: 200},
		{name: "patch to another Outreach field", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"outreachField": "callOptedOut"}), status: 200},
		{name: "patch to an Outreach field mapped elsewhere", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"outreachField": "emailOptedOut"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/outreachField", detail: `outreachField "emailOptedOut" is already mapped on contact`},
		{name: "patch to an unknown CRM field", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"crmField": "new_salesoptout"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField", detail: `crmField "new_salesoptout" is not a known field of contact; refresh the plugin's fields if it was created recently`},
		{name: "patch to an incompatible CRM field", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"crmField": "ownerid"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmField", detail: "cannot be mapped"},
		{name: "patch keeps updatesOut, so a read-only CRM field fails", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"outreachField": "custom5", "crmField": "fullname"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/updatesOut"},
		{name: "patch crmObject", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"crmObject": "lead"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmObject", detail: "cannot be changed"},
		{name: "patch crmObject to its own value", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"crmObject": "contact"}),
			status: 422, errID: errValidation, pointer: "/data/attributes/crmObject"},
		{name: "patch plugin", method: "PATCH", target: "A", body: func(ids map[string]int64) any {
			return map[string]any{"data": map[string]any{"type": typeMapping, "id": ids["A"], "attributes": map[string]any{},
				"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}}}}
		}, status: 422, errID: errValidation, pointer: "/data/relationships/plugin"},
		{name: "patch with another resource's id", method: "PATCH", target: "A", body: func(ids map[string]int64) any {
			return resource(typeMapping, ids["B"], map[string]any{"updatesIn": false}, false)
		}, status: 409, errID: errConflict, pointer: "/data/id"},
		{name: "patch without id", method: "PATCH", target: "A", body: post(resource(typeMapping, nil, map[string]any{"updatesIn": false}, false)),
			status: 422, errID: errValidation, pointer: "/data/id"},
		{name: "patch with a string id", method: "PATCH", target: "A", body: func(ids map[string]int64) any {
			return resource(typeMapping, itoa(ids["A"]), map[string]any{"updatesIn": false}, false)
		}, status: 422, errID: errValidation, pointer: "/data/id"},
		{name: "patch with another type", method: "PATCH", target: "A", body: patchOf(typeCondition, "A", map[string]any{"updatesIn": false}),
			status: 409, errID: errConflict, pointer: "/data/type"},
		{name: "patch unknown attribute", method: "PATCH", target: "A", body: patchOf(typeMapping, "A", map[string]any{"bidirectional": true}),
			status: 422, errID: errValidation, pointer: "/data/attributes/bidirectional"},
		{name: "patch unknown id", method: "PATCH", target: "9999", body: func(map[string]int64) any {
			return resource(typeMapping, 9999, map[string]any{"updatesIn": false}, false)
		},
			status: 404, errID: errNotFound},
		{name: "patch with a non-JSON:API media type", method: "PATCH", target: "A", ct: "application/json", body: patchOf(typeMapping, "A", map[string]any{"updatesIn": false}),
			status: 415, errID: errUnsupportedMediaType},
		{name: "delete", method: "DELETE", target: "A", status: 204},
		{name: "delete unknown id", method: "DELETE", target: "9999", status: 404, errID: errNotFound},
		{name: "delete with a non-numeric id", method: "DELETE", target: "abc", status: 404, errID: errNotFound},
		{name: "put is not a JSON:API verb", method: "PUT", target: "A", body: patchOf(typeMapping, "A", map[string]any{}), status: 405, errID: errMethodNotAllowed},
	}
	runWriteCases(t, s, "pluginFieldMappings", fixtures, cases)
}

// TestFieldMappingLifecycle follows one mapping through create, read, list, update and delete.
func TestFieldMappingLifecycle(t *testing.T) {
	s := startSandbox(t, Options{})
	r := api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", mappingDoc("contact", "optedOut", "donotemail", nil))
	mustStatus(t, r, http.StatusCreated)
	if ct := r.header.Get("Content-Type"); ct != jsonAPIMediaType {
		t.Errorf("Content-Type %q", ct)
	}
	created := r.doc(t).one(t)
	if created.Type != typeMapping || created.ID < 1 {
		t.Fatalf("created %+v", created)
	}
	if loc := r.header.Get("Location"); loc != s.OutreachURL()+"/api/v2/pluginFieldMappings/"+itoa(created.ID) || created.Links["self"] != loc {
		t.Errorf("Location %q, self %q", loc, created.Links["self"])
	}
	want := map[string]any{"crmObject": "contact", "outreachField": "optedOut", "crmField": "donotemail", "updatesIn": true, "updatesOut": true,
		"skipEmptyIn": false, "skipEmptyOut": false, "emptyPlaceholder": nil, "externalMappedType": nil}
	for k, v := range want {
		if got, ok := created.Attributes[k]; !ok || got != v {
			t.Errorf("attribute %s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if string(created.Relationships["plugin"]) != `{"data":{"id":1,"type":"plugin"}}` {
		t.Errorf("plugin relationship %s", created.Relationships["plugin"])
	}

	got := itemAt(t, s, "/api/v2/pluginFieldMappings/"+itoa(created.ID))
	if got.Attributes["updatedAt"] != created.Attributes["updatedAt"] || got.Attributes["createdAt"] != created.Attributes["createdAt"] {
		t.Errorf("read back %v, created %v", got.Attributes, created.Attributes)
	}

	for _, q := range []string{"filter[crmObject]=contact", "filter[outreachField]=optedOut,emailOptedOut", "filter[crmField]=donotemail", "filter[plugin][id]=1", "filter[id]=" + itoa(created.ID)} {
		list := api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings?"+q, nil)
		mustStatus(t, list, http.StatusOK)
		if items := list.doc(t).many(t); len(items) != 1 || items[0].ID != created.ID {
			t.Errorf("?%s returned %+v", q, items)
		}
	}
	if items := api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings?filter[crmObject]=lead", nil).doc(t).many(t); len(items) != 0 {
		t.Errorf("lead filter returned %d items", len(items))
	}

	s.AdvanceClock(90 * time.Second)
	r = api(t, s, http.MethodPatch, "/api/v2/pluginFieldMappings/"+itoa(created.ID), resource(typeMapping, created.ID, map[string]any{"updatesIn": false}, false))
	mustStatus(t, r, http.StatusOK)
	patched := r.doc(t).one(t)
	if patched.Attributes["updatesIn"] != false || patched.Attributes["updatesOut"] != true || patched.Attributes["crmField"] != "donotemail" {
		t.Errorf("patch changed more or less than updatesIn: %v", patched.Attributes)
	}
	if patched.Attributes["updatedAt"] == created.Attributes["updatedAt"] || patched.Attributes["createdAt"] != created.Attributes["createdAt"] {
		t.Errorf("timestamps after patch: %v → %v", created.Attributes, patched.Attributes)
	}

	mustStatus(t, api(t, s, http.MethodDelete, "/api/v2/pluginFieldMappings/"+itoa(created.ID), nil), http.StatusNoContent)
	wantError(t, api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings/"+itoa(created.ID), nil), 404, errNotFound, "", "")
	again := createMappingT(t, s, "contact", "optedOut", "donotemail", nil)
	if again.ID <= created.ID {
		t.Errorf("id %d reused or went backwards after %d", again.ID, created.ID)
	}
}
