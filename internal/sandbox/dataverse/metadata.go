package dataverse

import (
	"net/http"
	"strings"
)

// This file serves the read side of the metadata API: EntityDefinitions and their Attributes.

func (o *Org) routeEntityDefinitions(q *apiRequest) (*response, *apiError) {
	segs := q.segs
	if segs[0].key == nil {
		if len(segs) > 1 {
			return nil, notFoundSegment(segs[1].name)
		}
		if q.method != http.MethodGet {
			return nil, unsupportedWrite(q.method, "tables")
		}
		return o.listEntities(q)
	}
	t, e := o.resolveTable(segs[0].key)
	if e != nil {
		return nil, e
	}
	if len(segs) == 1 {
		switch q.method {
		case http.MethodGet:
			return o.getEntity(q, t)
		case http.MethodPut, http.MethodDelete:
			return nil, unsupportedWrite(q.method, "tables")
		}
		return nil, methodNotAllowed(q.method)
	}
	switch nav := segs[1]; nav.name {
	case "Attributes":
		return o.routeAttributes(q, t)
	case "Keys", "ManyToManyRelationships", "ManyToOneRelationships", "OneToManyRelationships":
		// Relationships and keys are not emulated; the tables simply have none.
		if nav.key != nil {
			return nil, newError(http.StatusNotFound, codeObjectDoesNotExist, "Could not find %s with key %s.", nav.name, nav.key)
		}
		if len(segs) > 2 {
			return nil, notFoundSegment(segs[2].name)
		}
		if q.method != http.MethodGet {
			return nil, unsupportedWrite(q.method, nav.name)
		}
		return okJSON(obj{{"@odata.context", q.api + "/$metadata#EntityDefinitions(" + contextKey(segs[0].key) + ")/" + nav.name}, {"value", []any{}}}), nil
	default:
		return nil, notFoundSegment(nav.name)
	}
}

// unsupportedWrite answers writes that Dataverse supports but this emulator does not.
func unsupportedWrite(method, what string) *apiError {
	return newError(http.StatusNotImplemented, codeODataError, "%s on %s is not supported by this sandbox.", method, what)
}

func (o *Org) resolveTable(k *segKey) (*table, *apiError) {
	switch {
	case k.id != "":
		if t := o.tableByID(k.id); t != nil {
			return t, nil
		}
		return nil, entityIDNotFound(k.id)
	case k.property == "LogicalName":
		if t := o.table(k.value); t != nil {
			return t, nil
		}
		return nil, entityNotFound(k.value)
	}
	return nil, queryError("The key property '%s' is not an alternate key of EntityDefinitions; use MetadataId or LogicalName.", k.property)
}

func resolveAttribute(t *table, k *segKey) (*attribute, *apiError) {
	switch {
	case k.id != "":
		if a := t.attributeByID(k.id); a != nil {
			return a, nil
		}
		return nil, attributeNotFound(t.LogicalName, k.id)
	case k.property == "LogicalName":
		if a := t.attribute(k.value); a != nil {
			return a, nil
		}
		return nil, attributeNotFound(t.LogicalName, k.value)
	}
	return nil, queryError("The key property '%s' is not an alternate key of Attributes; use MetadataId or LogicalName.", k.property)
}

// contextKey renders a key for @odata.context the way Microsoft's samples show it:
// EntityDefinitions('sample_bankaccount') for an alternate key, the bare GUID otherwise.
func contextKey(k *segKey) string {
	if k.id != "" {
		return k.id
	}
	return "'" + strings.ReplaceAll(k.value, "'", "''") + "'"
}

// contextProps renders the "(a,b,Nav)" part of an @odata.context, or "" when there is none.
func contextProps(selectRaw string, expanded ...string) string {
	items := append(selectList(selectRaw), expanded...)
	if len(items) == 0 {
		return ""
	}
	return "(" + strings.Join(items, ",") + ")"
}

// castSegment parses a type-cast segment such as Microsoft.Dynamics.CRM.BooleanAttributeMetadata.
func castSegment(seg segment) (string, *apiError) {
	cls, ok := strings.CutPrefix(seg.name, crmNS)
	if !ok || seg.key != nil {
		return "", notFoundSegment(seg.name)
	}
	if cls == "EnumAttributeMetadata" || cls == "AttributeMetadata" {
		// Microsoft: "you can't cast to EnumAttributeMetadata"; query each derived type.
		return "", queryError("The type '%s' cannot be used in a type cast here; cast to a concrete type such as %sPicklistAttributeMetadata.", seg.name, crmNS)
	}
	if !knownClasses[cls] {
		return "", notFoundSegment(seg.name)
	}
	return cls, nil
}

