package outreach

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Collection paths under /api/v2.
const (
	pathPlugins        = "plugins"
	pathPluginObjects  = "pluginObjects"
	pathPluginFields   = "pluginFields"
	pathFieldMappings  = "pluginFieldMappings"
	pathSyncConditions = "pluginSyncConditions"
)

// ---- plugin ----------------------------------------------------------------------------------

// Plugin is an installed CRM plugin (read only).
type Plugin struct {
	ID int64
	// Kind is "dynamics" or "salesforce".
	Kind string
	// Name is the display name.
	Name string
	// InstanceURL is the CRM org URL.
	InstanceURL string
	// SyncStatus is "active", "paused" or "disconnected".
	SyncStatus           string
	CreatedAt, UpdatedAt time.Time
}

// PluginFilter narrows ListPlugins; empty members do not filter.
type PluginFilter struct {
	Kind, InstanceURL string
}

type pluginAttrs struct {
	Kind        string   `json:"kind"`
	Name        string   `json:"name"`
	InstanceURL string   `json:"instanceUrl"`
	SyncStatus  string   `json:"syncStatus"`
	CreatedAt   wireTime `json:"createdAt"`
	UpdatedAt   wireTime `json:"updatedAt"`
}

func decodePlugin(r *resourceObject) (Plugin, error) {
	var a pluginAttrs
	if err := decodeAttributes(r, &a); err != nil {
		return Plugin{}, err
	}
	return Plugin{
		ID: int64(r.ID), Kind: a.Kind, Name: a.Name, InstanceURL: a.InstanceURL, SyncStatus: a.SyncStatus,
		CreatedAt: time.Time(a.CreatedAt), UpdatedAt: time.Time(a.UpdatedAt),
	}, nil
}

// ListPlugins returns every plugin that matches f.
func (c *Client) ListPlugins(ctx context.Context, f PluginFilter) ([]Plugin, error) {
	rs, err := c.list(ctx, pathPlugins, typePlugin, [][2]string{
		{"filter[kind]", f.Kind}, {"filter[instanceUrl]", f.InstanceURL},
	})
	if err != nil {
		return nil, err
	}
	return decodeAll(rs, decodePlugin)
}

// GetPlugin reads one plugin; a missing one is an *APIError for which IsNotFound is true.
func (c *Client) GetPlugin(ctx context.Context, id int64) (*Plugin, error) {
	if err := validID("plugin", id); err != nil {
		return nil, err
	}
	r, err := c.getOne(ctx, c.resourceURL(pathPlugins, id), typePlugin)
	if err != nil {
		return nil, err
	}
	return ptrOrErr(decodePlugin(r))
}

// RefreshFields makes the plugin re-read the CRM's column metadata into its field catalog, so
// that a column created in Dynamics since the last refresh can be mapped.
func (c *Client) RefreshFields(ctx context.Context, pluginID int64) error {
	if err := validID("plugin", pluginID); err != nil {
		return err
	}
	// Marked idempotent although it is a POST: re-reading metadata twice has the same effect as
	// once, so a 502/503/504 or a dropped connection may be retried.
	_, err := c.do(ctx, request{
		method:     http.MethodPost,
		url:        c.resourceURL(pathPlugins, pluginID) + "/actions/refreshFields",
		idempotent: true,
	})
	return err
}

// ---- pluginObject ----------------------------------------------------------------------------

// PluginObject holds the sync settings of one CRM object of a plugin. They exist as long as the
// plugin does: they can be read and patched, never created or deleted.
type PluginObject struct {
	ID, PluginID int64
	// CRMObject is the CRM table (lead, contact, account...); read only.
	CRMObject string
	// OutreachObject is the Outreach type it syncs with (prospect, account...); read only.
	OutreachObject string
	// Polling polls the CRM for changes on mapped fields, every PollingFrequency minutes.
	Polling          bool
	PollingFrequency int64
	// Pushing pushes Outreach changes on mapped fields to the CRM.
	Pushing bool
	// InboundCreate/InboundUpdate: CRM → Outreach; OutboundCreate/OutboundUpdate: Outreach → CRM.
	InboundCreate, InboundUpdate, OutboundCreate, OutboundUpdate bool
	UpdatedAt                                                    time.Time
}

