package dynamics

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

const createdID = "73f33b3d-112a-ed11-9db1-00224804f8e2"

func entityIDHeader(w http.ResponseWriter) {
	w.Header().Set("OData-EntityId", "https://org/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes("+createdID+")")
}

func TestCreateBooleanAttributeSendsTheDocumentedBody(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		entityIDHeader(w)
		w.WriteHeader(204)
	})
	c, _ := newTestClient(t, f)
	id, err := c.CreateBooleanAttribute(context.Background(), "Contact", BooleanAttributeDefinition{
		SchemaName:    "new_SalesOptOut",
		DisplayName:   "Sales opt-out",
		Description:   "Set by Outreach",
		TrueLabel:     "Opted out",
		FalseLabel:    "Subscribed",
		RequiredLevel: "Recommended",
		DefaultValue:  true,
	}, "OptOutSync")
	if err != nil || id != createdID {
		t.Fatalf("create = %q, %v", id, err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "EntityDefinitions(LogicalName='contact')/Attributes" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := r.Header.Get("MSCRM.SolutionUniqueName"); got != "OptOutSync" {
		t.Errorf("MSCRM.SolutionUniqueName = %q", got)
	}
	jsonEqual(t, r.Body, `{
	  "@odata.type": "Microsoft.Dynamics.CRM.BooleanAttributeMetadata",
	  "AttributeType": "Boolean",
	  "AttributeTypeName": {"Value": "BooleanType"},
	  "SchemaName": "new_SalesOptOut",
	  "DefaultValue": true,
	  "RequiredLevel": {"Value": "Recommended", "CanBeChanged": true, "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"},
	  "DisplayName": {"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [
	    {"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": "Sales opt-out", "LanguageCode": 1033, "IsManaged": false}]},
	  "Description": {"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [
	    {"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": "Set by Outreach", "LanguageCode": 1033, "IsManaged": false}]},
	  "OptionSet": {
	    "@odata.type": "Microsoft.Dynamics.CRM.BooleanOptionSetMetadata",
	    "OptionSetType": "Boolean",
	    "IsGlobal": false,
	    "TrueOption": {"Value": 1, "Label": {"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [
	      {"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": "Opted out", "LanguageCode": 1033, "IsManaged": false}]}},
	    "FalseOption": {"Value": 0, "Label": {"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [
	      {"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": "Subscribed", "LanguageCode": 1033, "IsManaged": false}]}}
	  }
	}`)
}

func TestCreateBooleanAttributeDefaults(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		entityIDHeader(w)
		w.WriteHeader(204)
	})
	c, _ := newTestClient(t, f)
	if _, err := c.CreateBooleanAttribute(context.Background(), "lead",
		BooleanAttributeDefinition{SchemaName: "new_X", DisplayName: "X", LanguageCode: 1036}, ""); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if v := r.Header.Get("MSCRM.SolutionUniqueName"); v != "" {
		t.Errorf("solution header sent without a solution: %q", v)
	}
	var body struct {
		RequiredLevel struct{ Value string }
		DefaultValue  bool
		Description   struct{ LocalizedLabels []any }
		OptionSet     struct {
			TrueOption, FalseOption struct {
				Label struct {
					LocalizedLabels []struct {
						Label        string
						LanguageCode int
					}
				}
			}
		}
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.RequiredLevel.Value != "None" || body.DefaultValue || len(body.Description.LocalizedLabels) != 0 {
		t.Errorf("defaults = %+v", body)
	}
	tl, fl := body.OptionSet.TrueOption.Label.LocalizedLabels, body.OptionSet.FalseOption.Label.LocalizedLabels
	if len(tl) != 1 || tl[0].Label != "Yes" || tl[0].LanguageCode != 1036 || len(fl) != 1 || fl[0].Label != "No" {
		t.Errorf("option labels = %+v / %+v", tl, fl)
	}
}

