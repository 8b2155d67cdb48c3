package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file serves the public API's audit log (GET /api/v2/auditLogs, collection only, scope
// auditLogs.read; facts §7) and records an entry for every change made to the plugin through the
// plugin API, whoever made it: a token's user, an S2S install, or an administrator "in the UI"
// (the admin route /_sandbox/ui/..., see ui.go).
//
// Choices where the public schema is silent, each the least surprising reading of it:
//   - every write is one request and so one event with its own requestId;
//   - result is always "completed": a write that fails validation changes nothing and is not
//     recorded (the real log's "failed" covers asynchronous work the sandbox does not model);
//   - agent is {"type": "user", "id", "name", "email", "source": "api" | "ui"} or, for an S2S
//     token, {"type": "app", "installId", "source": "api"}; changes is a list of
//     {"resourceType", "resourceId", "attribute", "before", "after"}. Both shapes are undocumented,
//     and the provider must not depend on them;
//   - the pluginObject settings are the plugin's "type mappings" (CRM object ↔ Outreach type);
//     a sync condition has no event of its own, so its changes are plugin_updated;
//   - entries older than 90 days are no longer served ("usually kept for 90 days").

const typeAuditLog = "auditLog"

// auditRetention is how long the log keeps an entry.
const auditRetention = 90 * 24 * time.Hour

// sandboxOrgID is the organization's UUID, as audit entries carry it.
const sandboxOrgID = "5a0d6b1e-0000-4000-8000-00000000000a"

const (
	auditCreate = "create"
	auditUpdate = "update"
	auditDelete = "delete"
)

// auditEvent is one audit log entry.
type auditEvent struct {
	ID        int64            `json:"id"`
	EventName string           `json:"event_name"`
	Action    string           `json:"action"`
	Result    string           `json:"result"`
	Timestamp time.Time        `json:"timestamp"`
	RequestID string           `json:"request_id"`
	Agent     map[string]any   `json:"agent"`
	Changes   []map[string]any `json:"changes"`
}

var auditFilterable = set("eventName", "action", "result", "requestId", "timestamp")

var auditKind = &kind{
	typ: typeAuditLog, plural: "auditLogs", scope: "auditLogs",
	list: listAuditLogs,
}

func init() { kinds[auditKind.plural] = auditKind }

func (e *auditEvent) recordID() int64 { return e.ID }

func (e *auditEvent) filterValue(attr string) string {
	switch attr {
	case "id":
		return itoa(e.ID)
	case "eventName":
		return e.EventName
	case "action":
		return e.Action
	case "result":
		return e.Result
	case "requestId":
		return e.RequestID
	case "timestamp":
		return formatTime(e.Timestamp)
	}
	return ""
}

func (e *auditEvent) object(base string) map[string]any {
	changes := e.Changes
	if changes == nil {
		changes = []map[string]any{}
	}
	o := resourceObject(typeAuditLog, e.ID, base, "auditLogs", map[string]any{
		"eventName":      e.EventName,
		"action":         e.Action,
		"result":         e.Result,
		"timestamp":      formatTime(e.Timestamp),
		"requestId":      e.RequestID,
		"agent":          e.Agent,
		"changes":        changes,
		"additionalInfo": []any{},
		"orgId":          sandboxOrgID,
		"globalId":       fmt.Sprintf("%s-%d", sandboxOrgID, e.ID),
	}, nil)
	// Collection only: there is no URL of one entry to link to.
	delete(o, "links")
	return o
}

// --- recording ---

// auditEventName is the event a write of kind k records, "" for resources that are not plugin
// configuration (prospects, sequences).
func auditEventName(typ, action string) string {
	var prefix string
	switch typ {
	case typePlugin, typeCondition:
		prefix = "plugin"
	case typeObject:
		prefix = "plugin_type_mapping"
	case typeMapping:
		prefix = "plugin_field_mapping"
	default:
		return ""
	}
	if typ == typeCondition {
		return "plugin_updated"
	}
	return prefix + map[string]string{auditCreate: "_created", auditUpdate: "_updated", auditDelete: "_destroyed"}[action]
}