func (o *Org) listEntities(q *apiRequest) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select", "$filter", "$expand"); e != nil {
		return nil, e
	}
	sel, e := parseSelect(q.query.Get("$select"), entityProps, "EntityMetadata")
	if e != nil {
		return nil, e
	}
	var f filter
	if raw := q.query.Get("$filter"); raw != "" {
		if f, e = parseFilter(raw, entitySchema()); e != nil {
			return nil, e
		}
	}
	exp, expanded, e := parseEntityExpand(q.query.Get("$expand"))
	if e != nil {
		return nil, e
	}
	values := []obj{}
	for _, t := range o.st.Tables {
		full := renderEntity(t)
		if f != nil && !f.eval(full, entitySchema()) {
			continue
		}
		item, e := o.shapeEntity(o.view(q, t), full, sel, exp)
		if e != nil {
			return nil, e
		}
		values = append(values, item)
	}
	ctx := q.api + "/$metadata#EntityDefinitions" + contextProps(q.query.Get("$select"), expanded...)
	return okJSON(obj{{"@odata.context", ctx}, {"value", values}}), nil
}

func (o *Org) getEntity(q *apiRequest, t *table) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select", "$expand"); e != nil {
		return nil, e
	}
	sel, e := parseSelect(q.query.Get("$select"), entityProps, "EntityMetadata")
	if e != nil {
		return nil, e
	}
	exp, expanded, e := parseEntityExpand(q.query.Get("$expand"))
	if e != nil {
		return nil, e
	}
	item, e := o.shapeEntity(o.view(q, t), renderEntity(t), sel, exp)
	if e != nil {
		return nil, e
	}
	ctx := q.api + "/$metadata#EntityDefinitions" + contextProps(q.query.Get("$select"), expanded...) + "/$entity"
	return okJSON(item.prepend(kv{"@odata.context", ctx})), nil
}

func parseEntityExpand(raw string) ([]expandItem, []string, *apiError) {
	items, e := parseExpand(raw)
	if e != nil {
		return nil, nil, e
	}
	var names []string
	for _, it := range items {
		if !entityNavigation[it.name] {
			return nil, nil, propertyNotFound(it.name, "EntityMetadata")
		}
		names = append(names, it.name)
	}
	return items, names, nil
}

// shapeEntity applies $select and $expand to a rendered table.
func (o *Org) shapeEntity(t *table, full obj, sel map[string]bool, exp []expandItem) (obj, *apiError) {
	item := full
	if sel != nil {
		keep := map[string]bool{"MetadataId": true}
		for k := range sel {
			keep[k] = true
		}
		item = full.pick(keep)
	}
	for _, it := range exp {
		if it.name != "Attributes" {
			item = append(item, kv{it.name, []any{}})
			continue
		}
		for k := range it.options {
			if k != "$select" && k != "$filter" {
				return nil, queryError("The query option %s is not supported inside $expand=Attributes.", k)
			}
		}
		attrs, e := o.attributeList(t, "", it.options["$select"], it.options["$filter"], nil)
		if e != nil {
			return nil, e
		}
		item = append(item, kv{"Attributes", attrs})
	}
	return item, nil
}

func (o *Org) routeAttributes(q *apiRequest, t *table) (*response, *apiError) {
	segs := q.segs[1:] // Attributes[(key)][/cast]
	cls := ""
	if len(segs) > 1 {
		var e *apiError
		if cls, e = castSegment(segs[1]); e != nil {
			return nil, e
		}
		if len(segs) > 2 {
			return nil, notFoundSegment(segs[2].name)
		}
	}
	// Reads and the key resolution of writes go through the metadata cache (cache.go); a create
	// checks names against the live table, as the platform does.
	v := o.view(q, t)
	if segs[0].key == nil {
		switch {
		case q.method == http.MethodGet:
			return o.listAttributes(q, v, cls)
		case q.method == http.MethodPost && cls == "":
			return o.createAttribute(q, t)
		}
		return nil, methodNotAllowed(q.method)
	}
	a, e := resolveAttribute(v, segs[0].key)
	if e != nil {
		return nil, e
	}
	if q.method == http.MethodGet {
		return o.getAttribute(q, v, a, cls)
	}
	live := liveAttribute(t, a)
	if live == nil {
		return nil, attributeNotFound(t.LogicalName, segs[0].key.value+segs[0].key.id)
	}
	switch {
	case q.method == http.MethodPut && cls == "":
		return o.updateAttribute(q, t, live)
	case q.method == http.MethodDelete && cls == "":
		return o.deleteAttribute(t, live)
	}
	// PATCH included: "You can't use the PATCH method to update data model entities" (facts 3.4).
	return nil, methodNotAllowed(q.method)
}

func (o *Org) listAttributes(q *apiRequest, t *table, cls string) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select", "$filter", "$expand"); e != nil {
		return nil, e
	}
	expandOS, expanded, e := parseAttributeExpand(q.query.Get("$expand"), cls)
	if e != nil {
		return nil, e
	}
	values, e := o.attributeList(t, cls, q.query.Get("$select"), q.query.Get("$filter"), &expandOS)
	if e != nil {
		return nil, e
	}
	ctx := q.api + "/$metadata#EntityDefinitions(" + contextKey(q.segs[0].key) + ")/Attributes"
	if cls != "" {
		ctx += "/" + crmNS + cls
	}
	ctx += contextProps(q.query.Get("$select"), expanded...)
	return okJSON(obj{{"@odata.context", ctx}, {"value", values}}), nil
}

