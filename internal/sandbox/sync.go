package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

// This file is the runtime half of the contract (section 5): the plugin's sync between Dynamics
// leads/contacts and Outreach prospects, driven by the plugin configuration the provider manages.
// It never runs on a timer. A round runs when someone asks (POST /_sandbox/sync or Server.Sync),
// so that tests are deterministic; pollingFrequency is therefore not simulated.
//
// One round, for each of the plugin objects lead and contact:
//
//   - Inbound (Dynamics → Outreach), when the object's polling is on: every record written since
//     the last round. A record connected to a prospect updates it with the mapped columns that
//     changed (mappings with updatesIn), when inboundUpdate is on and the polling and
//     inboundUpdate conditions hold. An unconnected record creates a connected prospect from all
//     updatesIn mappings, when inboundCreate is on and the polling and inboundCreate conditions
//     hold. These conditions test the Dynamics record.
//   - Outbound (Outreach → Dynamics), when pushing is on: every prospect changed since the last
//     round. A connected prospect updates its record with the mapped attributes that changed
//     (mappings with updatesOut), when outboundUpdate is on and the outboundUpdate conditions
//     hold. An unconnected prospect creates a record (see targetObject for lead or contact)
//     when outboundCreate is on and the outboundCreate conditions hold. These conditions test
//     the prospect.
//
// Choices where the contract is silent:
//   - Change tracking is per field, on both sides: Dataverse row versions per column, prospect
//     change sequence numbers per attribute. Only values that changed are sent on an update,
//     so an untouched mapped field never overwrites the other side.
//   - The round's own writes are never read back as changes, so nothing echoes. The marks move
//     every round, whatever the toggles: a change made while polling or pushing is off is not
//     sent later, only on the record's next change.
//   - Inbound runs first. When the same mapped pair changed on both sides since the last round,
//     the Dynamics value wins and the Outreach change is reported as a conflict.
//   - Shared field (section 5): when optedOut is mapped with updatesOut to donotemail and the
//     value sent is true, every opt-out column of the record's table is set too (on updates and
//     creates alike). Opting back in (false) clears donotemail only: consent to email is not
//     consent to calls or mail. A mapping to any other column sets that column only.
//   - Values are converted by catalog type: equal types pass through; string on either side
//     carries the other value as text (true/false, plain numbers, RFC 3339 times, a choice's
//     numeric value). A value that does not convert skips that field, with a note.
//   - Empty values (null or "") obey skipEmptyIn / skipEmptyOut first (nothing is written),
//     then emptyPlaceholder (sent instead, converted like any text), else are sent as empty.

// syncedObjects are the plugin objects the runtime simulation covers, in round order.
var syncedObjects = []string{"lead", "contact"}

// optOutColumns are the standard Dynamics opt-out columns (facts section 4) that the shared
// field sets; a table gets those it has (lead has no donotbulkpostalmail).
var optOutColumns = []string{"donotemail", "donotbulkemail", "donotphone", "donotfax", "donotpostalmail", "donotbulkpostalmail"}

// syncMarks is where the last round left off in each system, after its own writes: the next
// round reads only what others changed since.
type syncMarks struct {
	CRMVersion  int64     `json:"crm_version"`
	ProspectSeq int64     `json:"prospect_seq"`
	Rounds      int       `json:"rounds"`
	LastRound   time.Time `json:"last_round"`
}

// SyncReport is what one sync round did.
type SyncReport struct {
	// Round numbers the rounds since the sandbox was seeded, from 1.
	Round int `json:"round"`
	// Created, Updated, Unchanged, Skipped and Failed count Actions by result.
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	// Actions has one entry per record or prospect the round looked at.
	Actions []SyncAction `json:"actions"`
}

// SyncAction is the outcome of syncing one record or prospect in one direction.
type SyncAction struct {
	// Object is the plugin object, lead or contact.
	Object string `json:"object"`
	// Direction is inbound (Dynamics → Outreach) or outbound (Outreach → Dynamics).
	Direction string `json:"direction"`
	// Operation is create or update: what the record's link state called for.
	Operation string `json:"operation"`
	// Result is created, updated, unchanged, skipped or failed.
	Result     string `json:"result"`
	RecordID   string `json:"record_id,omitempty"`
	ProspectID int64  `json:"prospect_id,omitempty"`
	// Fields are the fields written on the target side, sorted.
	Fields []string `json:"fields,omitempty"`
	// Reason says why an action was skipped or failed, or why nothing changed.
	Reason string `json:"reason,omitempty"`
	// Notes are per-field remarks: skipped empty values, conversions that failed, conflicts.
	Notes []string `json:"notes,omitempty"`
}

