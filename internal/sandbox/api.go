package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// kind describes one JSON:API resource type of the plugin contract. A nil create, update or
// remove means the contract does not offer that operation.
type kind struct {
	typ, plural string
	// scope is the resource part of the OAuth scopes guarding the type ("plugins" when empty).
	scope      string
	filterable map[string]bool
	all        func(st *state) []record
	get        func(st *state, id int64) record
	create     func(s *Server, in *inResource, now time.Time) (record, int, []apiError)
	update     func(s *Server, rec record, in *inResource, now time.Time) (int, []apiError)
	remove     func(st *state, id int64)
	// decorate, when set, adds request-dependent members (such as meta requested by a query
	// parameter) to a rendered resource object.
	decorate func(s *Server, rec record, q url.Values, o map[string]any)
	// list, when set, answers the collection GET itself (its own sorts and filters; audit.go);
	// a kind with list and no get is a collection only.
	list func(s *Server, q url.Values, base, path string) (map[string]any, []apiError)
}

// scopeResource is the resource part of the scopes that guard k.
func (k *kind) scopeResource() string {
	if k.scope == "" {
		return "plugins"
	}
	return k.scope
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var kinds = map[string]*kind{}

func init() {
	for _, k := range []*kind{
		{
			typ: typePlugin, plural: "plugins", filterable: set("kind", "instanceUrl"),
			all: func(st *state) []record { return records(st.Plugins) },
			get: func(st *state, id int64) record { return lookup(st.Plugins, id) },
		},
		{
			typ: typeObject, plural: "pluginObjects", filterable: set("plugin.id", "crmObject"),
			all:    func(st *state) []record { return records(st.Objects) },
			get:    func(st *state, id int64) record { return lookup(st.Objects, id) },
			update: updateObject,
		},
		{
			typ: typeField, plural: "pluginFields", filterable: set("plugin.id", "crmObject", "side", "name"),
			all: func(st *state) []record { return records(st.Fields) },
			get: func(st *state, id int64) record { return lookup(st.Fields, id) },
		},
		{
			typ: typeMapping, plural: "pluginFieldMappings", filterable: set("plugin.id", "crmObject", "outreachField", "crmField"),
			all:    func(st *state) []record { return records(st.Mappings) },
			get:    func(st *state, id int64) record { return lookup(st.Mappings, id) },
			create: createMapping,
			update: updateMapping,
			remove: func(st *state, id int64) { delete(st.Mappings, id) },
		},
		{
			typ: typeCondition, plural: "pluginSyncConditions", filterable: set("plugin.id", "crmObject", "trigger"),
			all:    func(st *state) []record { return records(st.Conditions) },
			get:    func(st *state, id int64) record { return lookup(st.Conditions, id) },
			create: createCondition,
			update: updateCondition,
			remove: func(st *state, id int64) { delete(st.Conditions, id) },
		},
		prospectKind,
	} {
		kinds[k.plural] = k
	}
}

func records[T record](m map[int64]T) []record {
	out := make([]record, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// lookup returns nil (as a record interface) when the id is unknown.
func lookup[T record](m map[int64]T, id int64) record {
	v, ok := m[id]
	if !ok {
		return nil
	}
	return v
}

func requestBase(r *http.Request) string { return "http://" + r.Host }

// scopeFor maps a method to the scope it needs on a resource (contract §1: scopes are not
// additive).
func scopeFor(resource, method string) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		return resource + ".read"
	case http.MethodDelete:
		return resource + ".delete"
	default:
		return resource + ".write"
	}
}

// serveAPI routes an authenticated /api/v2 request. Caller holds s.mu. The order of checks is
// route (404), method (405), scope (403), media type (415), then the body: a client learns about
// the most fundamental problem first.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, p *principal, now time.Time) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v2"), "/")
	segs := strings.Split(rest, "/")
	k := kinds[segs[0]]
	if k == nil || len(segs) > 4 || len(segs) == 3 || (len(segs) > 1 && k.get == nil) {
		writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: "no such resource: " + r.URL.Path})
		return
	}
	var id int64
	if len(segs) >= 2 {
		n, err := strconv.ParseInt(segs[1], 10, 64)
		if err != nil || n < 1 {
			writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: fmt.Sprintf("%s %q not found", k.typ, segs[1])})
			return
		}
		id = n
	}
	if len(segs) == 4 && (k.typ != typePlugin || segs[2] != "actions" || segs[3] != "refreshFields") {
		writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: "no such action: " + r.URL.Path})
		return
	}

	// The plugin-object "cannot be created or deleted" rule, and read-only types in general, are
	// answered with 405 and an Allow header rather than a routing 404: the path exists, and the
	// status tells a client developer precisely that the verb is the problem.
	var allowed []string
	switch {
	case len(segs) == 4:
		allowed = []string{http.MethodPost}
	case len(segs) == 1:
		allowed = []string{http.MethodGet}
		if k.create != nil {
			allowed = append(allowed, http.MethodPost)
		}
	default:
		allowed = []string{http.MethodGet}
		if k.update != nil {
			allowed = append(allowed, http.MethodPatch)
		}
		if k.remove != nil {
			allowed = append(allowed, http.MethodDelete)
		}
	}
	if !slices.Contains(allowed, r.Method) {
		writeMethodNotAllowed(w, allowed...)
		return
	}
	if need := scopeFor(k.scopeResource(), r.Method); !p.has(need) {
		writeErrors(w, http.StatusForbidden, apiError{ID: errScope,
			Detail: fmt.Sprintf("this request needs the %s scope (or %s.all); scopes are not additive", need, k.scopeResource())})
		return
	}
	hasBody, okType := checkMediaType(r)
	if !okType {
		writeErrors(w, http.StatusUnsupportedMediaType, apiError{ID: errUnsupportedMediaType,
			Detail: "requests with a body must use Content-Type: " + jsonAPIMediaType + " (without parameters)"})
		return
	}
	base := requestBase(r)
	render := func(rec record) map[string]any {
		o := rec.object(base)
		if k.decorate != nil {
			k.decorate(s, rec, r.URL.Query(), o)
		}
		return o
	}

	switch {
	case len(segs) == 4:
		s.refreshFields(w, p, id, now)
	case len(segs) == 1 && r.Method == http.MethodGet && k.list != nil:
		s.serveCustomList(w, r, k)
	case len(segs) == 1 && r.Method == http.MethodGet:
		lq, errs := parseListQuery(r.URL.Query(), k.typ, k.filterable)
		if len(errs) > 0 {
			writeErrors(w, http.StatusUnprocessableEntity, errs...)
			return
		}
		writeJSON(w, http.StatusOK, jsonAPIMediaType, page(k.all(s.st), lq, k.typ, base, r.URL.Path, r.URL.Query(), render))
	case len(segs) == 1: // POST
		if !hasBody {
			writeErrors(w, http.StatusBadRequest, apiError{ID: errBadRequest, Detail: "a request document is required"})
			return
		}
		in, e := decodeDocument(r)
		if e != nil {
			writeErrors(w, http.StatusBadRequest, *e)
			return
		}
		if e := checkType(in, k.typ); e != nil {
			writeErrors(w, statusOf(*e), *e)
			return
		}
		// Client-generated ids: JSON:API would allow a 403, but Outreach's 403 means "missing
		// scope", so a 422 on /data/id keeps the two apart.
		if !isNull(in.ID) {
			writeErrors(w, http.StatusUnprocessableEntity, invalidPointer("/data/id", "client-generated ids are not supported; omit id"))
			return
		}
		rec, status, errs := k.create(s, in, now)
		if len(errs) > 0 {
			writeErrors(w, status, errs...)
			return
		}
		s.recordChange(p, k.typ, auditCreate, nil, rec.object(base), now)
		w.Header().Set("Location", base+"/api/v2/"+k.plural+"/"+itoa(rec.recordID()))
		writeJSON(w, http.StatusCreated, jsonAPIMediaType, map[string]any{"data": render(rec)})
	default:
		rec := k.get(s.st, id)
		if rec == nil {
			writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: fmt.Sprintf("%s %d not found", k.typ, id)})
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, jsonAPIMediaType, map[string]any{"data": render(rec)})
		case http.MethodDelete:
			k.remove(s.st, id)
			s.recordChange(p, k.typ, auditDelete, rec.object(base), nil, now)
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPatch:
			if !hasBody {
				writeErrors(w, http.StatusBadRequest, apiError{ID: errBadRequest, Detail: "a request document is required"})
				return
			}
			in, e := decodeDocument(r)
			if e != nil {
				writeErrors(w, http.StatusBadRequest, *e)
				return
			}
			if e := checkType(in, k.typ); e != nil {
				writeErrors(w, statusOf(*e), *e)
				return
			}
			if e := checkPatchID(in, id); e != nil {
				writeErrors(w, statusOf(*e), *e)
				return
			}
			before := rec.object(base)
			if status, errs := k.update(s, rec, in, now); len(errs) > 0 {
				writeErrors(w, status, errs...)
				return
			}
			s.recordChange(p, k.typ, auditUpdate, before, rec.object(base), now)
			writeJSON(w, http.StatusOK, jsonAPIMediaType, map[string]any{"data": render(rec)})
		}
	}
}