// PluginObjectPatch lists the settings to change; only non-nil members are sent, so that a
// setting the configuration does not manage is left as it is.
type PluginObjectPatch struct {
	Polling                                                               *bool
	PollingFrequency                                                      *int64
	Pushing, InboundCreate, InboundUpdate, OutboundCreate, OutboundUpdate *bool
}

type pluginObjectAttrs struct {
	CRMObject        string   `json:"crmObject"`
	OutreachObject   string   `json:"outreachObject"`
	Polling          bool     `json:"polling"`
	PollingFrequency flexInt  `json:"pollingFrequency"`
	Pushing          bool     `json:"pushing"`
	InboundCreate    bool     `json:"inboundCreate"`
	InboundUpdate    bool     `json:"inboundUpdate"`
	OutboundCreate   bool     `json:"outboundCreate"`
	OutboundUpdate   bool     `json:"outboundUpdate"`
	UpdatedAt        wireTime `json:"updatedAt"`
}

func decodePluginObject(r *resourceObject) (PluginObject, error) {
	var a pluginObjectAttrs
	if err := decodeAttributes(r, &a); err != nil {
		return PluginObject{}, err
	}
	return PluginObject{
		ID: int64(r.ID), PluginID: r.pluginID(),
		CRMObject: a.CRMObject, OutreachObject: a.OutreachObject,
		Polling: a.Polling, PollingFrequency: int64(a.PollingFrequency), Pushing: a.Pushing,
		InboundCreate: a.InboundCreate, InboundUpdate: a.InboundUpdate,
		OutboundCreate: a.OutboundCreate, OutboundUpdate: a.OutboundUpdate,
		UpdatedAt: time.Time(a.UpdatedAt),
	}, nil
}

// ListPluginObjects returns the sync settings of a plugin's objects; crmObject "" means all.
func (c *Client) ListPluginObjects(ctx context.Context, pluginID int64, crmObject string) ([]PluginObject, error) {
	rs, err := c.list(ctx, pathPluginObjects, typePluginObject, [][2]string{
		pluginFilter(pluginID), {"filter[crmObject]", crmObject},
	})
	if err != nil {
		return nil, err
	}
	return decodeAll(rs, decodePluginObject)
}

// GetPluginObject reads one object's sync settings.
func (c *Client) GetPluginObject(ctx context.Context, id int64) (*PluginObject, error) {
	if err := validID("pluginObject", id); err != nil {
		return nil, err
	}
	r, err := c.getOne(ctx, c.resourceURL(pathPluginObjects, id), typePluginObject)
	if err != nil {
		return nil, err
	}
	return ptrOrErr(decodePluginObject(r))
}

// UpdatePluginObject changes the settings set in p and returns the object as the server has it.
func (c *Client) UpdatePluginObject(ctx context.Context, id int64, p PluginObjectPatch) (*PluginObject, error) {
	if err := validID("pluginObject", id); err != nil {
		return nil, err
	}
	attrs := map[string]any{}
	setIf := func(name string, v any, ok bool) {
		if ok {
			attrs[name] = v
		}
	}
	setIf("polling", deref(p.Polling), p.Polling != nil)
	setIf("pollingFrequency", deref(p.PollingFrequency), p.PollingFrequency != nil)
	setIf("pushing", deref(p.Pushing), p.Pushing != nil)
	setIf("inboundCreate", deref(p.InboundCreate), p.InboundCreate != nil)
	setIf("inboundUpdate", deref(p.InboundUpdate), p.InboundUpdate != nil)
	setIf("outboundCreate", deref(p.OutboundCreate), p.OutboundCreate != nil)
	setIf("outboundUpdate", deref(p.OutboundUpdate), p.OutboundUpdate != nil)
	r, err := c.patch(ctx, c.resourceURL(pathPluginObjects, id), outgoingResource{
		Type: typePluginObject, ID: id, Attributes: attrs,
	})
	if err != nil {
		return nil, err
	}
	return ptrOrErr(decodePluginObject(r))
}

// ---- pluginField -----------------------------------------------------------------------------