// Sync runs one sync round (contract section 5) and reports what it did. It is what
// POST /_sandbox/sync runs.
func (s *Server) Sync() SyncReport {
	s.mu.Lock()
	rep := s.syncRound(s.Now())
	s.mu.Unlock()
	s.saveOrLog()
	return rep
}

// syncRun is the state of one round. Caller holds s.mu.
type syncRun struct {
	s        *Server
	pluginID int64
	now      time.Time
	rep      *SyncReport
	// inboundWrote records the prospect attributes the inbound pass changed, for conflicts.
	inboundWrote map[int64]map[string]bool
}

func (s *Server) syncRound(now time.Time) SyncReport {
	st := s.st
	marks := st.SyncMarks
	rep := SyncReport{Round: marks.Rounds + 1, Actions: []SyncAction{}}

	// Capture both change sets before the round writes anything.
	crmChanges := map[string][]dataverse.Record{}
	for _, obj := range syncedObjects {
		crmChanges[obj], _ = s.org.ChangedRecords(obj, marks.CRMVersion)
	}
	type prospectChanges struct {
		p      *prospect
		fields map[string]bool
	}
	var outChanges []prospectChanges
	for _, p := range st.Prospects {
		fields := map[string]bool{}
		for name, seq := range p.FieldSeq {
			if seq > marks.ProspectSeq {
				fields[name] = true
			}
		}
		if len(fields) > 0 {
			outChanges = append(outChanges, prospectChanges{p, fields})
		}
	}
	sort.Slice(outChanges, func(i, j int) bool { return outChanges[i].p.ID < outChanges[j].p.ID })

	run := &syncRun{s: s, pluginID: seedPluginID, now: now, rep: &rep, inboundWrote: map[int64]map[string]bool{}}
	if p := st.Plugins[seedPluginID]; p != nil && p.SyncStatus == "active" {
		for _, obj := range syncedObjects {
			for _, rec := range crmChanges[obj] {
				run.record(run.inbound(obj, rec))
			}
		}
		for _, c := range outChanges {
			run.record(run.outbound(c.p, c.fields))
		}
	}
	st.SyncMarks = syncMarks{CRMVersion: s.org.RecordVersion(), ProspectSeq: st.ProspectSeq, Rounds: rep.Round, LastRound: now}
	return rep
}

func (r *syncRun) record(a SyncAction) {
	switch a.Result {
	case "created":
		r.rep.Created++
	case "updated":
		r.rep.Updated++
	case "unchanged":
		r.rep.Unchanged++
	case "skipped":
		r.rep.Skipped++
	case "failed":
		r.rep.Failed++
	}
	sort.Strings(a.Fields)
	r.rep.Actions = append(r.rep.Actions, a)
}

func skip(a SyncAction, format string, args ...any) SyncAction {
	a.Result, a.Reason = "skipped", fmt.Sprintf(format, args...)
	return a
}

// object returns the plugin object of a CRM object.
func (r *syncRun) object(crmObject string) *pluginObject {
	for _, o := range r.s.st.Objects {
		if o.PluginID == r.pluginID && o.CRMObject == crmObject {
			return o
		}
	}
	return nil
}