// recordChange appends the audit entry of a successful write to a plugin resource: before and
// after are the resource rendered before and after the write (nil for none). Caller holds s.mu.
func (s *Server) recordChange(p *principal, typ, action string, before, after map[string]any, now time.Time) {
	name := auditEventName(typ, action)
	if name == "" {
		return
	}
	if typ == typeCondition {
		action = auditUpdate // the plugin was updated, whatever happened to the condition
	}
	s.st.appendAudit(name, action, p.agent(), diffResource(before, after), now)
}

// appendAudit stores one entry. Caller holds s.mu.
func (st *state) appendAudit(name, action string, agent map[string]any, changes []map[string]any, now time.Time) *auditEvent {
	e := &auditEvent{
		ID: st.newID(typeAuditLog), EventName: name, Action: action, Result: "completed",
		Timestamp: now, RequestID: newUUID(), Agent: agent, Changes: changes,
	}
	st.AuditLogs[e.ID] = e
	return e
}

// diffResource lists the attributes that differ between two renderings of one resource, in
// name order; timestamps are left out, as they change with every write.
func diffResource(before, after map[string]any) []map[string]any {
	ref := after
	if ref == nil {
		ref = before
	}
	if ref == nil {
		return nil
	}
	attrsOf := func(o map[string]any) map[string]any {
		if o == nil {
			return map[string]any{}
		}
		a, _ := o["attributes"].(map[string]any)
		return a
	}
	b, a := attrsOf(before), attrsOf(after)
	names := map[string]bool{}
	for n := range b {
		names[n] = true
	}
	for n := range a {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		if n != "createdAt" && n != "updatedAt" {
			sorted = append(sorted, n)
		}
	}
	sort.Strings(sorted)
	var out []map[string]any
	for _, n := range sorted {
		bv, _ := json.Marshal(b[n])
		av, _ := json.Marshal(a[n])
		if before != nil && after != nil && string(bv) == string(av) {
			continue
		}
		// The values are kept as JSON, not as the rendering's values: those may point into the
		// live record, and an entry must not change when the resource does.
		out = append(out, map[string]any{
			"resourceType": ref["type"], "resourceId": ref["id"], "attribute": n, "before": json.RawMessage(bv), "after": json.RawMessage(av),
		})
	}
	return out
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// --- listing ---

// auditQuery is a parsed auditLogs collection request. Unlike the plugin collections, the audit
// log sorts by timestamp and filters timestamps by range, so it has its own parser and cursor.
type auditQuery struct {
	size     int
	byTime   bool // sort on timestamp (else id)
	desc     bool
	after    *auditCursor
	count    bool
	lists    map[string][]string
	from, to time.Time // inclusive; zero = open
}

type auditCursor struct {
	ts time.Time
	id int64
}

func listAuditLogs(s *Server, q url.Values, base, path string) (map[string]any, []apiError) {
	aq, errs := parseAuditQuery(q)
	if len(errs) > 0 {
		return nil, errs
	}
	oldest := s.Now().Add(-auditRetention)
	var matched []*auditEvent
	for _, e := range s.st.AuditLogs {
		if e.Timestamp.Before(oldest) || !aq.matches(e) {
			continue
		}
		matched = append(matched, e)
	}
	sort.Slice(matched, func(i, j int) bool { return aq.less(matched[i], matched[j]) })
	start := 0
	if aq.after != nil {
		c := &auditEvent{ID: aq.after.id, Timestamp: aq.after.ts}
		start = sort.Search(len(matched), func(i int) bool { return aq.less(c, matched[i]) })
	}
	end := min(start+aq.size, len(matched))
	data := make([]any, 0, end-start)
	for _, e := range matched[start:end] {
		data = append(data, e.object(base))
	}
	firstQ := cloneValues(q)
	firstQ.Del("page[after]")
	links := map[string]any{"first": base + path + encodeQuery(firstQ)}
	if end < len(matched) {
		nextQ := cloneValues(q)
		last := matched[end-1]
		nextQ.Set("page[after]", encodeAuditCursor(aq, last))
		links["next"] = base + path + encodeQuery(nextQ)
	}
	doc := map[string]any{"data": data, "links": links}
	if aq.count {
		doc["meta"] = map[string]any{"count": len(matched)}
	}
	return doc, nil
}

// less orders by the sort key, then by id in the same direction, so that the order is total and
// a cursor names one position.
func (aq *auditQuery) less(a, b *auditEvent) bool {
	if aq.byTime && !a.Timestamp.Equal(b.Timestamp) {
		if aq.desc {
			return a.Timestamp.After(b.Timestamp)
		}
		return a.Timestamp.Before(b.Timestamp)
	}
	if aq.desc {
		return a.ID > b.ID
	}
	return a.ID < b.ID
}

func (aq *auditQuery) matches(e *auditEvent) bool {
	if (!aq.from.IsZero() && e.Timestamp.Before(aq.from)) || (!aq.to.IsZero() && e.Timestamp.After(aq.to)) {
		return false
	}
	return matches(e, aq.lists)
}

func (aq *auditQuery) sortName() string {
	n := "id"
	if aq.byTime {
		n = "timestamp"
	}
	if aq.desc {
		n = "-" + n
	}
	return n
}

// Audit cursors carry the sort and the last entry's position; binding them to the sort makes a
// cursor pasted into another query fail loudly.
func encodeAuditCursor(aq auditQuery, last *auditEvent) string {
	raw := typeAuditLog + ":" + aq.sortName() + ":" + strconv.FormatInt(last.Timestamp.UnixNano(), 10) + ":" + itoa(last.ID)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeAuditCursor(c string, aq auditQuery) (*auditCursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 4 || parts[0] != typeAuditLog || parts[1] != aq.sortName() {
		return nil, false
	}
	ns, err1 := strconv.ParseInt(parts[2], 10, 64)
	id, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return &auditCursor{ts: time.Unix(0, ns).UTC(), id: id}, true
}

// parseAuditQuery validates the collection parameters as parseListQuery does for the plugin
// collections (422 naming the parameter; unknown filters refused, other unknown parameters
// ignored), with the audit log's sorts and the range syntax "from..to" on timestamp, where
// "neginf" and "inf" leave an end open.
func parseAuditQuery(q url.Values) (auditQuery, []apiError) {
	aq := auditQuery{size: defaultPageSize, lists: map[string][]string{}}
	var errs []apiError
	for _, k := range sortedKeys(q) {
		v := q.Get(k)
		if ok, e := pagingParam(k, v, &aq.size, &aq.count); ok {
			errs = append(errs, e...)
			continue
		}
		switch {
		case k == "sort":
			name, desc := strings.CutPrefix(v, "-")
			if name != "id" && name != "timestamp" {
				errs = append(errs, invalidParam(k, "sort must be id, -id, timestamp or -timestamp"))
				continue
			}
			aq.byTime, aq.desc = name == "timestamp", desc
		case k == "filter[timestamp]":
			from, to, ok := parseTimeRange(v)
			if !ok {
				errs = append(errs, invalidParam(k, "filter[timestamp] must be an RFC 3339 time or a range from..to, where neginf and inf leave an end open"))
				continue
			}
			aq.from, aq.to = from, to
		case strings.HasPrefix(k, "filter[") && strings.HasSuffix(k, "]"):
			attr := strings.TrimSuffix(strings.TrimPrefix(k, "filter["), "]")
			if attr != "id" && !auditFilterable[attr] {
				errs = append(errs, invalidParam(k, "%s is not a filterable attribute of %s; filterable: %s", attr, typeAuditLog, filterList(auditFilterable)))
				continue
			}
			vals := strings.Split(v, ",")
			if slicesContainEmpty(vals) {
				errs = append(errs, invalidParam(k, "%s must not be empty", k))
				continue
			}
			aq.lists[attr] = vals
		}
	}
	if q.Has("page[after]") {
		c, ok := decodeAuditCursor(q.Get("page[after]"), aq)
		if !ok {
			errs = append(errs, invalidParam("page[after]", "page[after] is not a cursor issued for this collection and sort; follow links.next verbatim"))
		} else {
			aq.after = c
		}
	}
	return aq, errs
}

func slicesContainEmpty(vals []string) bool {
	for _, v := range vals {
		if v == "" {
			return true
		}
	}
	return false
}

// parseTimeRange reads "t", "from..to", "from..inf" or "neginf..to"; an exact time is a range
// of one instant, and a zero end is an open one.
func parseTimeRange(v string) (from, to time.Time, ok bool) {
	parse := func(s string, open string) (time.Time, bool) {
		if s == open {
			return time.Time{}, true
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		return t, err == nil
	}
	lo, hi, isRange := strings.Cut(v, "..")
	if !isRange {
		t, err := time.Parse(time.RFC3339Nano, v)
		return t, t, err == nil
	}
	from, ok1 := parse(lo, "neginf")
	to, ok2 := parse(hi, "inf")
	if !ok1 || !ok2 || (!from.IsZero() && !to.IsZero() && to.Before(from)) {
		return time.Time{}, time.Time{}, false
	}
	return from, to, true
}

// --- agents ---

// sandboxUser is a user of the sandbox organization.
type sandboxUser struct{ name, email string }

// sandboxUsers are the users behind the sandbox's tokens and its UI.
var sandboxUsers = map[int64]sandboxUser{
	sandboxUserID:   {"Sandbox Integration", "integration@sandbox.example"},
	readOnlyUserID:  {"Sandbox Read Only", "readonly@sandbox.example"},
	oversightUserID: {"Sandbox Compliance Reviewer", "compliance@sandbox.example"},
	uiAdminUserID:   {"Sandbox Admin", "admin@sandbox.example"},
}

// agent is who the principal is, as an audit entry names it.
func (p *principal) agent() map[string]any {
	source := "api"
	if p.viaUI {
		source = "ui"
	}
	if p.userID == 0 {
		return map[string]any{"type": "app", "installId": p.installID, "source": source}
	}
	u := sandboxUsers[p.userID]
	return map[string]any{"type": "user", "id": p.userID, "name": u.name, "email": u.email, "source": source}
}

// LoadSyntheticAuditEvents appends n plugin_updated entries straight into the log, one minute
// apart and ending at the given time, with the UI administrator as their agent, and returns
// their ids. It is a fixture for paging and time-window tests: making a thousand real changes
// would take a thousand requests and the same clock instant.
func (s *Server) LoadSyntheticAuditEvents(n int, last time.Time) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, n)
	agent := uiPrincipal().agent()
	for i := n - 1; i >= 0; i-- {
		e := s.st.appendAudit("plugin_updated", auditUpdate, agent, []map[string]any{{
			"resourceType": typePlugin, "resourceId": seedPluginID, "attribute": "synthetic", "before": i, "after": i + 1,
		}}, last.Add(-time.Duration(i)*time.Minute))
		ids = append(ids, e.ID)
	}
	return ids
}

// serveCustomList answers a collection whose kind lists itself.
func (s *Server) serveCustomList(w http.ResponseWriter, r *http.Request, k *kind) {
	doc, errs := k.list(s, r.URL.Query(), requestBase(r), r.URL.Path)
	if len(errs) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, errs...)
		return
	}
	writeJSON(w, http.StatusOK, jsonAPIMediaType, doc)
}
