package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const jsonAPIMediaType = "application/vnd.api+json"

// Error ids (contract §2) plus the few this server needs where the contract is silent.
const (
	errUnsupportedMediaType = "unsupportedMediaType"
	errNotFound             = "resourceNotFound"
	errValidation           = "validationError"
	errScope                = "unauthorizedOauthScope"
	errRateLimit            = "rateLimitExceeded"
	errMaintenance          = "scheduledServerMaintenance"
	errConflict             = "conflict"
	errMethodNotAllowed     = "methodNotAllowed"
	errBadRequest           = "badRequest"
)

var errorTitles = map[string]string{
	errUnsupportedMediaType: "Unsupported Media Type",
	errNotFound:             "Resource Not Found",
	errValidation:           "Validation Error",
	errScope:                "Unauthorized OAuth Scope",
	errRateLimit:            "Rate Limit Exceeded",
	errMaintenance:          "Scheduled Server Maintenance",
	errConflict:             "Conflict",
	errMethodNotAllowed:     "Method Not Allowed",
	errBadRequest:           "Bad Request",
}

type errorSource struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
}

type apiError struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Detail string       `json:"detail,omitempty"`
	Source *errorSource `json:"source,omitempty"`
}

// invalidAttr is a 422 on one attribute.
func invalidAttr(attr, format string, args ...any) apiError {
	return apiError{ID: errValidation, Detail: fmt.Sprintf(format, args...), Source: &errorSource{Pointer: "/data/attributes/" + attr}}
}

func invalidPointer(ptr, format string, args ...any) apiError {
	return apiError{ID: errValidation, Detail: fmt.Sprintf(format, args...), Source: &errorSource{Pointer: ptr}}
}

func invalidParam(param, format string, args ...any) apiError {
	return apiError{ID: errValidation, Detail: fmt.Sprintf(format, args...), Source: &errorSource{Parameter: param}}
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	for i := range errs {
		if errs[i].Title == "" {
			errs[i].Title = errorTitles[errs[i].ID]
		}
	}
	writeJSON(w, status, jsonAPIMediaType, map[string]any{"errors": errs})
}

func writeMethodNotAllowed(w http.ResponseWriter, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeErrors(w, http.StatusMethodNotAllowed, apiError{ID: errMethodNotAllowed,
		Detail: "this resource accepts " + strings.Join(allowed, ", ")})
}

