package dataverse

import (
	"net/http"
	"strconv"
	"strings"
)

// This file serves the few data (record) entity sets a client needs to check solution
// membership: solutions, publishers and solutioncomponents. They are read-only views of the
// state, shaped like Dataverse records (lower-case column names, _x_value lookups, @odata.etag).

// recordSet describes one emulated entity set.
type recordSet struct {
	entity string // logical name, e.g. "solution"
	key    string // primary key column
	rows   func(o *Org) []obj
	// nav are the single-valued navigation properties $expand accepts: name → target set and the
	// lookup column holding the target's id.
	nav map[string]navProp
}

type navProp struct {
	set    string
	lookup string
}

// recordSets is keyed by entity set name. It is filled in init because the sets refer to each
// other through navigation properties.
var recordSets map[string]*recordSet

func init() {
	recordSets = map[string]*recordSet{
		"solutions": {entity: "solution", key: "solutionid", rows: solutionRows,
			nav: map[string]navProp{"publisherid": {set: "publishers", lookup: "_publisherid_value"}}},
		"publishers": {entity: "publisher", key: "publisherid", rows: publisherRows},
		"solutioncomponents": {entity: "solutioncomponent", key: "solutioncomponentid", rows: componentRows,
			nav: map[string]navProp{"solutionid": {set: "solutions", lookup: "_solutionid_value"}}},
	}
}

func solutionRows(o *Org) []obj {
	var rows []obj
	for _, s := range o.st.Solutions {
		rows = append(rows, obj{
			{"solutionid", s.ID}, {"uniquename", s.UniqueName}, {"friendlyname", s.FriendlyName},
			{"version", s.Version}, {"ismanaged", s.IsManaged}, {"isvisible", s.IsVisible},
			{"description", nil}, {"solutiontype", 0}, {"_publisherid_value", s.PublisherID},
			{"installedon", timestamp(s.InstalledOn)}, {"createdon", timestamp(s.InstalledOn)},
			{"modifiedon", timestamp(s.InstalledOn)},
		})
	}
	return rows
}

func publisherRows(o *Org) []obj {
	var rows []obj
	for _, p := range o.st.Publishers {
		rows = append(rows, obj{
			{"publisherid", p.ID}, {"uniquename", p.UniqueName}, {"friendlyname", p.FriendlyName},
			{"customizationprefix", p.Prefix}, {"customizationoptionvalueprefix", p.OptionValuePrefix},
			{"description", nil}, {"isreadonly", false},
		})
	}
	return rows
}

func componentRows(o *Org) []obj {
	var rows []obj
	for _, s := range o.st.Solutions {
		for _, c := range s.Components {
			rows = append(rows, obj{
				{"solutioncomponentid", c.ID}, {"_solutionid_value", s.ID}, {"objectid", c.ObjectID},
				{"componenttype", c.ComponentType}, {"rootcomponentbehavior", 0}, {"ismetadata", true},
				{"_rootsolutioncomponentid_value", nil}, {"createdon", timestamp(c.CreatedOn)},
				{"modifiedon", timestamp(c.CreatedOn)},
			})
		}
	}
	return rows
}

// schema derives the filter schema of a set from a sample row: id-like columns are GUIDs,
// *on columns are dates. Record comparisons are case-insensitive, as SQL compares them.
func (rs *recordSet) schema(sample obj) schema {
	overrides := map[string]string{}
	for _, p := range sample {
		switch {
		case p.k == rs.key || p.k == "objectid" || (strings.HasPrefix(p.k, "_") && strings.HasSuffix(p.k, "_value")):
			overrides[p.k] = edmGUID
		case strings.HasSuffix(p.k, "on"):
			overrides[p.k] = edmDateTime
		case p.v == nil:
			overrides[p.k] = edmString
		}
	}
	s := schemaFromSample(rs.entity, sample, overrides)
	s.caseInsensitive = true
	return s
}

// sample returns a row with every column, for schemas and $select validation even when the set
// is empty.
func (rs *recordSet) sample() obj {
	switch rs.entity {
	case "solution":
		return solutionRows(&Org{st: &state{Solutions: []*solution{{}}}})[0]
	case "publisher":
		return publisherRows(&Org{st: &state{Publishers: []*publisher{{}}}})[0]
	default:
		return componentRows(&Org{st: &state{Solutions: []*solution{{Components: []*component{{}}}}}})[0]
	}
}

