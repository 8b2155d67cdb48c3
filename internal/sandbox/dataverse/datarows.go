package dataverse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file emulates the data (record) API of the tables the Outreach plugin syncs with prospects,
// lead and contact: create, retrieve, list ($select, $filter, $top), update (PATCH, which upserts
// as in Dataverse) and delete. Every value is checked against the table's column metadata as it
// is at the time of the request, so a Boolean column created through the metadata API is usable
// on records at once, and a deleted column is gone from every record. The same checks guard the
// Go API (CreateRecord, UpdateRecord) that the sandbox's sync engine uses, because the real
// plugin writes through the Web API too.

// recordTables are the tables whose entity sets are served as data. The other seeded tables have
// metadata only: nothing in the sandbox syncs their records.
var recordTables = map[string]bool{"lead": true, "contact": true}

// Dataverse codes of record validation (facts 2.4, 3.8).
const (
	// codeLengthExceeded is the "length of the 'x' attribute ... exceeded the maximum allowed
	// length" validation error.
	codeLengthExceeded = "0x80044331"
	// codeOutOfRange is the "value ... is outside the valid range" validation error of choice
	// and number columns (facts 3.8: third-party projects map 0x8004431A to it).
	codeOutOfRange = "0x8004431A"
	// codeDuplicateRecord is DuplicateRecord, which Dataverse answers with 412.
	codeDuplicateRecord = "0x80040237"
	// codeVersionMismatch is ConcurrencyVersionMismatch (412, facts 2.3).
	codeVersionMismatch = "0x80060882"
)

// dataRow is one record. The primary key and the audit dates live outside Values; Values holds
// the other columns as the Web API's JSON has them (bool, string, float64 for every number,
// nil), which is also what a snapshot round trip gives back.
type dataRow struct {
	ID     string         `json:"id"`
	Values map[string]any `json:"values"`
	// Version is the row's versionnumber: the org-wide row version of its last write.
	Version int64 `json:"version"`
	// Changed maps a column to the row version of the write that last changed its value, so
	// that a poll can ask which columns changed since it last looked (change tracking).
	Changed    map[string]int64 `json:"changed"`
	CreatedOn  time.Time        `json:"created_on"`
	ModifiedOn time.Time        `json:"modified_on"`
}

// Record is a data row as the sandbox's sync engine sees it.
type Record struct {
	// Entity is the table's logical name, ID the primary key (a lower-case GUID).
	Entity, ID string
	// Values holds every column by logical name, typed as the Web API's JSON has them: bool,
	// string (also dates, GUIDs and lookups), float64 for every number, nil when empty.
	Values map[string]any
	// Version is the row's versionnumber.
	Version    int64
	CreatedOn  time.Time
	ModifiedOn time.Time
	// Changed names the columns whose value changed in a write after the version given to
	// ChangedRecords (every column of a row created after it), sorted.
	Changed []string
}

// RecordVersion is the org's current row version: every record write takes the next one, so a
// caller that remembers it can later ask ChangedRecords for what happened since.
func (o *Org) RecordVersion() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.st.RowVersion
}

// ChangedRecords returns the records of a table written after row version since, oldest write
// first, each with the columns whose value changed after since. False when the table serves no
// records.
func (o *Org) ChangedRecords(entity string, since int64) ([]Record, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.recordTable(entity)
	if t == nil {
		return nil, false
	}
	var out []Record
	for _, row := range o.st.Rows[t.LogicalName] {
		if row.Version <= since {
			continue
		}
		rec := o.exportRow(t, row)
		for col, v := range row.Changed {
			if v > since && t.attribute(col) != nil {
				rec.Changed = append(rec.Changed, col)
			}
		}
		sort.Strings(rec.Changed)
		out = append(out, rec)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, true
}

// GetRecord returns one record; false when the table serves no records or the id is unknown.
func (o *Org) GetRecord(entity, id string) (Record, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.recordTable(entity)
	if t == nil {
		return Record{}, false
	}
	row := o.row(t, id)
	if row == nil {
		return Record{}, false
	}
	return o.exportRow(t, row), true
}

// CreateRecord creates a record from column values (logical name → bool, string, number or nil),
// validated exactly as a POST to the entity set is. The error text is the Web API's error.
func (o *Org) CreateRecord(entity string, values map[string]any) (Record, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.recordTable(entity)
	if t == nil {
		return Record{}, fmt.Errorf("dataverse: table %q serves no records", entity)
	}
	p, err := goPayload(values)
	if err != nil {
		return Record{}, err
	}
	row, e := o.createRow(t, p)
	if e != nil {
		return Record{}, e
	}
	return o.exportRow(t, row), nil
}

// UpdateRecord changes columns of an existing record, validated exactly as a PATCH is.
func (o *Org) UpdateRecord(entity, id string, values map[string]any) (Record, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.recordTable(entity)
	if t == nil {
		return Record{}, fmt.Errorf("dataverse: table %q serves no records", entity)
	}
	row := o.row(t, id)
	if row == nil {
		return Record{}, rowNotFound(t, id)
	}
	p, err := goPayload(values)
	if err != nil {
		return Record{}, err
	}
	if e := o.updateRow(t, row, p); e != nil {
		return Record{}, e
	}
	return o.exportRow(t, row), nil
}

func goPayload(values map[string]any) (payload, error) {
	p := payload{}
	for k, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("dataverse: value of %s: %w", k, err)
		}
		p[k] = b
	}
	return p, nil
}

