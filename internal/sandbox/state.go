package sandbox

import (
	"encoding/json"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

// Resource type names, as they appear in the "type" member of JSON:API documents.
const (
	typePlugin       = "plugin"
	typeObject       = "pluginObject"
	typeField        = "pluginField"
	typeMapping      = "pluginFieldMapping"
	typeCondition    = "pluginSyncCondition"
	seedPluginID     = int64(1)
	sideOutreach     = "outreach"
	sideCRM          = "crm"
	fieldTypeBoolean = "boolean"
	fieldTypeString  = "string"
	fieldTypeInteger = "integer"
	fieldTypeDecimal = "decimal"
	fieldTypeDate    = "datetime"
	fieldTypePick    = "picklist"
	fieldTypeLookup  = "lookup"
)

// crmObjects are the Dynamics tables the plugin syncs, in the order the plugin lists them.
var crmObjects = []string{"lead", "contact", "account", "opportunity", "task", "appointment", "systemuser"}

// outreachObjectOf is contract 3.2: which Outreach object each CRM object feeds.
var outreachObjectOf = map[string]string{
	"lead":        "prospect",
	"contact":     "prospect",
	"account":     "account",
	"opportunity": "opportunity",
	"task":        "task",
	"appointment": "event",
	"systemuser":  "user",
}

// allowedPollingFrequencies is contract 3.2 (minutes).
var allowedPollingFrequencies = []int{1, 5, 10, 15, 30, 60, 120, 240, 720, 1440}

// state is everything the Outreach half remembers. It is serialised as is into state.json, so
// every field is exported and tagged; maps keyed by id keep lookups cheap.
type state struct {
	NextID        map[string]int64         `json:"next_id"`
	Plugins       map[int64]*plugin        `json:"plugins"`
	Objects       map[int64]*pluginObject  `json:"plugin_objects"`
	Fields        map[int64]*pluginField   `json:"plugin_fields"`
	Mappings      map[int64]*fieldMapping  `json:"plugin_field_mappings"`
	Conditions    map[int64]*syncCondition `json:"plugin_sync_conditions"`
	AccessTokens  map[string]*accessToken  `json:"access_tokens"`
	RefreshTokens map[string]*refreshToken `json:"refresh_tokens"`
	RefreshIssued map[int64]int64          `json:"refresh_issued"` // refresh tokens ever issued, per user
	LastMint      map[int64]time.Time      `json:"last_mint"`      // last OAuth token mint, per user
	RateWindows   map[string]*rateWindow   `json:"rate_windows"`
	// Prospects are the Outreach records the plugin syncs (prospects.go); ProspectSeq is the
	// change sequence number of the last prospect write.
	Prospects   map[int64]*prospect `json:"prospects"`
	ProspectSeq int64               `json:"prospect_seq"`
	// SyncMarks is where the last sync round left off in each system (sync.go).
	SyncMarks syncMarks `json:"sync_marks"`
	// AuditLogs and Sequences are the public API resources of audit.go and sequences.go.
	AuditLogs map[int64]*auditEvent `json:"audit_logs"`
	Sequences map[int64]*sequence   `json:"sequences"`
}

type plugin struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	InstanceURL string    `json:"instance_url"`
	SyncStatus  string    `json:"sync_status"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type pluginObject struct {
	ID               int64     `json:"id"`
	PluginID         int64     `json:"plugin_id"`
	CRMObject        string    `json:"crm_object"`
	OutreachObject   string    `json:"outreach_object"`
	Polling          bool      `json:"polling"`
	PollingFrequency int       `json:"polling_frequency"`
	Pushing          bool      `json:"pushing"`
	InboundCreate    bool      `json:"inbound_create"`
	InboundUpdate    bool      `json:"inbound_update"`
	OutboundCreate   bool      `json:"outbound_create"`
	OutboundUpdate   bool      `json:"outbound_update"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

type pluginField struct {
	ID        int64  `json:"id"`
	PluginID  int64  `json:"plugin_id"`
	CRMObject string `json:"crm_object"`
	Side      string `json:"side"`
	Name      string `json:"name"`
	Label     string `json:"label"`
	Type      string `json:"type"`
	Writable  bool   `json:"writable"`
}

type fieldMapping struct {
	ID                 int64     `json:"id"`
	PluginID           int64     `json:"plugin_id"`
	CRMObject          string    `json:"crm_object"`
	OutreachField      string    `json:"outreach_field"`
	CRMField           string    `json:"crm_field"`
	UpdatesIn          bool      `json:"updates_in"`
	UpdatesOut         bool      `json:"updates_out"`
	SkipEmptyIn        bool      `json:"skip_empty_in"`
	SkipEmptyOut       bool      `json:"skip_empty_out"`
	EmptyPlaceholder   *string   `json:"empty_placeholder"`
	ExternalMappedType *string   `json:"external_mapped_type"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

type syncCondition struct {
	ID        int64             `json:"id"`
	PluginID  int64             `json:"plugin_id"`
	CRMObject string            `json:"crm_object"`
	Trigger   string            `json:"trigger"`
	Field     string            `json:"field"`
	Operator  string            `json:"operator"`
	Value     json.RawMessage   `json:"value,omitempty"`  // nil: null
	Values    []json.RawMessage `json:"values,omitempty"` // nil: absent
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// fieldDef is one entry of the static Outreach-side catalog.
type fieldDef struct {
	name, label, typ string
	writable         bool
}

func ro(name, label, typ string) fieldDef { return fieldDef{name, label, typ, false} }
func rw(name, label, typ string) fieldDef { return fieldDef{name, label, typ, true} }

func customFields(n int) []fieldDef {
	out := make([]fieldDef, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, rw("custom"+itoa(int64(i)), "Custom "+itoa(int64(i)), fieldTypeString))
	}
	return out
}

func joinDefs(parts ...[]fieldDef) []fieldDef {
	var out []fieldDef
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// outreachFields is the Outreach side of the catalog, per Outreach object. The prospect set
// follows the public prospect schema (facts §2): the opt-out booleans are writable, optedOutAt
// is stamped by Outreach and so read only. Email addresses are offered as one string field
// "emails" because the plugin maps the primary address, not the array.
var outreachFields = map[string][]fieldDef{
	"prospect": joinDefs([]fieldDef{
		rw("optedOut", "Opted Out", fieldTypeBoolean),
		ro("optedOutAt", "Opted Out At", fieldTypeDate),
		rw("emailOptedOut", "Emails Opted Out", fieldTypeBoolean),
		rw("callOptedOut", "Call Opted Out", fieldTypeBoolean),
		rw("smsOptedOut", "SMS Opted Out", fieldTypeBoolean),
		rw("firstName", "First Name", fieldTypeString),
		rw("lastName", "Last Name", fieldTypeString),
		rw("title", "Title", fieldTypeString),
		rw("company", "Company", fieldTypeString),
		rw("emails", "Emails", fieldTypeString),
		rw("addressCity", "City", fieldTypeString),
		rw("addressState", "State", fieldTypeString),
		rw("addressCountry", "Country", fieldTypeString),
	}, customFields(20), []fieldDef{
		ro("createdAt", "Created At", fieldTypeDate),
		ro("updatedAt", "Updated At", fieldTypeDate),
		rw("owner", "Owner", fieldTypeLookup),
	}),
	"account": joinDefs([]fieldDef{
		rw("name", "Name", fieldTypeString),
		rw("domain", "Domain", fieldTypeString),
		rw("websiteUrl", "Website", fieldTypeString),
		rw("industry", "Industry", fieldTypeString),
		rw("numberOfEmployees", "Number of Employees", fieldTypeInteger),
		rw("description", "Description", fieldTypeString),
	}, customFields(5), []fieldDef{
		ro("createdAt", "Created At", fieldTypeDate),
		ro("updatedAt", "Updated At", fieldTypeDate),
		rw("owner", "Owner", fieldTypeLookup),
	}),
	"opportunity": {
		rw("name", "Name", fieldTypeString),
		rw("amount", "Amount", fieldTypeDecimal),
		rw("closeDate", "Close Date", fieldTypeDate),
		rw("probability", "Probability", fieldTypeInteger),
		rw("description", "Description", fieldTypeString),
		rw("opportunityType", "Type", fieldTypeString),
		rw("stage", "Stage", fieldTypeLookup),
		rw("account", "Account", fieldTypeLookup),
		rw("owner", "Owner", fieldTypeLookup),
		ro("createdAt", "Created At", fieldTypeDate),
		ro("updatedAt", "Updated At", fieldTypeDate),
	},
	"task": {
		rw("action", "Action", fieldTypeString),
		rw("note", "Note", fieldTypeString),
		rw("dueAt", "Due At", fieldTypeDate),
		ro("state", "State", fieldTypeString),
		ro("completedAt", "Completed At", fieldTypeDate),
		rw("owner", "Owner", fieldTypeLookup),
		rw("prospect", "Prospect", fieldTypeLookup),
		ro("createdAt", "Created At", fieldTypeDate),
		ro("updatedAt", "Updated At", fieldTypeDate),
	},
	"event": {
		rw("name", "Name", fieldTypeString),
		rw("description", "Description", fieldTypeString),
		rw("location", "Location", fieldTypeString),
		rw("startAt", "Start At", fieldTypeDate),
		rw("endAt", "End At", fieldTypeDate),
		rw("allDay", "All Day", fieldTypeBoolean),
		rw("outcome", "Outcome", fieldTypeString),
		rw("prospect", "Prospect", fieldTypeLookup),
		rw("user", "User", fieldTypeLookup),
		ro("createdAt", "Created At", fieldTypeDate),
		ro("updatedAt", "Updated At", fieldTypeDate),
	},
	"user": {
		rw("firstName", "First Name", fieldTypeString),
		rw("lastName", "Last Name", fieldTypeString),
		rw("email", "Email", fieldTypeString),
		rw("title", "Title", fieldTypeString),
		rw("phoneNumber", "Phone Number", fieldTypeString),
		rw("locked", "Locked", fieldTypeBoolean),
		rw("manager", "Manager", fieldTypeLookup),
		ro("createdAt", "Created At", fieldTypeDate),
		ro("updatedAt", "Updated At", fieldTypeDate),
	},
}

// seedToggles are the per-object sync settings of a freshly connected Dynamics plugin: prospects,
// accounts and users are polled in, activities are pushed out; inbound creation of prospects is
// off because most orgs curate who enters Outreach.
var seedToggles = map[string]pluginObject{
	"lead":        {Polling: true, PollingFrequency: 10, Pushing: true, InboundUpdate: true, OutboundUpdate: true},
	"contact":     {Polling: true, PollingFrequency: 10, Pushing: true, InboundUpdate: true, OutboundUpdate: true},
	"account":     {Polling: true, PollingFrequency: 15, Pushing: true, InboundCreate: true, InboundUpdate: true, OutboundUpdate: true},
	"opportunity": {Polling: true, PollingFrequency: 30, InboundCreate: true, InboundUpdate: true},
	"task":        {PollingFrequency: 60, Pushing: true, OutboundCreate: true, OutboundUpdate: true},
	"appointment": {PollingFrequency: 60, Pushing: true, OutboundCreate: true, OutboundUpdate: true},
	"systemuser":  {Polling: true, PollingFrequency: 1440, InboundUpdate: true},
}

func newState() *state {
	return &state{
		NextID:        map[string]int64{},
		Plugins:       map[int64]*plugin{},
		Objects:       map[int64]*pluginObject{},
		Fields:        map[int64]*pluginField{},
		Mappings:      map[int64]*fieldMapping{},
		Conditions:    map[int64]*syncCondition{},
		AccessTokens:  map[string]*accessToken{},
		RefreshTokens: map[string]*refreshToken{},
		RefreshIssued: map[int64]int64{},
		LastMint:      map[int64]time.Time{},
		RateWindows:   map[string]*rateWindow{},
		Prospects:     map[int64]*prospect{},
		AuditLogs:     map[int64]*auditEvent{},
		Sequences:     map[int64]*sequence{},
	}
}

// fillMaps makes a state decoded from an older or hand-edited file safe to use.
func (st *state) fillMaps() {
	fresh := newState()
	if st.NextID == nil {
		st.NextID = fresh.NextID
	}
	if st.Plugins == nil {
		st.Plugins = fresh.Plugins
	}
	if st.Objects == nil {
		st.Objects = fresh.Objects
	}
	if st.Fields == nil {
		st.Fields = fresh.Fields
	}
	if st.Mappings == nil {
		st.Mappings = fresh.Mappings
	}
	if st.Conditions == nil {
		st.Conditions = fresh.Conditions
	}
	if st.AccessTokens == nil {
		st.AccessTokens = fresh.AccessTokens
	}
	if st.RefreshTokens == nil {
		st.RefreshTokens = fresh.RefreshTokens
	}
	if st.RefreshIssued == nil {
		st.RefreshIssued = fresh.RefreshIssued
	}
	if st.LastMint == nil {
		st.LastMint = fresh.LastMint
	}
	if st.RateWindows == nil {
		st.RateWindows = fresh.RateWindows
	}
	if st.Prospects == nil {
		st.Prospects = fresh.Prospects
	}
	if st.AuditLogs == nil {
		st.AuditLogs = fresh.AuditLogs
	}
	if st.Sequences == nil {
		st.Sequences = fresh.Sequences
	}
	for _, p := range st.Prospects {
		if p.Bools == nil {
			p.Bools = map[string]bool{}
		}
		if p.Strings == nil {
			p.Strings = map[string]string{}
		}
		if p.Emails == nil {
			p.Emails = []string{}
		}
		if p.FieldSeq == nil {
			p.FieldSeq = map[string]int64{}
		}
	}
}

// newID hands out the next id of a type. Ids are never reused, even after a delete, because
// clients and Terraform state keep them.
func (st *state) newID(typ string) int64 {
	st.NextID[typ]++
	return st.NextID[typ]
}

// columnSource is what the catalog needs from the Dataverse org.
type columnSource interface {
	Columns(entity string) ([]dataverse.Column, bool)
}

// seedState builds the state of a freshly connected plugin: the plugin, one pluginObject per CRM
// object, the Outreach-side catalog, a snapshot of the CRM columns, and the first refresh token.
func seedState(now time.Time, instanceURL string, org columnSource) *state {
	st := newState()
	p := &plugin{
		ID: st.newID(typePlugin), Kind: "dynamics", Name: "Dynamics 365", InstanceURL: instanceURL,
		SyncStatus: "active", CreatedAt: now, UpdatedAt: now,
	}
	st.Plugins[p.ID] = p
	for _, obj := range crmObjects {
		o := seedToggles[obj]
		o.ID = st.newID(typeObject)
		o.PluginID = p.ID
		o.CRMObject = obj
		o.OutreachObject = outreachObjectOf[obj]
		o.CreatedAt, o.UpdatedAt = now, now
		st.Objects[o.ID] = &o
		for _, d := range outreachFields[o.OutreachObject] {
			f := &pluginField{ID: st.newID(typeField), PluginID: p.ID, CRMObject: obj, Side: sideOutreach,
				Name: d.name, Label: d.label, Type: d.typ, Writable: d.writable}
			st.Fields[f.ID] = f
		}
	}
	st.refreshCRMFields(p.ID, org, now)
	st.addRefreshToken(SeedRefreshToken, sandboxUserID, now)
	st.addRefreshToken(SecondSeedRefreshToken, secondUserID, now)
	st.seedSequences(now)
	return st
}

// refreshCRMFields replaces the CRM side of a plugin's catalog with the org's current columns.
// A field that still exists keeps its id, so that a client's cached catalog stays valid; a
// column that is gone leaves the catalog (mappings that use it stay, as in the real plugin,
// where they show as broken until edited).
//
// A column created after seenBefore that the catalog does not list yet stays unlisted: the
// plugin's read of the metadata is eventually consistent (Faults.RefreshLagSeconds).
func (st *state) refreshCRMFields(pluginID int64, org columnSource, seenBefore time.Time) {
	type key struct{ obj, name string }
	existing := map[key]*pluginField{}
	for id, f := range st.Fields {
		if f.PluginID == pluginID && f.Side == sideCRM {
			existing[key{f.CRMObject, f.Name}] = f
			delete(st.Fields, id)
		}
	}
	for _, obj := range crmObjects {
		cols, ok := org.Columns(obj)
		if !ok {
			continue
		}
		for _, c := range cols {
			f := existing[key{obj, c.LogicalName}]
			if f == nil && c.CreatedOn.After(seenBefore) {
				continue
			}
			if f == nil {
				f = &pluginField{ID: st.newID(typeField), PluginID: pluginID, CRMObject: obj, Side: sideCRM, Name: c.LogicalName}
			}
			f.Label = c.DisplayName
			if f.Label == "" {
				f.Label = c.LogicalName
			}
			f.Type = c.Type
			f.Writable = c.Writable
			st.Fields[f.ID] = f
		}
	}
}

// field finds a catalog entry.
func (st *state) field(pluginID int64, obj, side, name string) *pluginField {
	for _, f := range st.Fields {
		if f.PluginID == pluginID && f.CRMObject == obj && f.Side == side && f.Name == name {
			return f
		}
	}
	return nil
}

func isCRMObject(s string) bool {
	for _, o := range crmObjects {
		if o == s {
			return true
		}
	}
	return false
}