// etag is a stable row version derived from the row's id (rows here never change in place).
func etag(row obj, key string) string {
	id, _ := row.getString(key)
	n, _ := strconv.ParseUint(nameGUID("etag", id)[:7], 16, 64)
	return `W/"` + strconv.FormatUint(n, 10) + `"`
}

// handleRecords serves GET <set> and GET <set>(<id>).
func (o *Org) handleRecords(q *apiRequest, rs *recordSet) (*response, *apiError) {
	seg := q.segs[0]
	if len(q.segs) > 1 {
		return nil, notFoundSegment(q.segs[1].name)
	}
	if q.method != http.MethodGet {
		return nil, unsupportedWrite(q.method, "the "+rs.entity+" table")
	}
	sample := rs.sample()
	sch := rs.schema(sample)
	allowed := sample.keys()
	sel, e := parseSelect(q.query.Get("$select"), allowed, rs.entity)
	if e != nil {
		return nil, e
	}
	exp, e := parseExpand(q.query.Get("$expand"))
	if e != nil {
		return nil, e
	}
	expanded := make([]string, 0, len(exp))
	for _, it := range exp {
		if _, ok := rs.nav[it.name]; !ok {
			return nil, propertyNotFound(it.name, rs.entity)
		}
		for k := range it.options {
			if k != "$select" {
				return nil, queryError("The query option %s is not supported inside $expand by this sandbox.", k)
			}
		}
		target := recordSets[rs.nav[it.name].set]
		if _, e := parseSelect(it.options["$select"], target.sample().keys(), target.entity); e != nil {
			return nil, e
		}
		name := it.name
		if s := it.options["$select"]; s != "" {
			name += "(" + s + ")"
		}
		expanded = append(expanded, name)
	}
	ctx := q.api + "/$metadata#" + q.segs[0].name + contextProps(q.query.Get("$select"), expanded...)

	if seg.key != nil {
		if e := checkQueryOptions(q.query, "$select", "$expand"); e != nil {
			return nil, e
		}
		if seg.key.id == "" {
			return nil, queryError("The key value (%s) from request is not valid. The key value should be format of type 'Edm.Guid'.", seg.key)
		}
		for _, row := range rs.rows(o) {
			if id, _ := row.getString(rs.key); strings.EqualFold(id, seg.key.id) {
				return okJSON(o.shapeRecord(rs, row, sel, exp).prepend(kv{"@odata.context", ctx + "/$entity"})), nil
			}
		}
		return nil, newError(http.StatusNotFound, codeObjectDoesNotExist, "%s With Id = %s Does Not Exist", rs.entity, seg.key.id)
	}

	if e := checkQueryOptions(q.query, "$select", "$filter", "$expand", "$top"); e != nil {
		return nil, e
	}
	f, top, e := filterAndTop(q.query, sch)
	if e != nil {
		return nil, e
	}
	values := []obj{}
	for _, row := range rs.rows(o) {
		if top >= 0 && len(values) >= top {
			break
		}
		if f != nil && !f.eval(row, sch) {
			continue
		}
		values = append(values, o.shapeRecord(rs, row, sel, exp))
	}
	return okJSON(obj{{"@odata.context", ctx}, {"value", values}}), nil
}

// shapeRecord applies $select and $expand to a row and adds its @odata.etag.
func (o *Org) shapeRecord(rs *recordSet, row obj, sel map[string]bool, exp []expandItem) obj {
	out := row
	if sel != nil {
		keep := map[string]bool{rs.key: true}
		for k := range sel {
			keep[k] = true
		}
		out = row.pick(keep)
	}
	out = out.prepend(kv{"@odata.etag", etag(row, rs.key)})
	for _, it := range exp {
		np := rs.nav[it.name]
		target := recordSets[np.set]
		id, hasID := row.getString(np.lookup) // false for a nil (empty) lookup
		var related any
		for _, tr := range target.rows(o) {
			if tid, _ := tr.getString(target.key); hasID && strings.EqualFold(tid, id) {
				tsel, _ := parseSelect(it.options["$select"], target.sample().keys(), target.entity)
				related = o.shapeRecord(target, tr, tsel, nil)
			}
		}
		out = append(out, kv{it.name, related})
	}
	return out
}