// recordTable returns the table of a logical name if it serves records.
func (o *Org) recordTable(entity string) *table {
	t := o.table(entity)
	if t == nil || !recordTables[t.LogicalName] {
		return nil
	}
	return t
}

// tableBySet finds a record-serving table by entity set name. Set names are case-sensitive, as
// the OData layer treats them (facts 2.4: "Account" is not "accounts").
func (o *Org) tableBySet(set string) *table {
	for _, t := range o.st.Tables {
		if t.EntitySetName == set && recordTables[t.LogicalName] {
			return t
		}
	}
	return nil
}

func (o *Org) row(t *table, id string) *dataRow {
	for _, r := range o.st.Rows[t.LogicalName] {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

func rowNotFound(t *table, id string) *apiError {
	return newError(http.StatusNotFound, codeObjectDoesNotExist, "%s With Id = %s Does Not Exist", t.LogicalName, strings.ToLower(id))
}

// dropColumnValues removes a deleted column's values from every record, as deleting a column
// deletes its data.
func (o *Org) dropColumnValues(entity, column string) {
	for _, r := range o.st.Rows[entity] {
		delete(r.Values, column)
		delete(r.Changed, column)
	}
}

// rowValues returns every column of a row by logical name; lookups carry their GUID.
func rowValues(t *table, row *dataRow) map[string]any {
	out := map[string]any{}
	for _, a := range t.Attributes {
		switch {
		case a.IsPrimaryID:
			out[a.LogicalName] = row.ID
		case a.LogicalName == "createdon":
			out[a.LogicalName] = timestamp(row.CreatedOn)
		case a.LogicalName == "modifiedon":
			out[a.LogicalName] = timestamp(row.ModifiedOn)
		case a.LogicalName == "fullname" && !a.IsValidForCreate:
			out[a.LogicalName] = fullName(row)
		default:
			out[a.LogicalName] = row.Values[a.LogicalName]
		}
	}
	return out
}

// fullName is the composite name Dataverse derives from first and last name; nil when both are
// empty.
func fullName(row *dataRow) any {
	first, _ := row.Values["firstname"].(string)
	last, _ := row.Values["lastname"].(string)
	if n := strings.TrimSpace(first + " " + last); n != "" {
		return n
	}
	return nil
}

func (o *Org) exportRow(t *table, row *dataRow) Record {
	return Record{Entity: t.LogicalName, ID: row.ID, Values: rowValues(t, row), Version: row.Version,
		CreatedOn: row.CreatedOn, ModifiedOn: row.ModifiedOn}
}

// isLookup reports whether a column is a lookup, which the Web API shows as _<name>_value.
func isLookup(a *attribute) bool {
	return a.AttributeType == "Lookup" || a.AttributeType == "Customer" || a.AttributeType == "Owner"
}

// renderRow shapes a row as the Web API returns it: lookups as _<name>_value, then $select.
func renderRow(t *table, row *dataRow, sel map[string]bool) obj {
	vals := rowValues(t, row)
	out := obj{{"@odata.etag", rowETag(row)}}
	for _, a := range t.Attributes {
		name := a.LogicalName
		if isLookup(a) {
			name = "_" + name + "_value"
		}
		if sel != nil && !sel[name] && !a.IsPrimaryID {
			continue
		}
		out = append(out, kv{name, vals[a.LogicalName]})
	}
	return out
}

// rowETag is the weak ETag of a row, its versionnumber, as Dataverse builds it.
func rowETag(row *dataRow) string { return `W/"` + strconv.FormatInt(row.Version, 10) + `"` }

// rowSchema is the $filter schema of a table's records.
func rowSchema(t *table) schema {
	props := map[string]string{}
	for _, a := range t.Attributes {
		name, typ := a.LogicalName, edmString
		switch a.AttributeType {
		case "Boolean":
			typ = edmBoolean
		case "Integer", "BigInt", "Picklist", "State", "Status":
			typ = edmInt
		case "Decimal", "Double", "Money":
			typ = edmNumber
		case "DateTime":
			typ = edmDateTime
		case "Uniqueidentifier":
			typ = edmGUID
		case "Lookup", "Customer", "Owner":
			name, typ = "_"+name+"_value", edmGUID
		}
		props[name] = typ
	}
	return schema{typeName: t.LogicalName, props: props, caseInsensitive: true}
}

// handleDataRows serves <set> and <set>(<id>) of a record table.
func (o *Org) handleDataRows(q *apiRequest, t *table) (*response, *apiError) {
	seg := q.segs[0]
	if len(q.segs) > 1 {
		return nil, notFoundSegment(q.segs[1].name)
	}
	if seg.key == nil {
		switch q.method {
		case http.MethodGet:
			return o.listRows(q, t)
		case http.MethodPost:
			return o.postRow(q, t)
		}
		return nil, methodNotAllowed(q.method)
	}
	if seg.key.id == "" {
		// No alternate keys are defined on the emulated tables.
		return nil, queryError("The key value (%s) from request is not valid. The key value should be format of type 'Edm.Guid'.", seg.key)
	}
	switch q.method {
	case http.MethodGet:
		return o.getRow(q, t, seg.key.id)
	case http.MethodPatch:
		return o.patchRow(q, t, seg.key.id)
	case http.MethodDelete:
		return o.deleteRow(q, t, seg.key.id)
	}
	return nil, methodNotAllowed(q.method)
}

// rowSelect parses $select against the record's rendered property names.
func rowSelect(q *apiRequest, t *table) (map[string]bool, *apiError) {
	allowed := map[string]bool{}
	for name := range rowSchema(t).props {
		allowed[name] = true
	}
	return parseSelect(q.query.Get("$select"), allowed, t.LogicalName)
}

func (o *Org) rowContext(q *apiRequest, t *table) string {
	return q.api + "/$metadata#" + t.EntitySetName + contextProps(q.query.Get("$select"))
}

func (o *Org) listRows(q *apiRequest, t *table) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select", "$filter", "$top"); e != nil {
		return nil, e
	}
	sel, e := rowSelect(q, t)
	if e != nil {
		return nil, e
	}
	sch := rowSchema(t)
	f, top, e := filterAndTop(q.query, sch)
	if e != nil {
		return nil, e
	}
	values := []obj{}
	for _, row := range o.st.Rows[t.LogicalName] {
		if top >= 0 && len(values) >= top {
			break
		}
		if f != nil && !f.eval(renderRow(t, row, nil), sch) {
			continue
		}
		values = append(values, renderRow(t, row, sel))
	}
	return okJSON(obj{{"@odata.context", o.rowContext(q, t)}, {"value", values}}), nil
}

