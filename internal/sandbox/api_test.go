package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestUnauthorizedIsPlainText(t *testing.T) {
	s := startSandbox(t, Options{})
	minted := mintRefresh(t, s, SeedRefreshToken)
	s.AdvanceClock(accessTokenTTL + time.Second)
	for name, token := range map[string]string{"missing": "", "unknown": "not-a-token", "expired": minted.AccessToken} {
		t.Run(name, func(t *testing.T) {
			r := call(t, s, http.MethodGet, "/api/v2/plugins", token, nil, "")
			if r.status != http.StatusUnauthorized || string(r.body) != "Invalid access token" {
				t.Fatalf("got %d %q", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q", ct)
			}
			if r.header.Get("X-RateLimit-Limit") == "" {
				t.Error("401 without X-RateLimit-Limit")
			}
		})
	}
}

func TestScopesAreNotAdditive(t *testing.T) {
	s := startSandbox(t, Options{})
	m := createMappingT(t, s, "contact", "optedOut", "donotemail", nil)
	ro := ReadOnlyAccessToken
	mustStatus(t, call(t, s, http.MethodGet, "/api/v2/pluginFieldMappings", ro, nil, ""), http.StatusOK)
	mustStatus(t, call(t, s, http.MethodGet, "/api/v2/pluginFieldMappings/"+itoa(m.ID), ro, nil, ""), http.StatusOK)
	for _, tc := range []struct {
		method, path string
		body         any
		scope        string
	}{
		{http.MethodPost, "/api/v2/pluginFieldMappings", mappingDoc("contact", "callOptedOut", "donotphone", nil), scopeWrite},
		{http.MethodPatch, "/api/v2/pluginFieldMappings/" + itoa(m.ID), resource(typeMapping, m.ID, map[string]any{"updatesIn": false}, false), scopeWrite},
		{http.MethodDelete, "/api/v2/pluginFieldMappings/" + itoa(m.ID), nil, scopeDelete},
		{http.MethodPost, "/api/v2/plugins/1/actions/refreshFields", nil, scopeWrite},
		{http.MethodPatch, "/api/v2/pluginObjects/1", resource(typeObject, 1, map[string]any{"polling": false}, false), scopeWrite},
	} {
		r := call(t, s, tc.method, tc.path, ro, tc.body, "")
		wantError(t, r, http.StatusForbidden, errScope, "", tc.scope)
	}
	// The mapping survived every refused write.
	mustStatus(t, api(t, s, http.MethodGet, "/api/v2/pluginFieldMappings/"+itoa(m.ID), nil), http.StatusOK)
}

func TestRateLimit(t *testing.T) {
	s := startSandbox(t, Options{})
	r := api(t, s, http.MethodGet, "/api/v2/plugins", nil)
	mustStatus(t, r, http.StatusOK)
	if r.header.Get("X-RateLimit-Limit") != "10000" || r.header.Get("X-RateLimit-Remaining") != "9999" || r.header.Get("X-RateLimit-Reset") != "3600" {
		t.Fatalf("rate headers %v", r.header)
	}
	// Spend all but one request of user 1's window without 10,000 round trips.
	s.mu.Lock()
	s.st.RateWindows["user:1"].Count = rateLimit - 1
	s.mu.Unlock()
	s.AdvanceClock(10 * time.Minute)
	r = api(t, s, http.MethodGet, "/api/v2/plugins", nil)
	mustStatus(t, r, http.StatusOK)
	if r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("X-RateLimit-Reset") != "3000" {
		t.Fatalf("last request's headers %v", r.header)
	}
	r = api(t, s, http.MethodGet, "/api/v2/plugins", nil)
	wantError(t, r, http.StatusTooManyRequests, errRateLimit, "", "10000")
	if r.header.Get("Retry-After") != "3000" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// The limit is per user: user 2 is unaffected.
	mustStatus(t, call(t, s, http.MethodGet, "/api/v2/plugins", ReadOnlyAccessToken, nil, ""), http.StatusOK)
	// A new window opens when the hour is over.
	s.AdvanceClock(50 * time.Minute)
	r = api(t, s, http.MethodGet, "/api/v2/plugins", nil)
	mustStatus(t, r, http.StatusOK)
	if r.header.Get("X-RateLimit-Remaining") != "9999" {
		t.Errorf("new window remaining %q", r.header.Get("X-RateLimit-Remaining"))
	}
}

func TestPlugins(t *testing.T) {
	s := startSandbox(t, Options{})
	p := itemAt(t, s, "/api/v2/plugins/1")
	if p.Type != typePlugin || p.Attributes["kind"] != "dynamics" || p.Attributes["name"] != "Dynamics 365" ||
		p.Attributes["instanceUrl"] != s.DynamicsURL() || p.Attributes["syncStatus"] != "active" || p.Attributes["createdAt"] == nil {
		t.Fatalf("plugin %+v", p)
	}
	for q, want := range map[string]int{
		"filter[kind]=dynamics":                                   1,
		"filter[kind]=salesforce":                                 0,
		"filter[kind]=salesforce,dynamics":                        1,
		"filter[instanceUrl]=" + url.QueryEscape(s.DynamicsURL()): 1,
		"filter[instanceUrl]=https://contoso.crm.dynamics.com":    0,
	} {
		r := api(t, s, http.MethodGet, "/api/v2/plugins?"+q, nil)
		mustStatus(t, r, http.StatusOK)
		if got := len(r.doc(t).many(t)); got != want {
			t.Errorf("?%s: %d plugins, want %d", q, got, want)
		}
	}
	wantError(t, api(t, s, http.MethodGet, "/api/v2/plugins/2", nil), 404, errNotFound, "", "")
	wantError(t, api(t, s, http.MethodPost, "/api/v2/plugins", resource(typePlugin, nil, map[string]any{"kind": "dynamics"}, false)), 405, errMethodNotAllowed, "", "")
	wantError(t, api(t, s, http.MethodDelete, "/api/v2/plugins/1", nil), 405, errMethodNotAllowed, "", "")
	wantError(t, api(t, s, http.MethodPost, "/api/v2/plugins/1/actions/reconnect", nil), 404, errNotFound, "", "")
	wantError(t, api(t, s, http.MethodGet, "/api/v2/plugins/1/actions/refreshFields", nil), 405, errMethodNotAllowed, "", "")
	wantError(t, api(t, s, http.MethodPost, "/api/v2/plugins/9/actions/refreshFields", nil), 404, errNotFound, "", "")
	wantError(t, api(t, s, http.MethodGet, "/api/v2/accounts", nil), 404, errNotFound, "", "")
}

func TestPluginObjects(t *testing.T) {
	s := startSandbox(t, Options{})
	r := api(t, s, http.MethodGet, "/api/v2/pluginObjects?filter[plugin][id]=1", nil)
	mustStatus(t, r, http.StatusOK)
	objs := r.doc(t).many(t)
	got := map[string]string{}
	for _, o := range objs {
		crm, _ := o.Attributes["crmObject"].(string)
		got[crm], _ = o.Attributes["outreachObject"].(string)
	}
	want := map[string]string{"lead": "prospect", "contact": "prospect", "account": "account", "opportunity": "opportunity", "task": "task", "appointment": "event", "systemuser": "user"}
	if len(objs) != 7 || len(got) != 7 {
		t.Fatalf("%d objects: %v", len(objs), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s → %s, want %s", k, got[k], v)
		}
	}
	r = api(t, s, http.MethodGet, "/api/v2/pluginObjects?filter[crmObject]=contact", nil)
	contact := r.doc(t).many(t)
	if len(contact) != 1 {
		t.Fatalf("contact filter: %s", r.body)
	}
	c := contact[0]
	path := "/api/v2/pluginObjects/" + itoa(c.ID)
	if c.Attributes["polling"] != true || c.Attributes["pollingFrequency"] != float64(10) {
		t.Errorf("seeded contact toggles %v", c.Attributes)
	}

	s.AdvanceClock(time.Minute)
	r = api(t, s, http.MethodPatch, path, resource(typeObject, c.ID, map[string]any{"polling": false, "pollingFrequency": 60, "inboundCreate": true}, false))
	mustStatus(t, r, http.StatusOK)
	p := r.doc(t).one(t)
	if p.Attributes["polling"] != false || p.Attributes["pollingFrequency"] != float64(60) || p.Attributes["inboundCreate"] != true ||
		p.Attributes["pushing"] != c.Attributes["pushing"] || p.Attributes["updatedAt"] == c.Attributes["updatedAt"] {
		t.Errorf("after patch %v (before %v)", p.Attributes, c.Attributes)
	}

	for _, tc := range []struct {
		name    string
		attrs   map[string]any
		pointer string
	}{
		{"frequency not in the allowed set", map[string]any{"pollingFrequency": 7}, "/data/attributes/pollingFrequency"},
		{"frequency as a string", map[string]any{"pollingFrequency": "60"}, "/data/attributes/pollingFrequency"},
		{"frequency zero", map[string]any{"pollingFrequency": 0}, "/data/attributes/pollingFrequency"},
		{"toggle as a string", map[string]any{"pushing": "true"}, "/data/attributes/pushing"},
		{"toggle null", map[string]any{"outboundUpdate": nil}, "/data/attributes/outboundUpdate"},
		{"crmObject is read only", map[string]any{"crmObject": "lead"}, "/data/attributes/crmObject"},
		{"outreachObject is read only", map[string]any{"outreachObject": "account"}, "/data/attributes/outreachObject"},
		{"unknown attribute", map[string]any{"messages": true}, "/data/attributes/messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := api(t, s, http.MethodPatch, path, resource(typeObject, c.ID, tc.attrs, false))
			wantError(t, r, http.StatusUnprocessableEntity, errValidation, tc.pointer, "")
		})
	}
	if after := itemAt(t, s, path); after.Attributes["pollingFrequency"] != float64(60) {
		t.Errorf("a rejected patch changed the object: %v", after.Attributes)
	}
	// pluginObjects exist as long as the plugin does: no create, no delete.
	wantError(t, api(t, s, http.MethodPost, "/api/v2/pluginObjects", resource(typeObject, nil, map[string]any{"crmObject": "lead"}, true)), 405, errMethodNotAllowed, "", "")
	r = api(t, s, http.MethodDelete, path, nil)
	wantError(t, r, 405, errMethodNotAllowed, "", "")
	if r.header.Get("Allow") != "GET, PATCH" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	wantError(t, api(t, s, http.MethodPatch, "/api/v2/pluginObjects/999", resource(typeObject, 999, map[string]any{"polling": true}, false)), 404, errNotFound, "", "")
}