// Field is one entry of a plugin's field catalog: what may be mapped or used in a condition.
type Field struct {
	PluginID  int64
	CRMObject string
	// Side is "outreach" or "crm".
	Side string
	// Name is the Outreach attribute name or the CRM column's logical name.
	Name  string
	Label string
	// Type is boolean, string, integer, decimal, datetime, picklist or lookup.
	Type string
	// Writable says whether the field can be written on its side.
	Writable bool
}

// FieldFilter narrows ListFields; zero members do not filter.
type FieldFilter struct {
	PluginID              int64
	CRMObject, Side, Name string
}

type fieldAttrs struct {
	CRMObject string `json:"crmObject"`
	Side      string `json:"side"`
	Name      string `json:"name"`
	Label     string `json:"label"`
	Type      string `json:"type"`
	Writable  bool   `json:"writable"`
}

func decodeField(r *resourceObject) (Field, error) {
	var a fieldAttrs
	if err := decodeAttributes(r, &a); err != nil {
		return Field{}, err
	}
	return Field{
		PluginID: r.pluginID(), CRMObject: a.CRMObject, Side: a.Side, Name: a.Name,
		Label: a.Label, Type: a.Type, Writable: a.Writable,
	}, nil
}

// ListFields returns the catalog entries that match f.
func (c *Client) ListFields(ctx context.Context, f FieldFilter) ([]Field, error) {
	rs, err := c.list(ctx, pathPluginFields, typePluginField, [][2]string{
		pluginFilter(f.PluginID), {"filter[crmObject]", f.CRMObject}, {"filter[side]", f.Side}, {"filter[name]", f.Name},
	})
	if err != nil {
		return nil, err
	}
	fs, err := decodeAll(rs, decodeField)
	if err != nil {
		return nil, err
	}
	// The plugin filter was asked for, so an entry without the relationship belongs to it.
	for i := range fs {
		if fs[i].PluginID == 0 {
			fs[i].PluginID = f.PluginID
		}
	}
	return fs, nil
}

// ---- pluginFieldMapping ----------------------------------------------------------------------

// FieldMapping maps an Outreach field to a CRM field on one CRM object of a plugin.
type FieldMapping struct {
	ID, PluginID int64
	// CRMObject is set on create and read only after.
	CRMObject string
	// OutreachField and CRMField are catalog names of the two sides.
	OutreachField, CRMField string
	// UpdatesIn syncs CRM → Outreach, UpdatesOut Outreach → CRM; both = bidirectional.
	UpdatesIn, UpdatesOut bool
	// SkipEmptyIn/SkipEmptyOut do not overwrite a side with an empty value from the other.
	SkipEmptyIn, SkipEmptyOut bool
	// EmptyPlaceholder is sent instead of an empty value; nil = none.
	EmptyPlaceholder *string
	// ExternalMappedType is the lookup target type for lookup fields; nil = none.
	ExternalMappedType   *string
	CreatedAt, UpdatedAt time.Time
}

// MappingFilter narrows ListFieldMappings; zero members do not filter.
type MappingFilter struct {
	PluginID                           int64
	CRMObject, OutreachField, CRMField string
}

type mappingAttrs struct {
	CRMObject          string   `json:"crmObject"`
	OutreachField      string   `json:"outreachField"`
	CRMField           string   `json:"crmField"`
	UpdatesIn          bool     `json:"updatesIn"`
	UpdatesOut         bool     `json:"updatesOut"`
	SkipEmptyIn        bool     `json:"skipEmptyIn"`
	SkipEmptyOut       bool     `json:"skipEmptyOut"`
	EmptyPlaceholder   *string  `json:"emptyPlaceholder"`
	ExternalMappedType *string  `json:"externalMappedType"`
	CreatedAt          wireTime `json:"createdAt"`
	UpdatedAt          wireTime `json:"updatedAt"`
}