func (o *Org) getRow(q *apiRequest, t *table, id string) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select"); e != nil {
		return nil, e
	}
	sel, e := rowSelect(q, t)
	if e != nil {
		return nil, e
	}
	row := o.row(t, id)
	if row == nil {
		return nil, rowNotFound(t, id)
	}
	return okJSON(renderRow(t, row, sel).prepend(kv{"@odata.context", o.rowContext(q, t) + "/$entity"})), nil
}

// wantsRepresentation reports Prefer: return=representation (facts 2.2), which turns the 204 of
// a create or update into a 201 / 200 with the record.
func wantsRepresentation(q *apiRequest) bool {
	for _, v := range q.r.Header.Values("Prefer") {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), "return=representation") {
				return true
			}
		}
	}
	return false
}

// writeAnswer is the response to a successful create (201) or update (200): the record with
// Prefer: return=representation, else 204 with OData-EntityId.
func (o *Org) writeAnswer(q *apiRequest, t *table, row *dataRow, created bool) (*response, *apiError) {
	if !wantsRepresentation(q) {
		resp := noContent()
		resp.header.Set("OData-EntityId", q.api+"/"+t.EntitySetName+"("+row.ID+")")
		return resp, nil
	}
	sel, e := rowSelect(q, t)
	if e != nil {
		return nil, e
	}
	resp := okJSON(renderRow(t, row, sel).prepend(kv{"@odata.context", o.rowContext(q, t) + "/$entity"}))
	if created {
		resp.status = http.StatusCreated
	}
	resp.header.Set("Preference-Applied", "return=representation")
	resp.header.Set("OData-EntityId", q.api+"/"+t.EntitySetName+"("+row.ID+")")
	return resp, nil
}