func TestPluginFieldCatalog(t *testing.T) {
	s := startSandbox(t, Options{})
	r := api(t, s, http.MethodGet, "/api/v2/pluginFields?filter[crmObject]=lead&filter[side]=outreach&page[size]=1000", nil)
	mustStatus(t, r, http.StatusOK)
	fields := map[string]resObj{}
	for _, f := range r.doc(t).many(t) {
		name, _ := f.Attributes["name"].(string)
		fields[name] = f
	}
	for name, want := range map[string][2]any{
		"optedOut": {"boolean", true}, "emailOptedOut": {"boolean", true}, "callOptedOut": {"boolean", true}, "smsOptedOut": {"boolean", true},
		"optedOutAt": {"datetime", false}, "firstName": {"string", true}, "custom1": {"string", true}, "custom20": {"string", true},
		"createdAt": {"datetime", false}, "owner": {"lookup", true},
	} {
		f, ok := fields[name]
		if !ok {
			t.Errorf("lead outreach catalog lacks %s", name)
			continue
		}
		if f.Attributes["type"] != want[0] || f.Attributes["writable"] != want[1] || f.Attributes["side"] != "outreach" || f.Attributes["label"] == "" {
			t.Errorf("%s: %v", name, f.Attributes)
		}
	}
	r = api(t, s, http.MethodGet, "/api/v2/pluginFields?filter[crmObject]=contact&filter[side]=crm&filter[name]=donotemail", nil)
	crm := r.doc(t).many(t)
	if len(crm) != 1 || crm[0].Attributes["type"] != "boolean" || crm[0].Attributes["writable"] != true || crm[0].Attributes["label"] != "Do not allow Emails" {
		t.Fatalf("contact donotemail: %s", r.body)
	}
	one := itemAt(t, s, "/api/v2/pluginFields/"+itoa(crm[0].ID))
	if one.Attributes["name"] != "donotemail" {
		t.Errorf("by id: %v", one.Attributes)
	}
	wantError(t, api(t, s, http.MethodPatch, "/api/v2/pluginFields/"+itoa(crm[0].ID), resource(typeField, crm[0].ID, map[string]any{"writable": false}, false)), 405, errMethodNotAllowed, "", "")
}

