package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// This file serves Outreach prospects (GET/POST/PATCH/DELETE /api/v2/prospects), the records the
// plugin syncs with Dynamics leads and contacts. It follows the public prospect schema (facts §2)
// for the attributes the plugin's catalog offers, and the public API's conventions: JSON:API
// documents, the prospects.* scopes, and ?provideDataConnections=true for the CRM links.
//
// Two sandbox-only members of a create document's "meta" stand for what the real service learns
// from the plugin itself, so that a test can set up the state it needs:
//
//	"meta": {"dataConnections": [{"type": "contact", "id": "<guid>"}]}
//	    connects the new prospect to an existing Dynamics lead or contact, as if an earlier sync
//	    had linked them;
//	"meta": {"crmObject": "contact"}
//	    names the object the first outbound sync creates the prospect's record on (by default a
//	    lead, unless only contact creates records; see sync.go).

const typeProspect = "prospect"

// Prospect attribute kinds.
const (
	prospectBool   = "bool"
	prospectString = "string"
	prospectEmails = "emails"
)

// prospectWritable are the writable attributes and their kinds: the catalog's prospect fields
// that are not lookups.
var prospectWritable = func() map[string]string {
	m := map[string]string{
		"optedOut": prospectBool, "emailOptedOut": prospectBool, "callOptedOut": prospectBool, "smsOptedOut": prospectBool,
		"firstName": prospectString, "lastName": prospectString, "title": prospectString, "company": prospectString,
		"addressCity": prospectString, "addressState": prospectString, "addressCountry": prospectString,
		"emails": prospectEmails,
	}
	for i := 1; i <= 20; i++ {
		m["custom"+itoa(int64(i))] = prospectString
	}
	return m
}()

var prospectReadOnly = map[string]string{
	"optedOutAt": "optedOutAt is read only; it is set when optedOut becomes true",
	"createdAt":  "createdAt is read only",
	"updatedAt":  "updatedAt is read only",
}