func statusOf(e apiError) int {
	switch e.ID {
	case errConflict:
		return http.StatusConflict
	case errNotFound:
		return http.StatusNotFound
	case errBadRequest:
		return http.StatusBadRequest
	default:
		return http.StatusUnprocessableEntity
	}
}

// checkPatchID: a PATCH document must name the resource it changes. A missing or malformed id is
// a 422; a well-formed id of another resource is the 409 JSON:API prescribes.
func checkPatchID(in *inResource, id int64) *apiError {
	if isNull(in.ID) {
		e := invalidPointer("/data/id", "id is required in a PATCH document")
		return &e
	}
	got, ok := rawInt(in.ID)
	if !ok {
		e := invalidPointer("/data/id", "id must be an integer")
		return &e
	}
	if got != id {
		return &apiError{ID: errConflict, Detail: fmt.Sprintf("id %d does not match the URL's id %d", got, id), Source: &errorSource{Pointer: "/data/id"}}
	}
	return nil
}

// checkAttrNames rejects attributes that are unknown or read only. The public API answers
// unknown attributes with a 422 rather than ignoring them; for a client that is the useful
// behaviour, since a misspelt attribute would otherwise be a silent no-op.
func checkAttrNames(attrs map[string]json.RawMessage, writable map[string]bool, readOnly map[string]string) []apiError {
	return checkMemberNames(attrs, writable, readOnly, "/data/attributes/", "attribute")
}