func TestCollectionParameters(t *testing.T) {
	s := startSandbox(t, Options{})
	for _, tc := range []struct{ query, param string }{
		{"page[size]=1001", "page[size]"},
		{"page[size]=0", "page[size]"},
		{"page[size]=ten", "page[size]"},
		{"page[offset]=10", "page[offset]"},
		{"page[after]=bogus", "page[after]"},
		{"page[after]=" + encodeCursor(typeMapping, false, 3), "page[after]"}, // a cursor of another collection
		{"page[after]=" + encodeCursor(typeField, true, 3), "page[after]"},    // a cursor of another sort
		{"sort=name", "sort"},
		{"count=yes", "count"},
		{"filter[label]=Email", "filter[label]"},
		{"filter[plugin]=1", "filter[plugin]"},
		{"filter[plugin][id]=one", "filter[plugin][id]"},
		{"filter[side]=", "filter[side]"},
	} {
		r := api(t, s, http.MethodGet, "/api/v2/pluginFields?"+tc.query, nil)
		wantError(t, r, http.StatusUnprocessableEntity, errValidation, tc.param, "")
	}
	// Parameters the sandbox does not model are ignored, as by the public API.
	mustStatus(t, api(t, s, http.MethodGet, "/api/v2/pluginFields?newFilterSyntax=true&fields[pluginField]=name", nil), http.StatusOK)

	r := api(t, s, http.MethodGet, "/api/v2/pluginFields?sort=-id&page[size]=5&count=true", nil)
	mustStatus(t, r, http.StatusOK)
	d := r.doc(t)
	items := d.many(t)
	if len(items) != 5 || d.Meta["count"] == nil || d.Links["next"] == "" || d.Links["first"] == "" {
		t.Fatalf("page %s", r.body)
	}
	for i := 1; i < len(items); i++ {
		if items[i].ID >= items[i-1].ID {
			t.Fatalf("sort=-id not descending: %d after %d", items[i].ID, items[i-1].ID)
		}
	}
	next := api(t, s, http.MethodGet, d.Links["next"], nil).doc(t).many(t)
	if len(next) != 5 || next[0].ID >= items[4].ID {
		t.Fatalf("second page of sort=-id starts at %d after %d", next[0].ID, items[4].ID)
	}
	if def := api(t, s, http.MethodGet, "/api/v2/pluginFields", nil).doc(t); len(def.many(t)) != defaultPageSize || def.Meta != nil {
		t.Errorf("default page: %d items, meta %v", len(def.many(t)), def.Meta)
	}
}