// formatTime renders timestamps as the public API does: UTC, millisecond precision. Millisecond
// precision also makes two writes within one second give different updatedAt values.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// checkMediaType reports whether the request carries a body, and checks its media type. JSON:API
// 1.0, which the public API implements, also rejects media type parameters (even charset), so
// "application/vnd.api+json; charset=utf-8" is a 415 too.
func checkMediaType(r *http.Request) (hasBody bool, ok bool) {
	hasBody = r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
	if !hasBody {
		// A stray Content-Type on a GET or DELETE without a body is harmless.
		return false, true
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != jsonAPIMediaType || len(params) > 0 {
		return hasBody, false
	}
	return hasBody, true
}

// inResource is a resource object of a request document, kept raw so that the handlers can tell
// an absent attribute from a null one and report the exact pointer of a bad value.
type inResource struct {
	Type          json.RawMessage            `json:"type"`
	ID            json.RawMessage            `json:"id"`
	Attributes    map[string]json.RawMessage `json:"attributes"`
	Relationships map[string]json.RawMessage `json:"relationships"`
	// Meta is the resource object's meta member; only prospects read it (sandbox-only links).
	Meta map[string]json.RawMessage `json:"meta"`
}

// decodeDocument reads {"data": {...}}. Malformed JSON is a 400: the document could not be read
// at all, which JSON:API distinguishes from a readable but invalid one (422).
func decodeDocument(r *http.Request) (*inResource, *apiError) {
	body := http.MaxBytesReader(nil, r.Body, 1<<20)
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	dec := json.NewDecoder(body)
	if err := dec.Decode(&doc); err != nil {
		return nil, &apiError{ID: errBadRequest, Detail: "the request body is not a valid JSON:API document: " + err.Error()}
	}
	if len(doc.Data) == 0 || bytes.Equal(doc.Data, []byte("null")) {
		return nil, &apiError{ID: errBadRequest, Detail: "the document must have a primary data object", Source: &errorSource{Pointer: "/data"}}
	}
	var in inResource
	if err := json.Unmarshal(doc.Data, &in); err != nil {
		return nil, &apiError{ID: errBadRequest, Detail: "data must be a resource object: " + err.Error(), Source: &errorSource{Pointer: "/data"}}
	}
	return &in, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// rawString decodes a JSON string; ok is false for anything else (null included).
func rawString(raw json.RawMessage) (string, bool) {
	var s string
	if isNull(raw) || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func rawBool(raw json.RawMessage) (bool, bool) {
	var b bool
	if isNull(raw) || json.Unmarshal(raw, &b) != nil {
		return false, false
	}
	return b, true
}

// rawInt accepts a JSON integer literal only: "1.0", "1e3" and "\"1\"" are not integers.
func rawInt(raw json.RawMessage) (int64, bool) {
	s := string(bytes.TrimSpace(raw))
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}

// checkType verifies the resource type of a request document. A wrong type is 409 per JSON:API
// ("type ... does not match the server's endpoint").
func checkType(in *inResource, want string) *apiError {
	if len(in.Type) == 0 {
		e := invalidPointer("/data/type", "type is required")
		return &e
	}
	t, ok := rawString(in.Type)
	if !ok {
		e := invalidPointer("/data/type", "type must be a string")
		return &e
	}
	if t != want {
		return &apiError{ID: errConflict, Detail: fmt.Sprintf("type %q does not match this endpoint, which takes %q", t, want), Source: &errorSource{Pointer: "/data/type"}}
	}
	return nil
}

// relationshipID reads {"data": {"type": want, "id": <int>}} from a to-one relationship.
func relationshipID(raw json.RawMessage, name, want string) (int64, *apiError) {
	ptr := "/data/relationships/" + name
	var rel struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &rel); err != nil || isNull(rel.Data) {
		e := invalidPointer(ptr, "%s must be {\"data\": {\"type\": %q, \"id\": <id>}}", name, want)
		return 0, &e
	}
	var ri struct {
		Type json.RawMessage `json:"type"`
		ID   json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(rel.Data, &ri); err != nil {
		e := invalidPointer(ptr+"/data", "%s must be {\"data\": {\"type\": %q, \"id\": <id>}}", name, want)
		return 0, &e
	}
	if t, ok := rawString(ri.Type); !ok || t != want {
		e := invalidPointer(ptr+"/data/type", "%s must reference a resource of type %q", name, want)
		return 0, &e
	}
	id, ok := rawInt(ri.ID)
	if !ok || id < 1 {
		e := invalidPointer(ptr+"/data/id", "%s id must be a positive integer", name)
		return 0, &e
	}
	return id, nil
}

// record is what the generic collection code needs from a stored resource.
type record interface {
	recordID() int64
	// filterValue is the string form of a filterable attribute ("plugin.id" for the
	// relationship).
	filterValue(attr string) string
	object(base string) map[string]any
}

func resourceObject(typ string, id int64, base, plural string, attrs map[string]any, rels map[string]any) map[string]any {
	o := map[string]any{
		"type":       typ,
		"id":         id,
		"attributes": attrs,
		"links":      map[string]any{"self": base + "/api/v2/" + plural + "/" + itoa(id)},
	}
	if rels != nil {
		o["relationships"] = rels
	}
	return o
}

func pluginRel(id int64) map[string]any {
	return map[string]any{"plugin": map[string]any{"data": map[string]any{"type": typePlugin, "id": id}}}
}

// listQuery is a parsed collection request.
type listQuery struct {
	size     int
	after    int64
	hasAfter bool
	desc     bool
	count    bool
	filters  map[string][]string
}

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// parseListQuery validates the collection parameters. Anything wrong with a parameter the
// sandbox understands is a 422 naming the parameter. An unknown filter attribute is a 422 too
// (the contract lists the filterable attributes): silently ignoring it would turn a typo into
// "every record", which is how a cleanup loop deletes what it should not. Other unknown
// parameters (include, fields[...], newFilterSyntax, ...) are ignored, as the public API accepts
// many the sandbox does not model.
func parseListQuery(q url.Values, typ string, filterable map[string]bool) (listQuery, []apiError) {
	lq := listQuery{size: defaultPageSize, filters: map[string][]string{}}
	var errs []apiError
	for _, k := range sortedKeys(q) {
		v := q.Get(k)
		if ok, e := pagingParam(k, v, &lq.size, &lq.count); ok {
			errs = append(errs, e...)
			continue
		}
		switch {
		case k == "sort":
			switch v {
			case "id":
			case "-id":
				lq.desc = true
			default:
				errs = append(errs, invalidParam(k, "sort must be id or -id"))
			}
		case strings.HasPrefix(k, "filter[") && strings.HasSuffix(k, "]"):
			attr := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(k, "filter["), "]"), "][", ".")
			if attr != "id" && !filterable[attr] {
				errs = append(errs, invalidParam(k, "%s is not a filterable attribute of %s; filterable: %s", attr, typ, filterList(filterable)))
				continue
			}
			vals := strings.Split(v, ",")
			for _, fv := range vals {
				if fv == "" {
					errs = append(errs, invalidParam(k, "%s must not be empty", k))
					break
				}
				if attr == "id" || attr == "plugin.id" {
					if n, err := strconv.ParseInt(fv, 10, 64); err != nil || n < 1 {
						errs = append(errs, invalidParam(k, "%s takes positive integer ids", k))
						break
					}
				}
			}
			lq.filters[attr] = vals
		}
	}
	if v := q.Get("page[after]"); q.Has("page[after]") {
		id, ok := decodeCursor(v, typ, lq.desc)
		if !ok {
			errs = append(errs, invalidParam("page[after]", "page[after] is not a cursor issued for this collection and sort; follow links.next verbatim"))
		} else {
			lq.after, lq.hasAfter = id, true
		}
	}
	return lq, errs
}

// sortedKeys lists the parameters in name order, so that the errors of a request never depend on
// map iteration order.
func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pagingParam reads the parameters every collection takes alike: page[size], count, and the
// paging parameters the API does not have. It reports whether k was one of them; page[after] is
// one too, but the caller decodes it, once the sort is known.
func pagingParam(k, v string, size *int, count *bool) (bool, []apiError) {
	switch {
	case k == "page[size]":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return true, []apiError{invalidParam(k, "page[size] must be an integer from 1 to %d", maxPageSize)}
		}
		*size = n
	case k == "page[after]":
	case strings.HasPrefix(k, "page["):
		return true, []apiError{invalidParam(k, "unsupported paging parameter %s; use page[size] and page[after]", k)}
	case k == "count":
		switch v {
		case "true":
			*count = true
		case "false":
		default:
			return true, []apiError{invalidParam(k, "count must be true or false")}
		}
	default:
		return false, nil
	}
	return true, nil
}