// prospect is one Outreach prospect. A string attribute that is absent from Strings is null.
type prospect struct {
	ID         int64             `json:"id"`
	Bools      map[string]bool   `json:"bools"`
	Strings    map[string]string `json:"strings"`
	Emails     []string          `json:"emails"`
	OptedOutAt *time.Time        `json:"opted_out_at,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	// Seq is the prospect change sequence number of the last write; FieldSeq maps an attribute
	// to the sequence number of the write that last changed its value. The sync engine uses
	// them as Dynamics change tracking uses row versions.
	Seq      int64            `json:"seq"`
	FieldSeq map[string]int64 `json:"field_seq"`
	// Link is the Dynamics record the prospect is connected to (its data connection).
	Link *crmLink `json:"link,omitempty"`
	// CreateAs is the sandbox-only meta.crmObject of the create document.
	CreateAs string `json:"create_as,omitempty"`
}

// crmLink is a prospect's connection to a Dynamics record.
type crmLink struct {
	Object string `json:"object"` // lead or contact
	ID     string `json:"id"`     // the record's GUID
}

var prospectKind = &kind{
	typ: typeProspect, plural: "prospects", scope: "prospects",
	filterable: set("firstName", "lastName", "title", "company"),
	all:        func(st *state) []record { return records(st.Prospects) },
	get:        func(st *state, id int64) record { return lookup(st.Prospects, id) },
	create:     createProspect,
	update:     updateProspect,
	remove:     func(st *state, id int64) { delete(st.Prospects, id) },
	decorate:   decorateProspect,
}

func (p *prospect) recordID() int64 { return p.ID }

func (p *prospect) filterValue(attr string) string {
	if attr == "id" {
		return itoa(p.ID)
	}
	return p.Strings[attr]
}

func (p *prospect) object(base string) map[string]any {
	attrs := map[string]any{}
	for name, k := range prospectWritable {
		switch k {
		case prospectBool:
			attrs[name] = p.Bools[name]
		case prospectString:
			if v, ok := p.Strings[name]; ok {
				attrs[name] = v
			} else {
				attrs[name] = nil
			}
		case prospectEmails:
			attrs[name] = append([]string{}, p.Emails...)
		}
	}
	attrs["optedOutAt"] = nil
	if p.OptedOutAt != nil {
		attrs["optedOutAt"] = formatTime(*p.OptedOutAt)
	}
	attrs["createdAt"] = formatTime(p.CreatedAt)
	attrs["updatedAt"] = formatTime(p.UpdatedAt)
	return resourceObject(typeProspect, p.ID, base, "prospects", attrs, nil)
}

// decorateProspect adds meta.dataConnections when the query asks for it (facts 1.1:
// provideDataConnections), in the shape [{"type": "contact", "id": "<guid>"}].
func decorateProspect(_ *Server, rec record, q url.Values, o map[string]any) {
	p, ok := rec.(*prospect)
	if !ok || q.Get("provideDataConnections") != "true" {
		return
	}
	conns := []map[string]any{}
	if p.Link != nil {
		conns = append(conns, map[string]any{"type": p.Link.Object, "id": p.Link.ID})
	}
	o["meta"] = map[string]any{"dataConnections": conns}
}

// value returns an attribute for the sync engine: bool, string or nil; "emails" is the primary
// address and the timestamps are RFC 3339 strings. ok is false for an attribute prospects do not
// have here (lookups such as owner are not simulated).
func (p *prospect) value(name string) (any, bool) {
	switch prospectWritable[name] {
	case prospectBool:
		return p.Bools[name], true
	case prospectString:
		if v, ok := p.Strings[name]; ok {
			return v, true
		}
		return nil, true
	case prospectEmails:
		if len(p.Emails) == 0 {
			return nil, true
		}
		return p.Emails[0], true
	}
	switch name {
	case "optedOutAt":
		if p.OptedOutAt == nil {
			return nil, true
		}
		return formatTime(*p.OptedOutAt), true
	case "createdAt":
		return formatTime(p.CreatedAt), true
	case "updatedAt":
		return formatTime(p.UpdatedAt), true
	}
	return nil, false
}

// prospectChange is one typed attribute write: a bool, a *string (nil for null) or []string.
type prospectChange map[string]any

// apply writes changes as one write: it takes the next change sequence number, marks the
// attributes whose value changed, stamps optedOutAt when optedOut becomes true (and clears it
// when it becomes false), and returns the names of the changed attributes.
func (st *state) applyProspect(p *prospect, ch prospectChange, now time.Time) []string {
	st.ProspectSeq++
	p.Seq = st.ProspectSeq
	p.UpdatedAt = now
	if p.FieldSeq == nil {
		p.FieldSeq = map[string]int64{}
	}
	var changed []string
	for name, v := range ch {
		diff := false
		switch x := v.(type) {
		case bool:
			diff = p.Bools[name] != x
			p.Bools[name] = x
			if name == "optedOut" && diff {
				if x {
					t := now
					p.OptedOutAt = &t
				} else {
					p.OptedOutAt = nil
				}
			}
		case *string:
			old, had := p.Strings[name]
			if x == nil {
				diff = had
				delete(p.Strings, name)
			} else {
				diff = !had || old != *x
				p.Strings[name] = *x
			}
		case []string:
			diff = !slices.Equal(p.Emails, x)
			p.Emails = append([]string{}, x...)
		}
		if diff {
			p.FieldSeq[name] = p.Seq
			changed = append(changed, name)
		}
	}
	sort.Strings(changed)
	return changed
}

// newProspect stores an empty prospect; the caller applies its attributes.
func (st *state) newProspect(now time.Time) *prospect {
	p := &prospect{ID: st.newID(typeProspect), Bools: map[string]bool{}, Strings: map[string]string{}, Emails: []string{},
		FieldSeq: map[string]int64{}, CreatedAt: now, UpdatedAt: now}
	for name, k := range prospectWritable {
		if k == prospectBool {
			p.Bools[name] = false
		}
	}
	st.Prospects[p.ID] = p
	return p
}

// decodeProspectAttrs checks the attributes of a create or update document and types them.
func decodeProspectAttrs(attrs map[string]json.RawMessage) (prospectChange, []apiError) {
	writable := map[string]bool{}
	for name := range prospectWritable {
		writable[name] = true
	}
	errs := checkAttrNames(attrs, writable, prospectReadOnly)
	ch := prospectChange{}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := attrs[name]
		switch prospectWritable[name] {
		case prospectBool:
			b, ok := rawBool(raw)
			if !ok {
				errs = append(errs, invalidAttr(name, "%s must be true or false", name))
				continue
			}
			ch[name] = b
		case prospectString:
			if isNull(raw) {
				ch[name] = (*string)(nil)
				continue
			}
			v, ok := rawString(raw)
			if !ok {
				errs = append(errs, invalidAttr(name, "%s must be a string or null", name))
				continue
			}
			ch[name] = &v
		case prospectEmails:
			var list []string
			if !isNull(raw) && json.Unmarshal(raw, &list) != nil {
				errs = append(errs, invalidAttr(name, "emails must be an array of strings"))
				continue
			}
			if slices.Contains(list, "") {
				errs = append(errs, invalidAttr(name, "emails must not contain empty addresses"))
				continue
			}
			ch[name] = append([]string{}, list...)
		}
	}
	return ch, errs
}

// prospectMeta reads the sandbox-only meta members of a create document.
func (s *Server) prospectMeta(meta map[string]json.RawMessage) (*crmLink, string, []apiError) {
	var errs []apiError
	var link *crmLink
	createAs := ""
	names := make([]string, 0, len(meta))
	for n := range meta {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		raw := meta[n]
		ptr := "/data/meta/" + n
		switch n {
		case "dataConnections":
			var conns []struct {
				Type string `json:"type"`
				ID   string `json:"id"`
			}
			if isNull(raw) {
				continue
			}
			if err := json.Unmarshal(raw, &conns); err != nil || len(conns) > 1 {
				errs = append(errs, invalidPointer(ptr, "dataConnections must be an array with at most one {\"type\": \"lead\"|\"contact\", \"id\": \"<guid>\"}"))
				continue
			}
			if len(conns) == 0 {
				continue
			}
			c := conns[0]
			if c.Type != "lead" && c.Type != "contact" {
				errs = append(errs, invalidPointer(ptr+"/0/type", "a data connection's type must be lead or contact"))
				continue
			}
			rec, ok := s.org.GetRecord(c.Type, c.ID)
			if !ok {
				errs = append(errs, invalidPointer(ptr+"/0/id", "there is no Dynamics %s with id %q", c.Type, c.ID))
				continue
			}
			if other := s.st.linkedProspect(c.Type, rec.ID); other != nil {
				errs = append(errs, invalidPointer(ptr+"/0/id", "%s %s is already connected to prospect %d", c.Type, rec.ID, other.ID))
				continue
			}
			link = &crmLink{Object: c.Type, ID: rec.ID}
		case "crmObject":
			v, ok := rawString(raw)
			if !ok || (v != "lead" && v != "contact") {
				errs = append(errs, invalidPointer(ptr, "crmObject must be \"lead\" or \"contact\""))
				continue
			}
			createAs = v
		default:
			errs = append(errs, invalidPointer(ptr, "unknown meta member %q; the sandbox reads dataConnections and crmObject", n))
		}
	}
	if link != nil && createAs != "" {
		errs = append(errs, invalidPointer("/data/meta/crmObject", "crmObject is for prospects without a data connection; this one is connected to %s %s", link.Object, link.ID))
	}
	return link, createAs, errs
}

// linkedProspect returns the prospect connected to a record, or nil.
func (st *state) linkedProspect(object, id string) *prospect {
	for _, p := range st.Prospects {
		if p.Link != nil && p.Link.Object == object && strings.EqualFold(p.Link.ID, id) {
			return p
		}
	}
	return nil
}

func createProspect(s *Server, in *inResource, now time.Time) (record, int, []apiError) {
	ch, errs := decodeProspectAttrs(in.Attributes)
	// The public prospect relationships (account, owner, stage, ...) are not simulated; refusing
	// them beats storing nothing while answering 201.
	errs = append(errs, checkRelNames(in.Relationships, nil, nil)...)
	link, createAs, merrs := s.prospectMeta(in.Meta)
	errs = append(errs, merrs...)
	if len(errs) > 0 {
		sortErrors(errs)
		return nil, http.StatusUnprocessableEntity, errs
	}
	p := s.st.newProspect(now)
	p.Link, p.CreateAs = link, createAs
	s.st.applyProspect(p, ch, now)
	// Every attribute of a new prospect is new to the sync, including those left at their
	// defaults.
	for name := range prospectWritable {
		p.FieldSeq[name] = p.Seq
	}
	return p, 0, nil
}

func updateProspect(s *Server, rec record, in *inResource, now time.Time) (int, []apiError) {
	p, ok := rec.(*prospect)
	if !ok {
		return http.StatusInternalServerError, []apiError{{ID: "internalError", Title: "Internal Error", Detail: "record is not a prospect"}}
	}
	ch, errs := decodeProspectAttrs(in.Attributes)
	errs = append(errs, checkRelNames(in.Relationships, nil, nil)...)
	for _, n := range []string{"dataConnections", "crmObject"} {
		if _, ok := in.Meta[n]; ok {
			errs = append(errs, invalidPointer("/data/meta/"+n, "%s can only be given when the prospect is created (sandbox-only)", n))
		}
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return http.StatusUnprocessableEntity, errs
	}
	s.st.applyProspect(p, ch, now)
	return 0, nil
}

// setProspectValue converts a sync value (bool, string or nil) into a change of one attribute.
func setProspectValue(ch prospectChange, p *prospect, name string, v any) error {
	switch prospectWritable[name] {
	case prospectBool:
		b, ok := v.(bool)
		if !ok && v != nil {
			return fmt.Errorf("%s takes true or false, not %v", name, v)
		}
		ch[name] = b // an empty value clears the flag
	case prospectString:
		if v == nil {
			ch[name] = (*string)(nil)
			return nil
		}
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s takes a string, not %v", name, v)
		}
		ch[name] = &str
	case prospectEmails:
		// The plugin maps the primary address: it replaces the first entry and keeps the rest.
		rest := []string{}
		if len(p.Emails) > 1 {
			rest = p.Emails[1:]
		}
		str, _ := v.(string)
		if str == "" {
			ch[name] = rest
		} else {
			ch[name] = append([]string{str}, rest...)
		}
	default:
		return fmt.Errorf("the sandbox does not simulate the prospect attribute %s", name)
	}
	return nil
}