// TestPagingFollowsNext pages through 2,500 mappings with the maximum page size.
func TestPagingFollowsNext(t *testing.T) {
	s := startSandbox(t, Options{})
	s.LoadSyntheticFieldMappings(2500)

	seen := map[int64]bool{}
	next := s.OutreachURL() + "/api/v2/pluginFieldMappings?page[size]=1000&count=true&filter[plugin][id]=1"
	pages := 0
	var last int64
	for next != "" {
		r := api(t, s, http.MethodGet, next, nil)
		mustStatus(t, r, http.StatusOK)
		d := r.doc(t)
		pages++
		if d.Meta["count"] != float64(2500) {
			t.Errorf("page %d: meta.count %v", pages, d.Meta["count"])
		}
		if !strings.HasPrefix(d.Links["first"], s.OutreachURL()+"/api/v2/pluginFieldMappings?") || strings.Contains(d.Links["first"], "page%5Bafter%5D") {
			t.Errorf("links.first %q", d.Links["first"])
		}
		for _, it := range d.many(t) {
			if seen[it.ID] || it.ID <= last {
				t.Fatalf("id %d repeated or out of order", it.ID)
			}
			seen[it.ID], last = true, it.ID
		}
		next = d.Links["next"]
		if next != "" && !strings.HasPrefix(next, s.OutreachURL()+"/") {
			t.Fatalf("links.next %q is not an absolute URL on the same host", next)
		}
		if pages > 3 {
			t.Fatal("more than 3 pages")
		}
	}
	if pages != 3 || len(seen) != 2500 {
		t.Fatalf("%d pages, %d distinct mappings", pages, len(seen))
	}
}