func filterList(filterable map[string]bool) string {
	names := []string{"id"}
	for k := range filterable {
		names = append(names, strings.ReplaceAll(k, ".", "]["))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Cursors are opaque to clients but simple inside: the type, the sort and the last id seen.
// Binding them to type and sort makes a cursor pasted into another query fail loudly.
func encodeCursor(typ string, desc bool, last int64) string {
	dir := "asc"
	if desc {
		dir = "desc"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + dir + ":" + itoa(last)))
}

func decodeCursor(c, typ string, desc bool) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(b), ":")
	dir := "asc"
	if desc {
		dir = "desc"
	}
	if len(parts) != 3 || parts[0] != typ || parts[1] != dir {
		return 0, false
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	return id, err == nil
}

// page filters, sorts and cuts a collection and renders the document, each resource object with
// render.
func page(recs []record, lq listQuery, typ, base, path string, q url.Values, render func(record) map[string]any) map[string]any {
	matched := recs[:0:0]
	for _, r := range recs {
		if matches(r, lq.filters) {
			matched = append(matched, r)
		}
	}
	sort.Slice(matched, func(i, j int) bool {
		if lq.desc {
			return matched[i].recordID() > matched[j].recordID()
		}
		return matched[i].recordID() < matched[j].recordID()
	})
	start := 0
	if lq.hasAfter {
		start = sort.Search(len(matched), func(i int) bool {
			if lq.desc {
				return matched[i].recordID() < lq.after
			}
			return matched[i].recordID() > lq.after
		})
	}
	end := min(start+lq.size, len(matched))
	data := make([]any, 0, end-start)
	for _, r := range matched[start:end] {
		data = append(data, render(r))
	}
	firstQ := cloneValues(q)
	firstQ.Del("page[after]")
	links := map[string]any{"first": base + path + encodeQuery(firstQ)}
	if end < len(matched) {
		nextQ := cloneValues(q)
		nextQ.Set("page[after]", encodeCursor(typ, lq.desc, matched[end-1].recordID()))
		links["next"] = base + path + encodeQuery(nextQ)
	}
	doc := map[string]any{"data": data, "links": links}
	if lq.count {
		doc["meta"] = map[string]any{"count": len(matched)}
	}
	return doc
}

func matches(r record, filters map[string][]string) bool {
	for attr, vals := range filters {
		got := r.filterValue(attr)
		hit := false
		for _, v := range vals {
			if v == got {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// sortErrors orders errors by pointer, so that a response never depends on map iteration order.
func sortErrors(errs []apiError) {
	sort.SliceStable(errs, func(i, j int) bool {
		return pointerOf(errs[i]) < pointerOf(errs[j])
	})
}

func pointerOf(e apiError) string {
	if e.Source == nil {
		return ""
	}
	return e.Source.Pointer + e.Source.Parameter
}