// checkRelNames allows only the named relationships on a write.
func checkRelNames(rels map[string]json.RawMessage, allowed map[string]bool, readOnly map[string]string) []apiError {
	return checkMemberNames(rels, allowed, readOnly, "/data/relationships/", "relationship")
}

// checkMemberNames reports, in name order, every member of a write that is neither allowed nor
// read only (unknown), and every read-only one with its reason.
func checkMemberNames(members map[string]json.RawMessage, allowed map[string]bool, readOnly map[string]string, pointer, kind string) []apiError {
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []apiError
	for _, n := range names {
		switch {
		case allowed[n]:
		case readOnly[n] != "":
			errs = append(errs, invalidPointer(pointer+n, "%s", readOnly[n]))
		default:
			errs = append(errs, invalidPointer(pointer+n, "unknown %s %q", kind, n))
		}
	}
	return errs
}

// resolvePlugin reads the required plugin relationship of a create. A reference to a plugin
// that does not exist is a 404, as JSON:API prescribes for missing related resources.
func (s *Server) resolvePlugin(in *inResource) (int64, int, []apiError) {
	raw, ok := in.Relationships["plugin"]
	if !ok {
		return 0, http.StatusUnprocessableEntity, []apiError{invalidPointer("/data/relationships/plugin", "relationship plugin is required")}
	}
	id, e := relationshipID(raw, "plugin", typePlugin)
	if e != nil {
		return 0, http.StatusUnprocessableEntity, []apiError{*e}
	}
	if s.st.Plugins[id] == nil {
		return 0, http.StatusNotFound, []apiError{{ID: errNotFound, Detail: fmt.Sprintf("plugin %d not found", id), Source: &errorSource{Pointer: "/data/relationships/plugin"}}}
	}
	return id, 0, nil
}

// --- plugin ---

func (p *plugin) recordID() int64 { return p.ID }

func (p *plugin) filterValue(attr string) string {
	switch attr {
	case "id":
		return itoa(p.ID)
	case "kind":
		return p.Kind
	case "instanceUrl":
		return p.InstanceURL
	}
	return ""
}

func (p *plugin) object(base string) map[string]any {
	related := func(plural string) map[string]any {
		return map[string]any{"links": map[string]any{"related": base + "/api/v2/" + plural + "?filter[plugin][id]=" + itoa(p.ID)}}
	}
	return resourceObject(typePlugin, p.ID, base, "plugins", map[string]any{
		"kind":        p.Kind,
		"name":        p.Name,
		"instanceUrl": p.InstanceURL,
		"syncStatus":  p.SyncStatus,
		"createdAt":   formatTime(p.CreatedAt),
		"updatedAt":   formatTime(p.UpdatedAt),
	}, map[string]any{
		"pluginObjects":        related("pluginObjects"),
		"pluginFields":         related("pluginFields"),
		"pluginFieldMappings":  related("pluginFieldMappings"),
		"pluginSyncConditions": related("pluginSyncConditions"),
	})
}