func decodeFieldMapping(r *resourceObject) (FieldMapping, error) {
	var a mappingAttrs
	if err := decodeAttributes(r, &a); err != nil {
		return FieldMapping{}, err
	}
	return FieldMapping{
		ID: int64(r.ID), PluginID: r.pluginID(), CRMObject: a.CRMObject,
		OutreachField: a.OutreachField, CRMField: a.CRMField,
		UpdatesIn: a.UpdatesIn, UpdatesOut: a.UpdatesOut, SkipEmptyIn: a.SkipEmptyIn, SkipEmptyOut: a.SkipEmptyOut,
		EmptyPlaceholder: a.EmptyPlaceholder, ExternalMappedType: a.ExternalMappedType,
		CreatedAt: time.Time(a.CreatedAt), UpdatedAt: time.Time(a.UpdatedAt),
	}, nil
}

// mutableMappingAttrs are the attributes an update may change. All are sent on every PATCH (the
// two optional strings as null when nil), so that the server ends up exactly as configured.
func mutableMappingAttrs(m FieldMapping) map[string]any {
	return map[string]any{
		"outreachField":      m.OutreachField,
		"crmField":           m.CRMField,
		"updatesIn":          m.UpdatesIn,
		"updatesOut":         m.UpdatesOut,
		"skipEmptyIn":        m.SkipEmptyIn,
		"skipEmptyOut":       m.SkipEmptyOut,
		"emptyPlaceholder":   m.EmptyPlaceholder,
		"externalMappedType": m.ExternalMappedType,
	}
}

// ListFieldMappings returns every mapping that matches f.
func (c *Client) ListFieldMappings(ctx context.Context, f MappingFilter) ([]FieldMapping, error) {
	rs, err := c.list(ctx, pathFieldMappings, typeFieldMapping, mappingFilters(f))
	if err != nil {
		return nil, err
	}
	return decodeAll(rs, decodeFieldMapping)
}

// GetFieldMapping reads one mapping.
func (c *Client) GetFieldMapping(ctx context.Context, id int64) (*FieldMapping, error) {
	if err := validID("pluginFieldMapping", id); err != nil {
		return nil, err
	}
	r, err := c.getOne(ctx, c.resourceURL(pathFieldMappings, id), typeFieldMapping)
	if err != nil {
		return nil, err
	}
	return ptrOrErr(decodeFieldMapping(r))
}

