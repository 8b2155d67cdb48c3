package dataverse

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// maxBody bounds request bodies; metadata payloads are a few kilobytes.
const maxBody = 1 << 20

// apiVersionRE matches the Web API base path. v9.0 and v9.1 are served like v9.2, as Dataverse
// keeps serving code written for older versions (facts 2.1).
var apiVersionRE = regexp.MustCompile(`^/api/data/(v9\.[012])(/.*)?$`)

func (o *Org) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Read the body before taking the lock, so that a slow client does not stall the org. The
	// extra byte lets the handlers tell an oversized body from one of exactly maxBody bytes.
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			writeAPIError(w, newError(http.StatusBadRequest, codePayload, "The request body could not be read: %v", err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.st.Stats.Requests++
	if strings.HasPrefix(r.URL.Path, "/_ci/") {
		o.serveCI(w, r) // the emulated CI identity providers (federation.go)
		return
	}
	if m := apiVersionRE.FindStringSubmatch(r.URL.Path); m != nil {
		o.serveAPI(w, r, m[1], strings.TrimPrefix(m[2], "/"))
		return
	}
	o.serveEntra(w, r)
}

// origin returns the org's base URL, or the request's own origin when none was set.
func (o *Org) origin(r *http.Request) string {
	if o.baseURL != "" {
		return o.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// apiRequest is a Web API request after routing.
type apiRequest struct {
	r      *http.Request
	method string
	api    string // e.g. https://127.0.0.1:8788/api/data/v9.2
	path   string // the part after the API base, e.g. EntityDefinitions(LogicalName='lead')
	segs   []segment
	query  url.Values
}

// header returns a request header, trimmed.
func (q *apiRequest) header(name string) string { return strings.TrimSpace(q.r.Header.Get(name)) }

// segment is one path segment, with its key if it has one: Name or Name(key).
type segment struct {
	name string
	key  *segKey
}

// segKey is a parsed OData key: a GUID primary key or an alternate key such as LogicalName='x'.
type segKey struct {
	id       string // MetadataId when the key is a GUID
	property string // alternate-key property, e.g. LogicalName
	value    string
	raw      string
}

// String renders the key as it appears in URLs and @odata.context.
func (k *segKey) String() string { return k.raw }

func (o *Org) serveAPI(w http.ResponseWriter, r *http.Request, version, rest string) {
	w.Header().Set("OData-Version", "4.0")
	w.Header().Set("REQ_ID", newGUID())
	if e := o.authenticate(r); e != nil {
		writeAPIError(w, e)
		return
	}
	if f := &o.st.Faults; f.Throttle > 0 {
		f.Throttle--
		o.st.Stats.Throttled++
		retry := f.RetryAfter
		if retry == "" {
			retry = "1"
		}
		e := newError(http.StatusTooManyRequests, codeThrottled, throttleMessage)
		e.header = http.Header{"Retry-After": {retry}}
		writeAPIError(w, e)
		return
	}
	if e := checkODataHeaders(r, hasBody(r)); e != nil {
		writeAPIError(w, e)
		return
	}
	q := &apiRequest{r: r, method: r.Method, api: o.origin(r) + "/api/data/" + version, path: rest}
	resp, e := o.routeAPI(q)
	if e != nil {
		writeAPIError(w, e)
		return
	}
	writeResponse(w, resp)
}

func (o *Org) routeAPI(q *apiRequest) (*response, *apiError) {
	query, err := parseQuery(q.r.URL.RawQuery)
	if err != nil {
		return nil, queryError("The query string of the request URI is not valid: %v", err)
	}
	q.query = query
	segs, e := parseSegments(q.path)
	if e != nil {
		return nil, e
	}
	q.segs = segs
	if len(segs) == 0 {
		// The service document. Not emulated beyond the entry points this package serves.
		if q.method != http.MethodGet {
			return nil, methodNotAllowed(q.method)
		}
		return okJSON(obj{{"@odata.context", q.api + "/$metadata"}, {"value", serviceDocument()}}), nil
	}
	switch first := segs[0]; first.name {
	case "EntityDefinitions":
		return o.routeEntityDefinitions(q)
	case "WhoAmI":
		return o.handleWhoAmI(q)
	case "PublishXml":
		return o.action(q, o.handlePublishXML)
	case "PublishAllXml":
		return o.action(q, o.handlePublishAllXML)
	case "UpdateOptionValue":
		return o.action(q, o.handleUpdateOptionValue)
	case "AddSolutionComponent":
		return o.action(q, o.handleAddSolutionComponent)
	default:
		if set, ok := recordSets[first.name]; ok {
			return o.handleRecords(q, set)
		}
		if t := o.tableBySet(first.name); t != nil {
			return o.handleDataRows(q, t)
		}
		return nil, notFoundSegment(first.name)
	}
}

// action routes an unbound action: POST only, no key, no further segments.
func (o *Org) action(q *apiRequest, h func(*apiRequest) (*response, *apiError)) (*response, *apiError) {
	if len(q.segs) > 1 {
		return nil, notFoundSegment(q.segs[1].name)
	}
	if q.segs[0].key != nil || q.method != http.MethodPost {
		return nil, noHTTPResource(q.api + "/" + q.path)
	}
	return h(q)
}

func serviceDocument() []obj {
	var out []obj
	for _, name := range []string{"EntityDefinitions", "contacts", "leads", "solutions", "solutioncomponents", "publishers"} {
		out = append(out, obj{{"name", name}, {"kind", "EntitySet"}, {"url", name}})
	}
	return out
}

// hasBody reports whether the request carries a non-empty body; serveHTTP has buffered it.
func hasBody(r *http.Request) bool {
	if r.Body == nil {
		return false
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return len(b) > 0
}

// parseSegments splits the resource path into segments and parses their keys.
func parseSegments(path string) ([]segment, *apiError) {
	var segs []segment
	for _, raw := range strings.Split(path, "/") {
		if raw == "" {
			continue // tolerate a trailing or doubled slash
		}
		open := strings.IndexByte(raw, '(')
		if open < 0 {
			segs = append(segs, segment{name: raw})
			continue
		}
		if !strings.HasSuffix(raw, ")") || open == 0 {
			return nil, queryError("Bad Request - Error in query syntax.")
		}
		k, e := parseKey(raw[open+1 : len(raw)-1])
		if e != nil {
			return nil, e
		}
		segs = append(segs, segment{name: raw[:open], key: k})
	}
	return segs, nil
}

// parseKey parses the inside of Name(...): a GUID, MetadataId=<guid>, or Property='value'.
func parseKey(s string) (*segKey, *apiError) {
	s = strings.TrimSpace(s)
	if isGUID(s) {
		return &segKey{id: strings.ToLower(s), raw: s}, nil
	}
	prop, value, ok := strings.Cut(s, "=")
	if !ok {
		if strings.HasPrefix(s, "'") {
			// A bare string where the key is a GUID (the primary key of metadata and of the
			// records emulated here).
			return nil, queryError("The key value (%s) from request is not valid. The key value should be format of type 'Edm.Guid'.", s)
		}
		return nil, queryError("Bad Request - Error in query syntax.")
	}
	prop, value = strings.TrimSpace(prop), strings.TrimSpace(value)
	if prop == "MetadataId" && isGUID(value) {
		return &segKey{id: strings.ToLower(value), raw: s}, nil
	}
	if len(value) < 2 || value[0] != '\'' || value[len(value)-1] != '\'' {
		return nil, queryError("Bad Request - Error in query syntax.")
	}
	unq, n, ok := readQuoted(value)
	if !ok || n != len(value) {
		return nil, queryError("Bad Request - Error in query syntax.")
	}
	return &segKey{property: prop, value: unq, raw: s}, nil
}

// parseQuery parses a query string like url.ParseQuery, except that only '&' separates options:
// OData uses ';' between the options nested in $expand, e.g. $expand=Attributes($select=a;$filter=b),
// which url.ParseQuery rejects.
func parseQuery(raw string) (url.Values, error) {
	v := url.Values{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		if val, err = url.QueryUnescape(val); err != nil {
			return nil, err
		}
		v.Add(key, val)
	}
	return v, nil
}

// checkQueryOptions rejects system query options outside allowed; metadata queries support no
// paging, ordering or counting (facts 3.2).
func checkQueryOptions(q url.Values, allowed ...string) *apiError {
	for k := range q {
		if !strings.HasPrefix(k, "$") {
			continue // custom query options are ignored, as OData does
		}
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
			}
		}
		if !ok {
			return queryError("The query parameter %s is not supported.", k)
		}
	}
	return nil
}