func TestCreateBooleanAttributeValidatesTheDefinition(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) { t.Error("request sent for an invalid definition") })
	c, _ := newTestClient(t, f)
	for _, tc := range []struct {
		def  BooleanAttributeDefinition
		want string
	}{
		{BooleanAttributeDefinition{SchemaName: "SalesOptOut", DisplayName: "x"}, "has no publisher prefix"},
		{BooleanAttributeDefinition{SchemaName: "new_Sales OptOut", DisplayName: "x"}, "invalid schema name"},
		{BooleanAttributeDefinition{SchemaName: "", DisplayName: "x"}, "needs a schema name"},
		{BooleanAttributeDefinition{SchemaName: "new_X"}, "needs a display name"},
		{BooleanAttributeDefinition{SchemaName: "new_X", DisplayName: "x", RequiredLevel: "Mandatory"}, "invalid required level"},
	} {
		_, err := c.CreateBooleanAttribute(context.Background(), "contact", tc.def, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.def, err, tc.want)
		}
	}
}

func TestUpdateBooleanAttributePutsTheFullDefinition(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Method == "GET" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(booleanDefinition))
			return
		}
		w.WriteHeader(204)
	})
	c, _ := newTestClient(t, f)
	err := c.UpdateBooleanAttribute(context.Background(), "contact", "new_salesoptout", BooleanAttributeUpdate{
		DisplayName: "Sales opt-out (Outreach)", Description: "Synced", DefaultValue: true, RequiredLevel: "ApplicationRequired",
	}, "OptOutSync")
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want GET + PUT", len(reqs))
	}
	get, put := reqs[0], reqs[1]
	if get.Method != "GET" || get.Path != "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_salesoptout')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata" {
		t.Errorf("read = %s %s", get.Method, get.Path)
	}
	if get.Header.Get("Consistency") != "Strong" {
		t.Error("the read before the PUT is not strong")
	}
	if put.Method != "PUT" || put.Path != "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_salesoptout')" {
		t.Errorf("write = %s %s", put.Method, put.Path)
	}
	for k, v := range map[string]string{"MSCRM.MergeLabels": "true", "MSCRM.SolutionUniqueName": "OptOutSync", "Content-Type": "application/json; charset=utf-8"} {
		if got := put.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	var body map[string]any
	dec := json.NewDecoder(strings.NewReader(string(put.Body)))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		t.Fatal(err)
	}
	for k := range body {
		if strings.Contains(k, "@") && k != "@odata.type" {
			t.Errorf("PUT body keeps annotation %q", k)
		}
	}
	if body["@odata.type"] != "Microsoft.Dynamics.CRM.BooleanAttributeMetadata" {
		t.Errorf("@odata.type = %v", body["@odata.type"])
	}
	if _, ok := body["OptionSet"]; ok {
		t.Error("PUT body carries the OptionSet navigation property")
	}
	if body["DefaultValue"] != true || body["SchemaName"] != "new_SalesOptOut" || body["MetadataId"] != createdID {
		t.Errorf("body = %v", body)
	}
	if n, _ := body["ColumnNumber"].(json.Number); n.String() != "1234567890123" {
		t.Errorf("ColumnNumber = %v, want the server's number unchanged", body["ColumnNumber"])
	}
	rl, _ := body["RequiredLevel"].(map[string]any)
	if rl["Value"] != "ApplicationRequired" || rl["ManagedPropertyLogicalName"] != "canmodifyrequirementlevelsettings" {
		t.Errorf("RequiredLevel = %v", rl)
	}
	dn, _ := json.Marshal(body["DisplayName"])
	jsonEqual(t, dn, `{"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [
	  {"Label": "Désinscription", "LanguageCode": 1036, "IsManaged": false, "MetadataId": "a2"},
	  {"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": "Sales opt-out (Outreach)", "LanguageCode": 1033, "IsManaged": false}]}`)
	ds, _ := json.Marshal(body["Description"])
	jsonEqual(t, ds, `{"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [
	  {"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": "Synced", "LanguageCode": 1033, "IsManaged": false}]}`)
}

func TestUpdateRefusesANonBooleanColumn(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Method != "GET" {
			t.Errorf("%s sent for a non-Boolean column", r.Method)
		}
		writeJSON(w, 200, map[string]any{"LogicalName": "firstname", "AttributeType": "String"})
	})
	c, _ := newTestClient(t, f)
	err := c.UpdateBooleanAttribute(context.Background(), "contact", "firstname", BooleanAttributeUpdate{DisplayName: "x"}, "")
	if err == nil || !strings.Contains(err.Error(), "not Boolean") {
		t.Fatalf("err = %v", err)
	}
}