// CreateFieldMapping creates m under the plugin m.PluginID; m.ID and the timestamps are ignored.
// A create whose answer is lost is reconciled (see create): the mapping of (plugin, crmObject,
// outreachField), unique by contract, is returned if it has every attribute of m.
func (c *Client) CreateFieldMapping(ctx context.Context, m FieldMapping) (*FieldMapping, error) {
	if err := validID("plugin", m.PluginID); err != nil {
		return nil, err
	}
	attrs := mutableMappingAttrs(m)
	attrs["crmObject"] = m.CRMObject
	out, err := create(ctx, c, pathFieldMappings, outgoingResource{
		Type: typeFieldMapping, Attributes: attrs, Relationships: pluginRelationship(m.PluginID),
	}, decodeFieldMapping, func(ctx context.Context) (*FieldMapping, error) {
		ms, err := c.ListFieldMappings(ctx, MappingFilter{PluginID: m.PluginID, CRMObject: m.CRMObject, OutreachField: m.OutreachField})
		if err != nil {
			return nil, err
		}
		for i := range ms {
			if sameMapping(ms[i], m) {
				return &ms[i], nil
			}
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	if out.PluginID == 0 {
		out.PluginID = m.PluginID
	}
	return out, nil
}

// sameMapping says whether got has every attribute of the create want (ids and timestamps aside).
func sameMapping(got, want FieldMapping) bool {
	return (got.PluginID == 0 || got.PluginID == want.PluginID) &&
		got.CRMObject == want.CRMObject && got.OutreachField == want.OutreachField && got.CRMField == want.CRMField &&
		got.UpdatesIn == want.UpdatesIn && got.UpdatesOut == want.UpdatesOut &&
		got.SkipEmptyIn == want.SkipEmptyIn && got.SkipEmptyOut == want.SkipEmptyOut &&
		equalPtr(got.EmptyPlaceholder, want.EmptyPlaceholder) && equalPtr(got.ExternalMappedType, want.ExternalMappedType)
}

// UpdateFieldMapping patches mapping m.ID with every mutable attribute of m. CRMObject and the
// plugin are immutable and are not sent.
func (c *Client) UpdateFieldMapping(ctx context.Context, m FieldMapping) (*FieldMapping, error) {
	if err := validID("pluginFieldMapping", m.ID); err != nil {
		return nil, err
	}
	r, err := c.patch(ctx, c.resourceURL(pathFieldMappings, m.ID), outgoingResource{
		Type: typeFieldMapping, ID: m.ID, Attributes: mutableMappingAttrs(m),
	})
	if err != nil {
		return nil, err
	}
	return ptrOrErr(decodeFieldMapping(r))
}

// DeleteFieldMapping deletes a mapping; a missing one is an *APIError for which IsNotFound is true.
func (c *Client) DeleteFieldMapping(ctx context.Context, id int64) error {
	if err := validID("pluginFieldMapping", id); err != nil {
		return err
	}
	return c.remove(ctx, c.resourceURL(pathFieldMappings, id))
}

// ---- pluginSyncCondition ---------------------------------------------------------------------

// SyncCondition restricts which records take part in one trigger of a CRM object: a record does
// only if every condition of that (plugin, object, trigger) holds.
type SyncCondition struct {
	ID, PluginID int64
	// CRMObject and Trigger are immutable after create. Trigger is one of polling, inboundCreate,
	// inboundUpdate, outboundCreate, outboundUpdate.
	CRMObject, Trigger string
	// Field is a catalog field of the side the trigger tests.
	Field string
	// Operator is one of equals, notEquals, isBlank, isNotBlank, contains, notContains,
	// greaterThan, lessThan, in, notIn.
	Operator string
	// Value is the JSON value compared with; nil = absent or null.
	Value json.RawMessage
	// Values is the list for in/notIn; nil = absent.
	Values               []json.RawMessage
	CreatedAt, UpdatedAt time.Time
}

// ConditionFilter narrows ListSyncConditions; zero members do not filter.
type ConditionFilter struct {
	PluginID           int64
	CRMObject, Trigger string
}

type conditionAttrs struct {
	CRMObject string            `json:"crmObject"`
	Trigger   string            `json:"trigger"`
	Field     string            `json:"field"`
	Operator  string            `json:"operator"`
	Value     json.RawMessage   `json:"value"`
	Values    []json.RawMessage `json:"values"`
	CreatedAt wireTime          `json:"createdAt"`
	UpdatedAt wireTime          `json:"updatedAt"`
}

func decodeSyncCondition(r *resourceObject) (SyncCondition, error) {
	var a conditionAttrs
	if err := decodeAttributes(r, &a); err != nil {
		return SyncCondition{}, err
	}
	return SyncCondition{
		ID: int64(r.ID), PluginID: r.pluginID(), CRMObject: a.CRMObject, Trigger: a.Trigger,
		Field: a.Field, Operator: a.Operator, Value: nullToNil(a.Value), Values: a.Values,
		CreatedAt: time.Time(a.CreatedAt), UpdatedAt: time.Time(a.UpdatedAt),
	}, nil
}

// conditionValueAttrs adds value and values to a create's attrs as the contract wants them:
// value is required for the comparing operators and absent otherwise, values required for
// in/notIn and absent otherwise, so a nil Value or Values is simply omitted.
func conditionValueAttrs(s SyncCondition, attrs map[string]any) error {
	if s.Value != nil {
		if !json.Valid(s.Value) {
			return fmt.Errorf("sync condition value is not valid JSON")
		}
		attrs["value"] = s.Value
	}
	if s.Values != nil {
		if err := validValues(s.Values); err != nil {
			return err
		}
		attrs["values"] = s.Values
	}
	return nil
}

func validValues(vs []json.RawMessage) error {
	for i, v := range vs {
		if !json.Valid(v) {
			return fmt.Errorf("sync condition values[%d] is not valid JSON", i)
		}
	}
	return nil
}

// conditionPatchAttrs returns what a PATCH from prior to next carries: only what changes, because
// the contract changes only the attributes present and allows null for value but never for values.
//   - field and operator when they differ;
//   - value when it differs by meaning (1 and 1.0 do not), or whenever the field changes (the
//     new field may type it differently); null when next has none and prior had one;
//   - values when next has them and they differ (or the field changes). Values that next drops
//     are not sent: next then has a single-value or blank operator, and the server drops the
//     values of a condition moved off in/notIn.
func conditionPatchAttrs(prior, next SyncCondition) (map[string]any, error) {
	attrs := map[string]any{}
	fieldChanged := next.Field != prior.Field
	if fieldChanged {
		attrs["field"] = next.Field
	}
	if next.Operator != prior.Operator {
		attrs["operator"] = next.Operator
	}
	switch {
	case next.Value != nil:
		if !json.Valid(next.Value) {
			return nil, fmt.Errorf("sync condition value is not valid JSON")
		}
		if fieldChanged || !sameJSON(prior.Value, next.Value) {
			attrs["value"] = next.Value
		}
	case prior.Value != nil:
		attrs["value"] = nil
	}
	if next.Values != nil {
		if err := validValues(next.Values); err != nil {
			return nil, err
		}
		if fieldChanged || !sameJSONList(prior.Values, next.Values) {
			attrs["values"] = next.Values
		}
	}
	return attrs, nil
}

// sameJSONList compares two lists of JSON values element by element, by meaning (see sameJSON).
func sameJSONList(a, b []json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameJSON(a[i], b[i]) {
			return false
		}
	}
	return true
}

// ListSyncConditions returns every condition that matches f.
func (c *Client) ListSyncConditions(ctx context.Context, f ConditionFilter) ([]SyncCondition, error) {
	rs, err := c.list(ctx, pathSyncConditions, typeSyncCondition, conditionFilters(f))
	if err != nil {
		return nil, err
	}
	return decodeAll(rs, decodeSyncCondition)
}

// GetSyncCondition reads one condition.
func (c *Client) GetSyncCondition(ctx context.Context, id int64) (*SyncCondition, error) {
	if err := validID("pluginSyncCondition", id); err != nil {
		return nil, err
	}
	r, err := c.getOne(ctx, c.resourceURL(pathSyncConditions, id), typeSyncCondition)
	if err != nil {
		return nil, err
	}
	return c.heldCondition(decodeSyncCondition(r))
}

// HoldSyncCondition records that a caller holds condition id, read by other means than
// GetSyncCondition (a list shared by many resources): a lost create never adopts it (knownIDs).
func (c *Client) HoldSyncCondition(id int64) { c.conditions.add(id) }

// heldCondition records a condition handed to a caller (see knownIDs).
func (c *Client) heldCondition(s SyncCondition, err error) (*SyncCondition, error) {
	if err != nil {
		return nil, err
	}
	c.conditions.add(s.ID)
	return &s, nil
}

// conditionClockSkew is how far Outreach's clock (createdAt) may be behind this machine's before
// a condition created by a lost request is no longer recognised as created "at or after" it.
const conditionClockSkew = 5 * time.Minute

// CreateSyncCondition creates s under the plugin s.PluginID; s.ID and the timestamps are ignored.
// A create whose answer is lost is reconciled (see create) among the conditions of (plugin,
// crmObject, trigger). Identical conditions cannot be told apart by their attributes, and
// adopting another resource's would make destroying one delete the other's, so only a condition
// with every attribute of s that was created at or after the request (createdAt, allowing
// conditionClockSkew) and that this client has not handed out already (knownIDs) is adopted; the
// newest if several are.
func (c *Client) CreateSyncCondition(ctx context.Context, s SyncCondition) (*SyncCondition, error) {
	if err := validID("plugin", s.PluginID); err != nil {
		return nil, err
	}
	attrs := map[string]any{
		"crmObject": s.CRMObject, "trigger": s.Trigger, "field": s.Field, "operator": s.Operator,
	}
	if err := conditionValueAttrs(s, attrs); err != nil {
		return nil, err
	}
	notBefore := c.http.Policy().Now().Add(-conditionClockSkew)
	out, err := create(ctx, c, pathSyncConditions, outgoingResource{
		Type: typeSyncCondition, Attributes: attrs, Relationships: pluginRelationship(s.PluginID),
	}, decodeSyncCondition, func(ctx context.Context) (*SyncCondition, error) {
		cs, err := c.ListSyncConditions(ctx, ConditionFilter{PluginID: s.PluginID, CRMObject: s.CRMObject, Trigger: s.Trigger})
		if err != nil {
			return nil, err
		}
		var match []SyncCondition
		var ids []int64
		for _, got := range cs {
			// A condition without createdAt cannot be dated; the known ids still rule out
			// every condition a resource of this process holds.
			if sameCondition(got, s) && (got.CreatedAt.IsZero() || !got.CreatedAt.Before(notBefore)) {
				match, ids = append(match, got), append(ids, got.ID)
			}
		}
		if i := c.conditions.claim(ids); i >= 0 {
			return &match[i], nil
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	if out.PluginID == 0 {
		out.PluginID = s.PluginID
	}
	c.conditions.add(out.ID)
	return out, nil
}

// sameCondition says whether got has every attribute of the create want (ids and timestamps
// aside); values are compared as JSON (1 equals 1.0), and a nil Value or Values in want, which
// the create omits, must be absent in got.
func sameCondition(got, want SyncCondition) bool {
	return (got.PluginID == 0 || got.PluginID == want.PluginID) && got.CRMObject == want.CRMObject && got.Trigger == want.Trigger &&
		got.Field == want.Field && got.Operator == want.Operator && sameJSON(got.Value, want.Value) &&
		sameJSONList(got.Values, want.Values)
}

// UpdateSyncCondition patches condition next.ID from prior (the condition as the server last
// showed it, e.g. from state) to next, sending only what changes (see conditionPatchAttrs).
// CRMObject and Trigger are immutable and are never sent.
func (c *Client) UpdateSyncCondition(ctx context.Context, prior, next SyncCondition) (*SyncCondition, error) {
	if err := validID("pluginSyncCondition", next.ID); err != nil {
		return nil, err
	}
	attrs, err := conditionPatchAttrs(prior, next)
	if err != nil {
		return nil, err
	}
	got, err := c.patchCondition(ctx, next.ID, attrs)
	if err != nil {
		return nil, err
	}
	// A prior older than the server's condition (a refresh skipped, an edit in the UI since)
	// can make the PATCH leave out an attribute that does differ: the answer shows it, and one
	// more PATCH sends what still differs, so the result is what was asked for.
	if got.Field != next.Field || got.Operator != next.Operator || !sameJSON(got.Value, next.Value) || !sameJSONList(got.Values, next.Values) {
		if attrs, err = conditionPatchAttrs(*got, next); err != nil {
			return nil, err
		}
		if got, err = c.patchCondition(ctx, next.ID, attrs); err != nil {
			return nil, err
		}
	}
	return got, nil
}

func (c *Client) patchCondition(ctx context.Context, id int64, attrs map[string]any) (*SyncCondition, error) {
	r, err := c.patch(ctx, c.resourceURL(pathSyncConditions, id), outgoingResource{
		Type: typeSyncCondition, ID: id, Attributes: attrs,
	})
	if err != nil {
		return nil, err
	}
	return c.heldCondition(decodeSyncCondition(r))
}

// DeleteSyncCondition deletes a condition; a missing one is an *APIError for which IsNotFound is
// true.
func (c *Client) DeleteSyncCondition(ctx context.Context, id int64) error {
	if err := validID("pluginSyncCondition", id); err != nil {
		return err
	}
	return c.remove(ctx, c.resourceURL(pathSyncConditions, id))
}

// ---- helpers ---------------------------------------------------------------------------------

func decodeAll[T any](rs []resourceObject, decode func(*resourceObject) (T, error)) ([]T, error) {
	out := make([]T, 0, len(rs))
	for i := range rs {
		v, err := decode(&rs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// equalPtr says whether two optional values are both absent or both present and equal.
func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func nullToNil(v json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(v)) == 0 || string(bytes.TrimSpace(v)) == "null" {
		return nil
	}
	return v
}

// ptrOrErr returns &v, or nil with the error, so that a caller never sees a half-decoded value.
func ptrOrErr[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return &v, nil
}