func (o *Org) postRow(q *apiRequest, t *table) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select"); e != nil {
		return nil, e
	}
	if _, e := rowSelect(q, t); e != nil {
		return nil, e
	}
	p, e := readPayload(q, t.LogicalName)
	if e != nil {
		return nil, e
	}
	row, e := o.createRow(t, p)
	if e != nil {
		return nil, e
	}
	return o.writeAnswer(q, t, row, true)
}

// patchRow updates a record, or creates it when the id is unknown: PATCH is an upsert in
// Dataverse. If-Match: * turns the create off (404), If-None-Match: * the update (412), and an
// If-Match ETag must be the row's current one (facts 2.2).
func (o *Org) patchRow(q *apiRequest, t *table, id string) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select"); e != nil {
		return nil, e
	}
	if _, e := rowSelect(q, t); e != nil {
		return nil, e
	}
	p, e := readPayload(q, t.LogicalName)
	if e != nil {
		return nil, e
	}
	row := o.row(t, id)
	ifMatch, ifNoneMatch := q.header("If-Match"), q.header("If-None-Match")
	if row == nil {
		if ifMatch != "" {
			return nil, rowNotFound(t, id)
		}
		keyed := payload{}
		for k, v := range p {
			keyed[k] = v
		}
		keyed[primaryID(t)] = json.RawMessage(strconv.Quote(strings.ToLower(id)))
		row, e = o.createRow(t, keyed)
		if e != nil {
			return nil, e
		}
		return o.writeAnswer(q, t, row, false)
	}
	if ifNoneMatch == "*" {
		return nil, newError(http.StatusPreconditionFailed, codeDuplicateRecord, "A record with matching key values already exists.")
	}
	if e := checkETag(ifMatch, row); e != nil {
		return nil, e
	}
	if e := o.updateRow(t, row, p); e != nil {
		return nil, e
	}
	return o.writeAnswer(q, t, row, false)
}

func checkETag(ifMatch string, row *dataRow) *apiError {
	if ifMatch == "" || ifMatch == "*" || ifMatch == rowETag(row) {
		return nil
	}
	return newError(http.StatusPreconditionFailed, codeVersionMismatch, "The version of the existing record doesn't match the RowVersion property provided.")
}

func (o *Org) deleteRow(q *apiRequest, t *table, id string) (*response, *apiError) {
	if e := checkQueryOptions(q.query); e != nil {
		return nil, e
	}
	row := o.row(t, id)
	if row == nil {
		return nil, rowNotFound(t, id)
	}
	if e := checkETag(q.header("If-Match"), row); e != nil {
		return nil, e
	}
	rows := o.st.Rows[t.LogicalName]
	kept := rows[:0]
	for _, r := range rows {
		if r != row {
			kept = append(kept, r)
		}
	}
	o.st.Rows[t.LogicalName] = kept
	return noContent(), nil
}

func primaryID(t *table) string {
	for _, a := range t.Attributes {
		if a.IsPrimaryID {
			return a.LogicalName
		}
	}
	return t.PrimaryIDAttribute
}

// createRow validates a create body, applies the column defaults and stores the row.
func (o *Org) createRow(t *table, p payload) (*dataRow, *apiError) {
	vals, id, e := checkRowPayload(t, p, true)
	if e != nil {
		return nil, e
	}
	if id == "" {
		id = newGUID()
	} else if o.row(t, id) != nil {
		return nil, newError(http.StatusPreconditionFailed, codeDuplicateRecord, "A record with matching key values already exists.")
	}
	now := o.now()
	row := &dataRow{ID: id, Values: map[string]any{}, Changed: map[string]int64{}, CreatedOn: now, ModifiedOn: now}
	// Defaults first, as the platform fills them before the create: Boolean DefaultValue
	// (followemail is true), the first state with its default status, and the calling
	// (application) user as owner.
	for _, a := range t.Attributes {
		switch {
		case a.AttributeType == "Boolean":
			row.Values[a.LogicalName] = a.DefaultValue
		case a.AttributeType == "State" && a.OptionSet != nil && len(a.OptionSet.Options) > 0:
			st := a.OptionSet.Options[0]
			row.Values[a.LogicalName] = float64(st.Value)
			if s := t.attribute("statuscode"); s != nil && st.DefaultStatus != nil {
				row.Values[s.LogicalName] = float64(*st.DefaultStatus)
			}
		case a.AttributeType == "Owner":
			row.Values[a.LogicalName] = o.st.UserID
		}
	}
	if e := checkStatus(t, row.Values, vals); e != nil {
		return nil, e
	}
	for k, v := range vals {
		row.Values[k] = v
	}
	o.st.RowVersion++
	row.Version = o.st.RowVersion
	for k := range row.Values {
		row.Changed[k] = row.Version
	}
	if o.st.Rows == nil {
		o.st.Rows = map[string][]*dataRow{}
	}
	o.st.Rows[t.LogicalName] = append(o.st.Rows[t.LogicalName], row)
	return row, nil
}