// mappings returns the object's mappings in id order.
func (r *syncRun) mappings(obj string) []*fieldMapping {
	var out []*fieldMapping
	for _, m := range r.s.st.Mappings {
		if m.PluginID == r.pluginID && m.CRMObject == obj {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// fieldType is a field's catalog type; "" when the catalog no longer has it.
func (r *syncRun) fieldType(obj, side, name string) string {
	if f := r.s.st.field(r.pluginID, obj, side, name); f != nil {
		return f.Type
	}
	return ""
}

// failedCondition returns a description of the first condition of (obj, trigger) that does not
// hold, or "" when all hold (AND, contract 3.5). get reads a field of the side the trigger tests.
func (r *syncRun) failedCondition(obj, trigger string, get func(string) (any, bool)) string {
	var conds []*syncCondition
	for _, c := range r.s.st.Conditions {
		if c.PluginID == r.pluginID && c.CRMObject == obj && c.Trigger == trigger {
			conds = append(conds, c)
		}
	}
	sort.Slice(conds, func(i, j int) bool { return conds[i].ID < conds[j].ID })
	for _, c := range conds {
		v, _ := get(c.Field) // a field the record lacks is blank
		if !conditionHolds(c, r.fieldType(obj, triggerSide(trigger), c.Field), v) {
			return fmt.Sprintf("%s condition %d (%s) does not hold: %s is %s", trigger, c.ID, describeCondition(c), c.Field, showValue(v))
		}
	}
	return ""
}

func describeCondition(c *syncCondition) string {
	switch {
	case c.Values != nil:
		parts := make([]string, len(c.Values))
		for i, v := range c.Values {
			parts[i] = string(v)
		}
		return fmt.Sprintf("%s %s [%s]", c.Field, c.Operator, strings.Join(parts, ", "))
	case c.Value != nil:
		return fmt.Sprintf("%s %s %s", c.Field, c.Operator, c.Value)
	}
	return c.Field + " " + c.Operator
}

func showValue(v any) string {
	if v == nil {
		return "empty"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// --- inbound ---

func (r *syncRun) inbound(obj string, rec dataverse.Record) SyncAction {
	st := r.s.st
	a := SyncAction{Object: obj, Direction: "inbound", Operation: "create", RecordID: rec.ID}
	linked := st.linkedProspect(obj, rec.ID)
	if linked != nil {
		a.Operation, a.ProspectID = "update", linked.ID
	}
	o := r.object(obj)
	get := func(name string) (any, bool) { v, ok := rec.Values[name]; return v, ok }
	switch {
	case o == nil:
		return skip(a, "the plugin has no %s object", obj)
	case !o.Polling:
		return skip(a, "polling is off for %s", obj)
	case linked != nil && !o.InboundUpdate:
		return skip(a, "inboundUpdate is off for %s", obj)
	case linked == nil && !o.InboundCreate:
		return skip(a, "inboundCreate is off for %s", obj)
	}
	if why := r.failedCondition(obj, "polling", get); why != "" {
		return skip(a, "%s", why)
	}
	trigger := "inboundCreate"
	if linked != nil {
		trigger = "inboundUpdate"
	}
	if why := r.failedCondition(obj, trigger, get); why != "" {
		return skip(a, "%s", why)
	}

	changedCols := map[string]bool{}
	for _, c := range rec.Changed {
		changedCols[c] = true
	}
	target := linked
	if target == nil {
		target = &prospect{Bools: map[string]bool{}, Strings: map[string]string{}, Emails: []string{}}
	}
	ch := prospectChange{}
	for _, m := range r.mappings(obj) {
		if !m.UpdatesIn || (linked != nil && !changedCols[m.CRMField]) {
			continue
		}
		v, note, ok := r.convertMapped(obj, m, rec.Values[m.CRMField], sideCRM)
		if note != "" {
			a.Notes = append(a.Notes, note)
		}
		if !ok {
			continue
		}
		if err := setProspectValue(ch, target, m.OutreachField, v); err != nil {
			a.Notes = append(a.Notes, fmt.Sprintf("%s: %v", m.OutreachField, err))
		}
	}

	if linked == nil {
		p := st.newProspect(r.now)
		p.Link = &crmLink{Object: obj, ID: rec.ID}
		changed := st.applyProspect(p, ch, r.now)
		a.Result, a.ProspectID, a.Fields = "created", p.ID, changed
		r.markInbound(p.ID, changed)
		return a
	}
	ch = diffProspect(linked, ch)
	if len(ch) == 0 {
		a.Result, a.Reason = "unchanged", "no mapped field has a new value for the prospect"
		return a
	}
	changed := st.applyProspect(linked, ch, r.now)
	a.Result, a.Fields = "updated", changed
	r.markInbound(linked.ID, changed)
	return a
}

func (r *syncRun) markInbound(id int64, fields []string) {
	if r.inboundWrote[id] == nil {
		r.inboundWrote[id] = map[string]bool{}
	}
	for _, f := range fields {
		r.inboundWrote[id][f] = true
	}
}

// diffProspect keeps the changes that would change the prospect.
func diffProspect(p *prospect, ch prospectChange) prospectChange {
	out := prospectChange{}
	for name, v := range ch {
		switch x := v.(type) {
		case bool:
			if p.Bools[name] != x {
				out[name] = x
			}
		case *string:
			old, had := p.Strings[name]
			if (x == nil && had) || (x != nil && (!had || old != *x)) {
				out[name] = x
			}
		case []string:
			if !slices.Equal(p.Emails, x) {
				out[name] = x
			}
		}
	}
	return out
}

// --- outbound ---

// targetObject decides where an unconnected prospect's record is created: the sandbox-only
// meta.crmObject of its create document, else lead when lead creates records (pushing and
// outboundCreate on), else contact when contact does, else lead (and the action is skipped
// because lead does not create records).
func (r *syncRun) targetObject(p *prospect) string {
	if p.CreateAs != "" {
		return p.CreateAs
	}
	for _, obj := range syncedObjects {
		if o := r.object(obj); o != nil && o.Pushing && o.OutboundCreate {
			return obj
		}
	}
	return syncedObjects[0]
}

func (r *syncRun) outbound(p *prospect, changed map[string]bool) SyncAction {
	obj, op := "", "create"
	if p.Link != nil {
		obj, op = p.Link.Object, "update"
	} else {
		obj = r.targetObject(p)
	}
	a := SyncAction{Object: obj, Direction: "outbound", Operation: op, ProspectID: p.ID}
	if p.Link != nil {
		a.RecordID = p.Link.ID
	}
	o := r.object(obj)
	switch {
	case o == nil:
		return skip(a, "the plugin has no %s object", obj)
	case !o.Pushing:
		return skip(a, "pushing is off for %s", obj)
	case p.Link != nil && !o.OutboundUpdate:
		return skip(a, "outboundUpdate is off for %s", obj)
	case p.Link == nil && !o.OutboundCreate:
		return skip(a, "outboundCreate is off for %s", obj)
	}
	trigger := "outboundCreate"
	if p.Link != nil {
		trigger = "outboundUpdate"
	}
	if why := r.failedCondition(obj, trigger, p.value); why != "" {
		return skip(a, "%s", why)
	}

	cols, _ := r.s.org.Columns(obj)
	hasColumn := map[string]bool{}
	for _, c := range cols {
		hasColumn[c.LogicalName] = true
	}
	values := map[string]any{}
	for _, m := range r.mappings(obj) {
		if !m.UpdatesOut || (p.Link != nil && !changed[m.OutreachField]) {
			continue
		}
		if r.inboundWrote[p.ID][m.OutreachField] {
			a.Notes = append(a.Notes, fmt.Sprintf("%s: conflict, %s changed in Dynamics too; the Dynamics value was kept", m.OutreachField, m.CRMField))
			continue
		}
		raw, _ := p.value(m.OutreachField)
		v, note, ok := r.convertMapped(obj, m, raw, sideOutreach)
		if note != "" {
			a.Notes = append(a.Notes, note)
		}
		if !ok {
			continue
		}
		values[m.CRMField] = v
		if m.OutreachField == "optedOut" && m.CRMField == "donotemail" && v == true {
			// The shared field: an Outreach opt-out unsubscribes the person everywhere.
			for _, col := range optOutColumns {
				if hasColumn[col] {
					values[col] = true
				}
			}
		}
	}

	if p.Link == nil {
		rec, err := r.s.org.CreateRecord(obj, values)
		if err != nil {
			a.Result, a.Reason = "failed", "Dynamics refused the record: "+err.Error()
			return a
		}
		p.Link = &crmLink{Object: obj, ID: rec.ID}
		a.Result, a.RecordID = "created", rec.ID
		for k := range values {
			a.Fields = append(a.Fields, k)
		}
		return a
	}
	cur, ok := r.s.org.GetRecord(obj, p.Link.ID)
	if !ok {
		a.Result, a.Reason = "failed", fmt.Sprintf("the connected %s %s no longer exists in Dynamics", obj, p.Link.ID)
		return a
	}
	for k, v := range values {
		if cur.Values[k] == v {
			delete(values, k)
		}
	}
	if len(values) == 0 {
		a.Result, a.Reason = "unchanged", "no mapped field has a new value for the record"
		return a
	}
	if _, err := r.s.org.UpdateRecord(obj, p.Link.ID, values); err != nil {
		a.Result, a.Reason = "failed", "Dynamics refused the update: "+err.Error()
		return a
	}
	a.Result = "updated"
	for k := range values {
		a.Fields = append(a.Fields, k)
	}
	return a
}

// --- values ---

// convertMapped turns a value read on side from into the value sent to the other side of m:
// empty handling first, then type conversion. ok is false when nothing is sent for this field;
// note explains why, or is "".
func (r *syncRun) convertMapped(obj string, m *fieldMapping, v any, from string) (any, string, bool) {
	oType := r.fieldType(obj, sideOutreach, m.OutreachField)
	cType := r.fieldType(obj, sideCRM, m.CRMField)
	if oType == "" || cType == "" {
		return nil, fmt.Sprintf("%s ↔ %s: the field is no longer in the plugin's catalog", m.OutreachField, m.CRMField), false
	}
	fromType, toType, skipEmpty, name := cType, oType, m.SkipEmptyIn, m.OutreachField
	if from == sideOutreach {
		fromType, toType, skipEmpty, name = oType, cType, m.SkipEmptyOut, m.CRMField
	}
	if isEmpty(v) {
		switch {
		case skipEmpty:
			return nil, fmt.Sprintf("%s: the value is empty and the mapping skips empty values", name), false
		case m.EmptyPlaceholder != nil:
			v, fromType = *m.EmptyPlaceholder, fieldTypeString
		default:
			return nil, "", true
		}
	}
	out, err := convertValue(v, fromType, toType)
	if err != nil {
		return nil, fmt.Sprintf("%s: %v", name, err), false
	}
	return out, "", true
}

func isEmpty(v any) bool {
	s, isString := v.(string)
	return v == nil || (isString && s == "")
}

// convertValue converts between catalog types (contract 3.4: equal types, or string with
// anything but lookup). Values are bool, string or float64.
func convertValue(v any, from, to string) (any, error) {
	if from == fieldTypeLookup || to == fieldTypeLookup {
		// Mapping validation allows lookup ↔ lookup only; record references are not simulated.
		return nil, fmt.Errorf("lookup values are not simulated")
	}
	if from == to {
		return v, nil
	}
	if to == fieldTypeString {
		return text(v), nil
	}
	if from != fieldTypeString {
		return nil, fmt.Errorf("cannot convert %s to %s", from, to)
	}
	s := strings.TrimSpace(text(v))
	switch to {
	case fieldTypeBoolean:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean", s)
		}
		return b, nil
	case fieldTypeInteger, fieldTypePick:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return float64(n), nil
	case fieldTypeDecimal:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return n, nil
	case fieldTypeDate:
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an RFC 3339 date-time", s)
		}
		return t.UTC().Format(time.RFC3339), nil
	}
	return nil, fmt.Errorf("cannot convert %s to %s", from, to)
}

// text is a value as text: true/false, plain numbers, strings as they are.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// --- conditions ---

// conditionHolds evaluates a condition (contract 3.5) on a typed value. Text compares ignore
// case, as Dynamics' own queries do; a choice compares its numeric value; a null Yes/No column
// reads as No. Blank values (null, "") fail every comparison except notEquals, notContains and
// notIn, which they pass.
func conditionHolds(c *syncCondition, typ string, v any) bool {
	if c.Operator == "isBlank" {
		return isEmpty(v)
	}
	if c.Operator == "isNotBlank" {
		return !isEmpty(v)
	}
	if typ == fieldTypeBoolean && v == nil {
		v = false
	}
	blank := isEmpty(v)
	switch c.Operator {
	case "in", "notIn":
		hit := false
		for _, raw := range c.Values {
			if !blank && compareTyped(typ, v, raw) == 0 {
				hit = true
			}
		}
		return hit == (c.Operator == "in")
	case "equals":
		return !blank && compareTyped(typ, v, c.Value) == 0
	case "notEquals":
		return blank || compareTyped(typ, v, c.Value) != 0
	case "contains", "notContains":
		want, _ := rawString(c.Value)
		hit := !blank && strings.Contains(strings.ToLower(text(v)), strings.ToLower(want))
		return hit == (c.Operator == "contains")
	case "greaterThan":
		cmp := compareTyped(typ, v, c.Value)
		return !blank && cmp != cmpUnknown && cmp > 0
	case "lessThan":
		cmp := compareTyped(typ, v, c.Value)
		return !blank && cmp != cmpUnknown && cmp < 0
	}
	return false
}

// cmpUnknown is compareTyped's answer for values that do not compare.
const cmpUnknown = 2

// compareTyped compares a value with a condition's JSON value as the field type says: -1, 0, 1,
// or cmpUnknown.
func compareTyped(typ string, v any, raw json.RawMessage) int {
	var want any
	if json.Unmarshal(raw, &want) != nil {
		return cmpUnknown
	}
	switch typ {
	case fieldTypeBoolean:
		got, ok1 := v.(bool)
		w, ok2 := want.(bool)
		if !ok1 || !ok2 {
			return cmpUnknown
		}
		if got == w {
			return 0
		}
		return 1
	case fieldTypeInteger, fieldTypeDecimal, fieldTypePick:
		got, err1 := strconv.ParseFloat(text(v), 64)
		w, err2 := strconv.ParseFloat(text(want), 64)
		if err1 != nil || err2 != nil {
			return cmpUnknown
		}
		return cmpFloat(got, w)
	case fieldTypeDate:
		got, err1 := time.Parse(time.RFC3339, text(v))
		w, err2 := time.Parse(time.RFC3339, text(want))
		if err1 != nil || err2 != nil {
			return cmpUnknown
		}
		return got.Compare(w)
	}
	return strings.Compare(strings.ToLower(text(v)), strings.ToLower(text(want)))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
