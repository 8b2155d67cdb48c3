package dataverse

import "testing"

func TestODataHeaders(t *testing.T) {
	h := newHarness(t)
	get := api + "EntityDefinitions(LogicalName='contact')?$select=LogicalName"
	post := api + "EntityDefinitions(LogicalName='contact')/Attributes"
	for _, c := range []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
	}{
		{"documented headers", "GET", get, nil, nil, 200},
		{"no OData headers at all", "GET", get, nil, []string{"Accept", "", "OData-Version", "", "OData-MaxVersion", ""}, 200},
		{"Accept with parameters", "GET", get, nil, []string{"Accept", "application/json;odata.metadata=minimal"}, 200},
		{"Accept any", "GET", get, nil, []string{"Accept", "text/html, */*;q=0.1"}, 200},
		{"Accept XML only", "GET", get, nil, []string{"Accept", "application/xml"}, 406},
		{"Accept JSON refused by q=0", "GET", get, nil, []string{"Accept", "application/json;q=0"}, 406},
		{"OData-Version 3.0", "GET", get, nil, []string{"OData-Version", "3.0"}, 400},
		{"OData-MaxVersion 3.0", "GET", get, nil, []string{"OData-MaxVersion", "3.0"}, 400},
		{"OData-MaxVersion garbage", "GET", get, nil, []string{"OData-MaxVersion", "four"}, 400},
		{"body as text/plain", "POST", post, booleanColumn("new_Plain"), []string{"Content-Type", "text/plain"}, 415},
		{"body without Content-Type", "POST", post, booleanColumn("new_Bare"), []string{"Content-Type", ""}, 415},
		{"body as JSON with charset", "POST", post, booleanColumn("new_Json"), []string{"Content-Type", "application/json; charset=utf-8"}, 204},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(c.method, c.path, c.body, c.headers...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d; body %s", r.status, c.status, r.raw)
			}
			if c.status >= 400 && r.errMsg() == "" {
				t.Errorf("error without a message: %s", r.raw)
			}
		})
	}
	if hasColumn(h.org, "contact", "new_plain") || hasColumn(h.org, "contact", "new_bare") {
		t.Error("a body with the wrong media type was applied")
	}
}