func TestWriteActions(t *testing.T) {
	cases := []struct {
		name           string
		call           func(*Client) error
		method, path   string
		body, solution string
	}{
		{
			name: "UpdateOptionLabel",
			call: func(c *Client) error {
				return c.UpdateOptionLabel(context.Background(), "contact", "new_salesoptout", 0, Label{Text: "Abonné", LanguageCode: 1036}, "OptOutSync")
			},
			method: "POST", path: "UpdateOptionValue", solution: "OptOutSync",
			body: `{"EntityLogicalName": "contact", "AttributeLogicalName": "new_salesoptout", "Value": 0, "MergeLabels": true,
			  "Label": {"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [
			    {"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": "Abonné", "LanguageCode": 1036, "IsManaged": false}]}}`,
		},
		{
			name:   "PublishEntity",
			call:   func(c *Client) error { return c.PublishEntity(context.Background(), "lead") },
			method: "POST", path: "PublishXml",
			body: `{"ParameterXml": "<importexportxml><entities><entity>lead</entity></entities></importexportxml>"}`,
		},
		{
			name:   "DeleteAttribute",
			call:   func(c *Client) error { return c.DeleteAttribute(context.Background(), "lead", "new_salesoptout") },
			method: "DELETE", path: "EntityDefinitions(LogicalName='lead')/Attributes(LogicalName='new_salesoptout')",
		},
		{
			name: "AddSolutionComponent",
			call: func(c *Client) error {
				return c.AddSolutionComponent(context.Background(), "OptOutSync", createdID, ComponentTypeAttribute)
			},
			method: "POST", path: "AddSolutionComponent",
			body: `{"ComponentId": "` + createdID + `", "ComponentType": 2, "SolutionUniqueName": "OptOutSync", "AddRequiredComponents": false}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *recorded) {
				if r.Method == "GET" { // the check that follows a delete: the column is gone
					writeErr(w, 404, "0x80040217", "Could not find an attribute")
					return
				}
				w.WriteHeader(204)
			})
			c, _ := newTestClient(t, f)
			if err := tc.call(c); err != nil {
				t.Fatal(err)
			}
			r := f.requests()[0]
			if got := r.Header.Get("Consistency"); got != "Strong" {
				t.Errorf("a metadata write without Consistency: Strong (got %q)", got)
			}
			if r.Method != tc.method || r.Path != tc.path {
				t.Errorf("request = %s %s, want %s %s", r.Method, r.Path, tc.method, tc.path)
			}
			if got := r.Header.Get("MSCRM.SolutionUniqueName"); got != tc.solution {
				t.Errorf("solution header = %q, want %q", got, tc.solution)
			}
			if tc.body == "" {
				if len(r.Body) != 0 {
					t.Errorf("unexpected body %s", r.Body)
				}
				return
			}
			jsonEqual(t, r.Body, tc.body)
		})
	}
}

func TestPublishEntityRefusesMarkupInTheName(t *testing.T) {
	// Names are restricted before they reach the XML; this pins that an odd name can never
	// produce a different publish request.
	f := newFake(t, func(w http.ResponseWriter, r *recorded) { w.WriteHeader(204) })
	c, _ := newTestClient(t, f)
	if err := c.PublishEntity(context.Background(), "a</entity><entity>b"); err == nil {
		t.Fatal("accepted a name with markup")
	}
}

func TestDeleteMissingColumnIsNotFound(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		writeErr(w, 404, "0x80040217", "Could not find an attribute with specified name: 'new_x' on entity: 'contact'.")
	})
	c, _ := newTestClient(t, f)
	err := c.DeleteAttribute(context.Background(), "contact", "new_x")
	if !IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].Method != "DELETE" || reqs[1].Method != "GET" || reqs[1].Header.Get("Consistency") != "Strong" {
		t.Errorf("requests = %v, want the DELETE and one strongly consistent check, no retry", reqs)
	}
}

func TestListAttributes(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Query == "page=2" {
			writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"LogicalName": "c", "AttributeType": "String"}}})
			return
		}
		writeJSON(w, 200, map[string]any{
			"@odata.context": "x",
			"value": []any{
				map[string]any{"@odata.type": "#Microsoft.Dynamics.CRM.BooleanAttributeMetadata", "LogicalName": "donotemail", "SchemaName": "DoNotEMail",
					"AttributeType": "Boolean", "IsValidForUpdate": true, "RequiredLevel": map[string]any{"Value": "None"},
					"DisplayName": map[string]any{"LocalizedLabels": []any{map[string]any{"Label": "Do not allow Emails", "LanguageCode": 1033}}}},
				map[string]any{"LogicalName": "firstname", "AttributeType": "String"},
			},
			"@odata.nextLink": f2url(r) + "?page=2",
		})
	})
	c, _ := newTestClient(t, f)
	attrs, err := c.ListAttributes(context.Background(), "contact")
	if err != nil {
		t.Fatal(err)
	}
	if len(attrs) != 3 || attrs[0].LogicalName != "donotemail" || attrs[0].DisplayName != "Do not allow Emails" ||
		!attrs[0].IsValidForUpdate || attrs[0].EntityLogicalName != "contact" || attrs[2].LogicalName != "c" {
		t.Errorf("attrs = %+v", attrs)
	}
	first := f.requests()[0]
	if first.Path != "EntityDefinitions(LogicalName='contact')/Attributes" || !strings.HasPrefix(first.Query, "$select=MetadataId,") {
		t.Errorf("request = %s?%s", first.Path, first.Query)
	}
}

// f2url rebuilds the absolute URL of the collection the fake was asked for, as a next link would be.
func f2url(r *recorded) string {
	return "http://" + r.Host + "/api/data/v9.2/" + r.Path
}

func TestEntityIDFromHeader(t *testing.T) {
	for in, want := range map[string]string{
		"https://org/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes(" + createdID + ")": createdID,
		"https://org/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='x')":   "",
		"": "",
		"https://org/api/data/v9.2/EntityDefinitions(" + createdID + ")": createdID,
	} {
		if got := entityIDFromHeader(in); got != want {
			t.Errorf("entityIDFromHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCreateReconcilesALostAnswer: the server creates the column and drops the connection before
// answering. The client must not send the POST again but find the column with a strong read.
func TestCreateReconcilesALostAnswer(t *testing.T) {
	var posts atomic.Int32
	var created atomic.Bool
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		switch r.Method {
		case "POST":
			posts.Add(1)
			created.Store(true)
			dropConnection(t, w)
		case "GET":
			if r.Header.Get("Consistency") != "Strong" || !created.Load() {
				writeErr(w, 404, "0x80040217", "Could not find an attribute")
				return
			}
			writeJSON(w, 200, map[string]any{"MetadataId": createdID})
		}
	})
	c, _ := newTestClient(t, f)
	id, err := c.CreateBooleanAttribute(context.Background(), "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, "")
	if err != nil || id != createdID {
		t.Fatalf("create = %q, %v", id, err)
	}
	if posts.Load() != 1 {
		t.Errorf("POST sent %d times, want 1", posts.Load())
	}
	reqs := f.requests()
	last := reqs[len(reqs)-1]
	if last.Path != "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_salesoptout')" {
		t.Errorf("reconciliation read %s", last.Path)
	}
}

// TestCreateResendsWhenTheLostCreateDidNotHappen: the connection drops before the server acts; the
// strong read finds nothing, so the create is sent again after a wait.
func TestCreateResendsWhenTheLostCreateDidNotHappen(t *testing.T) {
	var posts atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		switch r.Method {
		case "POST":
			if posts.Add(1) == 1 {
				dropConnection(t, w)
				return
			}
			entityIDHeader(w)
			w.WriteHeader(204)
		case "GET":
			writeErr(w, 404, "0x80040217", "Could not find an attribute")
		}
	})
	c, s := newTestClient(t, f)
	id, err := c.CreateBooleanAttribute(context.Background(), "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, "")
	if err != nil || id != createdID {
		t.Fatalf("create = %q, %v", id, err)
	}
	if posts.Load() != 2 {
		t.Errorf("POST sent %d times, want 2", posts.Load())
	}
	if d := s.all(); len(d) != 1 || d[0] != DefaultLockBackoff {
		t.Errorf("sleeps = %v", d)
	}
}

// TestCreateDuplicateAfterALostAnswerIsOurs: the first create happened but its answer was lost and
// the strong read still missed it; the re-sent create is refused as a duplicate, which is our own
// column, so its id is returned.
func TestCreateDuplicateAfterALostAnswerIsOurs(t *testing.T) {
	var posts, gets atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		switch r.Method {
		case "POST":
			if posts.Add(1) == 1 {
				dropConnection(t, w)
				return
			}
			writeErr(w, 400, "0x80047013", "Attribute new_salesoptout already exists for entity contact.")
		case "GET":
			if gets.Add(1) == 1 {
				writeErr(w, 404, "0x80040217", "Could not find an attribute")
				return
			}
			writeJSON(w, 200, map[string]any{"MetadataId": createdID})
		}
	})
	c, _ := newTestClient(t, f)
	id, err := c.CreateBooleanAttribute(context.Background(), "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, "")
	if err != nil || id != createdID {
		t.Fatalf("create = %q, %v", id, err)
	}
}

func TestCreateDuplicateIsReported(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		writeErr(w, 400, "0x80047013", "Attribute new_salesoptout already exists for entity contact.")
	})
	c, _ := newTestClient(t, f)
	_, err := c.CreateBooleanAttribute(context.Background(), "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, "")
	if !IsDuplicate(err) {
		t.Fatalf("err = %v, want duplicate", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (no reconciliation without a lost answer)", n)
	}
}

// TestCreateGatewayErrorReconciles: a 502 may come after the work is done, so it is treated like
// a lost answer rather than retried blindly.
func TestCreateGatewayErrorReconciles(t *testing.T) {
	var posts atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Method == "POST" {
			posts.Add(1)
			w.WriteHeader(502)
			return
		}
		writeJSON(w, 200, map[string]any{"MetadataId": createdID})
	})
	c, _ := newTestClient(t, f)
	id, err := c.CreateBooleanAttribute(context.Background(), "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, "")
	if err != nil || id != createdID || posts.Load() != 1 {
		t.Fatalf("create = %q, %v after %d POSTs", id, err, posts.Load())
	}
}

func TestCreateGivesUpWhenTheColumnNeverAppears(t *testing.T) {
	var posts atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Method == "POST" {
			posts.Add(1)
			w.WriteHeader(503)
			return
		}
		writeErr(w, 404, "0x80040217", "Could not find an attribute")
	})
	c, _ := newTestClient(t, f)
	_, err := c.CreateBooleanAttribute(context.Background(), "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, "")
	if e, ok := AsError(err); !ok || e.StatusCode != 503 {
		t.Fatalf("err = %v, want the 503", err)
	}
	if posts.Load() != 4 {
		t.Errorf("POSTs = %d, want 1 + MaxRetries(3)", posts.Load())
	}
}

// dropConnection closes the connection without an answer, as a timeout or a reset would.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Fatal("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
}

// TestReadRightAfterCreateRidesOutCacheLag: a column this process has just created answers 404 for
// a while; the read retries instead of reporting it gone. Another column's 404 is returned at once.
func TestReadRightAfterCreateRidesOutCacheLag(t *testing.T) {
	var gets atomic.Int32
	var deleted atomic.Bool
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		switch {
		case r.Method == "POST":
			entityIDHeader(w)
			w.WriteHeader(204)
		case r.Method == "DELETE":
			deleted.Store(true)
			w.WriteHeader(204)
		case strings.Contains(r.Path, "new_other"), deleted.Load():
			writeErr(w, 404, "0x80040217", "Could not find an attribute")
		case gets.Add(1) <= 2:
			writeErr(w, 404, "0x80040217", "Could not find an attribute")
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(booleanDefinition))
		}
	})
	c, s := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateBooleanAttribute(ctx, "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, ""); err != nil {
		t.Fatal(err)
	}
	b, err := c.GetBooleanAttribute(ctx, "contact", "new_salesoptout", true)
	if err != nil || b.MetadataID != createdID {
		t.Fatalf("read after create = %+v, %v", b, err)
	}
	if d := s.all(); len(d) != 2 || d[0] >= d[1] {
		t.Errorf("sleeps = %v, want two growing waits", d)
	}
	if _, err := c.GetBooleanAttribute(ctx, "contact", "new_other", true); !IsNotFound(err) {
		t.Errorf("other column: err = %v, want not found", err)
	}
	if len(s.all()) != 2 {
		t.Errorf("a column not created here was retried: sleeps = %v", s.all())
	}
	if err := c.DeleteAttribute(ctx, "contact", "new_salesoptout"); err != nil {
		t.Fatal(err)
	}
	if c.justCreated("contact", "new_salesoptout") {
		t.Error("a deleted column is still treated as just created")
	}
}

func TestSetLabel(t *testing.T) {
	cur := func() any {
		return map[string]any{
			"LocalizedLabels": []any{
				map[string]any{"Label": "Old", "LanguageCode": json.Number("1033")},
				map[string]any{"Label": "Vieux", "LanguageCode": json.Number("1036")},
			},
			"UserLocalizedLabel": map[string]any{"Label": "Old", "LanguageCode": json.Number("1033")},
		}
	}
	cases := []struct {
		name string
		cur  any
		text string
		lang int
		want string
	}{
		{"replace", cur(), "New", 1033, `{"@odata.type":"Microsoft.Dynamics.CRM.Label","LocalizedLabels":[
			{"Label":"Vieux","LanguageCode":1036},
			{"@odata.type":"Microsoft.Dynamics.CRM.LocalizedLabel","Label":"New","LanguageCode":1033,"IsManaged":false}]}`},
		{"clear", cur(), "", 1036, `{"@odata.type":"Microsoft.Dynamics.CRM.Label","LocalizedLabels":[
			{"Label":"Old","LanguageCode":1033},
			{"@odata.type":"Microsoft.Dynamics.CRM.LocalizedLabel","Label":"","LanguageCode":1036,"IsManaged":false}]}`},
		{"empty where none", cur(), "", 1031, `{"@odata.type":"Microsoft.Dynamics.CRM.Label","LocalizedLabels":[
			{"Label":"Old","LanguageCode":1033}, {"Label":"Vieux","LanguageCode":1036}]}`},
		{"absent", nil, "New", 1033, `{"@odata.type":"Microsoft.Dynamics.CRM.Label","LocalizedLabels":[
			{"@odata.type":"Microsoft.Dynamics.CRM.LocalizedLabel","Label":"New","LanguageCode":1033,"IsManaged":false}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := json.Marshal(setLabel(tc.cur, tc.text, tc.lang))
			jsonEqual(t, b, tc.want)
		})
	}
}

// TestCreateInterruptedAfterTheServerActedReportsTheColumn: the caller's context ends while the
// create is in flight (the user pressed Ctrl-C, or a timeout), after the server created the column.
// The client settles it with a short detached read, so the column is reported rather than orphaned.
func TestCreateInterruptedAfterTheServerActedReportsTheColumn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var created atomic.Bool
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Method == "POST" {
			created.Store(true)
			cancel()
			<-r.ctx.Done() // answer only once the client has given up
			return
		}
		if !created.Load() {
			writeErr(w, 404, "0x80040217", "Could not find an attribute")
			return
		}
		writeJSON(w, 200, map[string]any{"MetadataId": createdID})
	})
	c, _ := newTestClient(t, f)
	id, err := c.CreateBooleanAttribute(ctx, "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, "")
	if err != nil || id != createdID {
		t.Fatalf("create = %q, %v; want the created column", id, err)
	}
}