// updateRow validates an update body and applies it. Every write takes a new row version and
// modifiedon; only columns whose value differs count as changed.
func (o *Org) updateRow(t *table, row *dataRow, p payload) *apiError {
	vals, _, e := checkRowPayload(t, p, false)
	if e != nil {
		return e
	}
	if sc, ok := vals["statecode"]; ok {
		if _, setStatus := vals["statuscode"]; !setStatus {
			// Changing the state alone moves the status to that state's default, as
			// SetState does.
			if st := t.attribute("statecode"); st != nil && st.OptionSet != nil {
				n, _ := sc.(float64)
				if opt := st.OptionSet.find(int(n)); opt != nil && opt.DefaultStatus != nil {
					vals["statuscode"] = float64(*opt.DefaultStatus)
				}
			}
		}
	}
	if e := checkStatus(t, row.Values, vals); e != nil {
		return e
	}
	o.st.RowVersion++
	row.Version = o.st.RowVersion
	row.ModifiedOn = o.now()
	if row.Changed == nil {
		row.Changed = map[string]int64{}
	}
	for k, v := range vals {
		if old, had := row.Values[k]; !had || old != v {
			row.Changed[k] = row.Version
		}
		row.Values[k] = v
	}
	return nil
}

// checkStatus verifies that the resulting statuscode belongs to the resulting statecode.
func checkStatus(t *table, current, update map[string]any) *apiError {
	status, ok := update["statuscode"]
	if !ok || status == nil {
		return nil
	}
	state := current["statecode"]
	if s, ok := update["statecode"]; ok {
		state = s
	}
	sa := t.attribute("statuscode")
	if sa == nil || sa.OptionSet == nil {
		return nil
	}
	statusValue, _ := status.(float64)
	opt := sa.OptionSet.find(int(statusValue))
	stateValue, _ := state.(float64)
	if opt != nil && opt.State != nil && float64(*opt.State) != stateValue {
		return invalidArgument("%v is not a valid status code for state code %sState.%v on %s.", status, t.SchemaName, stateValue, t.LogicalName)
	}
	return nil
}

// checkRowPayload checks a create or update body against the table's columns and returns the
// values it sets (typed as stored) and, on create, a client-supplied primary key.
func checkRowPayload(t *table, p payload, create bool) (map[string]any, string, *apiError) {
	vals := map[string]any{}
	id := ""
	op := "update"
	if create {
		op = "create"
	}
	for _, k := range sortedKeys(p) {
		raw := bytes.TrimSpace(p[k])
		switch {
		case k == "@odata.context":
			return nil, "", payloadError(t.LogicalName, "The annotation 'odata.context' was found. This annotation is either not recognized or not expected at the current position.")
		case k == "@odata.type":
			typ := strings.Trim(string(raw), `"`)
			if strings.TrimPrefix(typ, "#") != crmNS+t.LogicalName {
				return nil, "", payloadError(t.LogicalName, "A resource of type '"+typ+"' was found, but a resource of type '"+crmNS+t.LogicalName+"' was expected.")
			}
			continue
		case strings.HasPrefix(k, "@"):
			continue // other instance annotations (an @odata.etag copied from a GET) are ignored
		case strings.Contains(k, "@"):
			// Assumption: setting lookups (nav@odata.bind) is valid in Dataverse but not emulated.
			return nil, "", newError(http.StatusNotImplemented, codeODataError,
				"The annotation on '%s' is not supported by this sandbox: lookup columns cannot be set through the data API here.", k)
		}
		a := exactAttribute(t, k)
		if a == nil {
			return nil, "", newError(http.StatusBadRequest, codeODataError,
				"Could not find a property named '%s' on type 'Microsoft.Dynamics.CRM.%s'.", k, t.LogicalName)
		}
		if isLookup(a) {
			return nil, "", newError(http.StatusNotImplemented, codeODataError,
				"The lookup column '%s' cannot be set through the data API of this sandbox.", k)
		}
		if (create && !a.IsValidForCreate) || (!create && !a.IsValidForUpdate) {
			// Assumption: Dataverse documents no code for a column that is not valid for the
			// operation; InvalidArgument is the platform's business-rule error.
			return nil, "", invalidArgument("The attribute '%s' of entity '%s' is not valid for %s.", k, t.LogicalName, op)
		}
		v, e := typedColumnValue(t, a, raw)
		if e != nil {
			return nil, "", e
		}
		if a.IsPrimaryID {
			if s, _ := v.(string); s != "" {
				id = strings.ToLower(s)
			}
			continue
		}
		vals[k] = v
	}
	return vals, id, nil
}