// attributeList renders the columns of t, optionally cast to cls, filtered and selected. A base
// (uncast) list tags each item with its derived @odata.type; a cast list does not need to, as
// every item is of the cast type. There is no paging: metadata queries have none (facts 3.2).
func (o *Org) attributeList(t *table, cls, selectRaw, filterRaw string, expandOS *bool) ([]obj, *apiError) {
	sel, e := parseSelect(selectRaw, selectableAttrProps(cls), classOrBase(cls))
	if e != nil {
		return nil, e
	}
	sch := attributeSchema(cls)
	var f filter
	if filterRaw != "" {
		if f, e = parseFilter(filterRaw, sch); e != nil {
			return nil, e
		}
	}
	expand := expandOS != nil && *expandOS
	values := []obj{}
	for _, a := range t.Attributes {
		if cls != "" && a.class() != cls {
			continue
		}
		full := renderAttribute(t, a, cls, expand)
		if f != nil && !f.eval(full, sch) {
			continue
		}
		item := shapeAttribute(full, sel, expand)
		if cls == "" {
			item = item.prepend(kv{"@odata.type", "#" + crmNS + a.class()})
		}
		values = append(values, item)
	}
	return values, nil
}

func classOrBase(cls string) string {
	if cls == "" {
		return "AttributeMetadata"
	}
	return cls
}

func shapeAttribute(full obj, sel map[string]bool, expanded bool) obj {
	if sel == nil {
		return full
	}
	keep := map[string]bool{"MetadataId": true, "OptionSet": expanded, "GlobalOptionSet": expanded}
	for k := range sel {
		keep[k] = true
	}
	return full.pick(keep)
}

// parseAttributeExpand accepts $expand=OptionSet (and GlobalOptionSet for picklists) on a class
// that has it. Nested options are accepted and ignored ("honoured loosely").
func parseAttributeExpand(raw, cls string) (bool, []string, *apiError) {
	items, e := parseExpand(raw)
	if e != nil {
		return false, nil, e
	}
	expand := false
	var names []string
	for _, it := range items {
		switch {
		case it.name == "OptionSet" && hasOptionSet(cls):
			expand = true
		case it.name == "GlobalOptionSet" && cls == "PicklistAttributeMetadata":
			expand = true
		default:
			return false, nil, propertyNotFound(it.name, classOrBase(cls))
		}
		names = append(names, it.name)
	}
	return expand, names, nil
}

func (o *Org) getAttribute(q *apiRequest, t *table, a *attribute, cls string) (*response, *apiError) {
	if e := checkQueryOptions(q.query, "$select", "$expand"); e != nil {
		return nil, e
	}
	if o.st.Hidden[a.MetadataID] && o.st.Faults.NotFoundAfterCreate > 0 {
		// Injected metadata-cache lag: the column exists but this read does not see it, whatever
		// Consistency header the client sent.
		o.st.Faults.NotFoundAfterCreate--
		o.st.Stats.NotFoundFaults++
		if o.st.Faults.NotFoundAfterCreate == 0 {
			o.st.Hidden = nil
		}
		k := q.segs[1].key
		name := k.value
		if k.id != "" {
			name = k.id
		}
		return nil, attributeNotFound(t.LogicalName, name)
	}
	if cls != "" && a.class() != cls {
		// Assumption: a cast to a type the column is not answers 404, as OData specifies for a
		// single entity that is not of the cast type; the message names both types so that a
		// client can tell this from a missing column.
		return nil, newError(http.StatusNotFound, codeObjectDoesNotExist,
			"The attribute '%s' of entity '%s' is of type '%s%s', not '%s%s'.", a.LogicalName, t.LogicalName, crmNS, a.class(), crmNS, cls)
	}
	sel, e := parseSelect(q.query.Get("$select"), selectableAttrProps(cls), classOrBase(cls))
	if e != nil {
		return nil, e
	}
	expand, expanded, e := parseAttributeExpand(q.query.Get("$expand"), cls)
	if e != nil {
		return nil, e
	}
	item := shapeAttribute(renderAttribute(t, a, cls, expand), sel, expand)
	ctx := q.api + "/$metadata#EntityDefinitions(" + contextKey(q.segs[0].key) + ")/Attributes"
	if cls != "" {
		ctx += "/" + crmNS + cls
	}
	ctx += contextProps(q.query.Get("$select"), expanded...) + "/$entity"
	// A single GET that casts in the URL returns no @odata.type (facts 3.2): the type is the
	// one asked for. An uncast GET returns a derived type, which minimal metadata annotates.
	if cls == "" {
		return okJSON(item.prepend(kv{"@odata.context", ctx}, kv{"@odata.type", "#" + crmNS + a.class()})), nil
	}
	return okJSON(item.prepend(kv{"@odata.context", ctx})), nil
}