// TestCreatedReadBackOutlastsMaxRetries: the read-back of a create waits out lag longer than
// max_retries allows an ordinary read, bounded by its context instead.
func TestCreatedReadBackOutlastsMaxRetries(t *testing.T) {
	var gets atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		switch {
		case r.Method == "POST":
			entityIDHeader(w)
			w.WriteHeader(204)
		case gets.Add(1) <= 6: // more 404s than MaxRetries (3)
			writeErr(w, 404, "0x80040217", "Could not find an attribute")
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(booleanDefinition))
		}
	})
	c, _ := newTestClient(t, f)
	ctx := context.Background()
	if _, err := c.CreateBooleanAttribute(ctx, "contact", BooleanAttributeDefinition{SchemaName: "new_SalesOptOut", DisplayName: "x"}, ""); err != nil {
		t.Fatal(err)
	}
	gets.Store(0)
	if _, err := c.GetBooleanAttribute(ctx, "contact", "new_salesoptout", true); !IsNotFound(err) {
		t.Fatalf("ordinary read: err = %v, want not found after MaxRetries", err)
	}
	gets.Store(0)
	b, err := c.GetCreatedBooleanAttribute(ctx, "contact", "new_salesoptout")
	if err != nil || b.MetadataID != createdID {
		t.Fatalf("read-back = %+v, %v", b, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	gets.Store(0)
	if _, err := c.GetCreatedBooleanAttribute(cancelled, "contact", "new_salesoptout"); err == nil {
		t.Fatal("a read-back with an ended context must give up")
	}
}