// refreshFields is the plugin action that re-reads the CRM's columns (contract 3.1).
func (s *Server) refreshFields(w http.ResponseWriter, p *principal, id int64, now time.Time) {
	pl := s.st.Plugins[id]
	if pl == nil {
		writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: fmt.Sprintf("plugin %d not found", id)})
		return
	}
	lag := time.Duration(s.faults.RefreshLagSeconds) * time.Second
	s.st.refreshCRMFields(id, s.org, now.Add(-lag))
	pl.UpdatedAt = now
	s.st.appendAudit("plugin_updated", auditUpdate, p.agent(), []map[string]any{{
		"resourceType": typePlugin, "resourceId": id, "attribute": "pluginFields", "before": nil, "after": "refreshed from the CRM",
	}}, now)
	w.WriteHeader(http.StatusNoContent)
}

// --- pluginObject ---

func (o *pluginObject) recordID() int64 { return o.ID }

func (o *pluginObject) filterValue(attr string) string {
	switch attr {
	case "id":
		return itoa(o.ID)
	case "plugin.id":
		return itoa(o.PluginID)
	case "crmObject":
		return o.CRMObject
	}
	return ""
}

func (o *pluginObject) object(base string) map[string]any {
	return resourceObject(typeObject, o.ID, base, "pluginObjects", map[string]any{
		"crmObject":        o.CRMObject,
		"outreachObject":   o.OutreachObject,
		"polling":          o.Polling,
		"pollingFrequency": o.PollingFrequency,
		"pushing":          o.Pushing,
		"inboundCreate":    o.InboundCreate,
		"inboundUpdate":    o.InboundUpdate,
		"outboundCreate":   o.OutboundCreate,
		"outboundUpdate":   o.OutboundUpdate,
		"updatedAt":        formatTime(o.UpdatedAt),
	}, pluginRel(o.PluginID))
}

var objectToggles = []string{"polling", "pushing", "inboundCreate", "inboundUpdate", "outboundCreate", "outboundUpdate"}

func updateObject(s *Server, rec record, in *inResource, now time.Time) (int, []apiError) {
	o, ok := rec.(*pluginObject)
	if !ok {
		return http.StatusInternalServerError, []apiError{{ID: "internalError", Title: "Internal Error", Detail: "record is not a pluginObject"}}
	}
	errs := checkAttrNames(in.Attributes, set(append([]string{"pollingFrequency"}, objectToggles...)...), map[string]string{
		"crmObject":      "crmObject is read only",
		"outreachObject": "outreachObject is read only",
		"updatedAt":      "updatedAt is read only",
		"createdAt":      "createdAt is read only",
	})
	errs = append(errs, checkRelNames(in.Relationships, nil, map[string]string{"plugin": "plugin cannot be changed"})...)
	next := *o
	toggles := map[string]*bool{
		"polling": &next.Polling, "pushing": &next.Pushing,
		"inboundCreate": &next.InboundCreate, "inboundUpdate": &next.InboundUpdate,
		"outboundCreate": &next.OutboundCreate, "outboundUpdate": &next.OutboundUpdate,
	}
	for _, name := range objectToggles {
		if raw, ok := in.Attributes[name]; ok {
			b, ok := rawBool(raw)
			if !ok {
				errs = append(errs, invalidAttr(name, "%s must be true or false", name))
				continue
			}
			*toggles[name] = b
		}
	}
	if raw, ok := in.Attributes["pollingFrequency"]; ok {
		n, ok := rawInt(raw)
		if !ok || !slices.Contains(allowedPollingFrequencies, int(n)) {
			errs = append(errs, invalidAttr("pollingFrequency", "pollingFrequency must be one of %s (minutes)", joinInts(allowedPollingFrequencies)))
		} else {
			next.PollingFrequency = int(n)
		}
	}
	if len(errs) > 0 {
		return http.StatusUnprocessableEntity, errs
	}
	next.UpdatedAt = now
	*o = next
	return 0, nil
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}

// --- pluginField ---

func (f *pluginField) recordID() int64 { return f.ID }

func (f *pluginField) filterValue(attr string) string {
	switch attr {
	case "id":
		return itoa(f.ID)
	case "plugin.id":
		return itoa(f.PluginID)
	case "crmObject":
		return f.CRMObject
	case "side":
		return f.Side
	case "name":
		return f.Name
	}
	return ""
}

func (f *pluginField) object(base string) map[string]any {
	return resourceObject(typeField, f.ID, base, "pluginFields", map[string]any{
		"crmObject": f.CRMObject,
		"side":      f.Side,
		"name":      f.Name,
		"label":     f.Label,
		"type":      f.Type,
		"writable":  f.Writable,
	}, pluginRel(f.PluginID))
}