// exactAttribute finds a column by its exact logical name: OData property names are
// case-sensitive, unlike metadata keys.
func exactAttribute(t *table, name string) *attribute {
	for _, a := range t.Attributes {
		if a.LogicalName == name {
			return a
		}
	}
	return nil
}

// typedColumnValue converts one JSON value for column a, as the OData deserializer and the
// platform's validation do: JSON booleans for Boolean columns (a string "true" is refused),
// strings within MaxLength, integers within range, an existing option for choices.
func typedColumnValue(t *table, a *attribute, raw json.RawMessage) (any, *apiError) {
	literal := string(raw)
	convErr := func(edm string) *apiError {
		return payloadError(t.LogicalName, fmt.Sprintf("Cannot convert the literal '%s' to the expected type '%s'.", strings.Trim(literal, `"`), edm))
	}
	if literal == "null" {
		if a.RequiredLevel == "SystemRequired" {
			return nil, invalidArgument("Attribute %s cannot be set to NULL.", a.LogicalName)
		}
		return nil, nil
	}
	switch a.AttributeType {
	case "Boolean":
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, convErr(edmBoolean)
		}
		return b, nil
	case "String", "Memo":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, convErr(edmString)
		}
		if a.MaxLength > 0 && len([]rune(s)) > a.MaxLength {
			return nil, newError(http.StatusBadRequest, codeLengthExceeded,
				"A validation error occurred. The length of the '%s' attribute of the '%s' entity exceeded the maximum allowed length of '%d'.", a.LogicalName, t.LogicalName, a.MaxLength)
		}
		return s, nil
	case "Uniqueidentifier":
		var s string
		if json.Unmarshal(raw, &s) != nil || !isGUID(s) {
			return nil, convErr(edmGUID)
		}
		return strings.ToLower(s), nil
	case "DateTime":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, convErr(edmDateTime)
		}
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if ts, err = time.Parse("2006-01-02", s); err != nil {
				return nil, convErr(edmDateTime)
			}
		}
		return timestamp(ts), nil
	case "Integer", "BigInt", "Picklist", "State", "Status":
		var n float64
		if json.Unmarshal(raw, &n) != nil || n != math.Trunc(n) {
			return nil, convErr(edmInt)
		}
		if a.OptionSet != nil {
			if a.OptionSet.find(int(n)) == nil {
				return nil, newError(http.StatusBadRequest, codeOutOfRange,
					"A validation error occurred. The value %d of '%s' on record of type '%s' is outside the valid range.", int64(n), a.LogicalName, t.LogicalName)
			}
			return n, nil
		}
		if (a.MinValue != 0 || a.MaxValue != 0) && (n < a.MinValue || n > a.MaxValue) {
			return nil, newError(http.StatusBadRequest, codeOutOfRange,
				"A validation error occurred. The value %d of '%s' on record of type '%s' is outside the valid range. Accepted Values: %d to %d.", int64(n), a.LogicalName, t.LogicalName, int64(a.MinValue), int64(a.MaxValue))
		}
		return n, nil
	default: // Decimal, Double, Money
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			return nil, convErr(edmNumber)
		}
		if (a.MinValue != 0 || a.MaxValue != 0) && (n < a.MinValue || n > a.MaxValue) {
			return nil, newError(http.StatusBadRequest, codeOutOfRange,
				"A validation error occurred. The value %v of '%s' on record of type '%s' is outside the valid range.", n, a.LogicalName, t.LogicalName)
		}
		return n, nil
	}
}
