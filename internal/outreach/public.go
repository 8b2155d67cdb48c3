package outreach

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file reads two resources of Outreach's public REST API v2 that exist today on every
// organization, apart from the plugin contract: the audit log, which records changes made to the
// CRM plugin (in the UI or through any API), and sequences, whose transactional flag says whether
// a sequence ignores opt-outs. Both follow the public API's conventions: JSON:API documents,
// filter[attr]=a,b lists, ranges written "from..to" with "neginf" and "inf" for open ends,
// cursor paging through links.next, and one OAuth scope per resource.

// Collection paths and resource types of the public resources.
const (
	pathAuditLogs = "auditLogs"
	pathSequences = "sequences"
	typeAuditLog  = "auditLog"
	typeSequence  = "sequence"
)

// Scopes the public resources need; a token without them gets 403 unauthorizedOauthScope.
const (
	// ScopeAuditLogsRead lets a token read the audit log.
	ScopeAuditLogsRead = "auditLogs.read"
	// ScopeSequencesRead lets a token read sequences (sequences.all implies it).
	ScopeSequencesRead = "sequences.read"
)

// PluginEventNames are the audit log events that record a change to a CRM plugin, its field
// mappings or its type mappings (the auditLog schema's event table).
var PluginEventNames = []string{
	"plugin_created", "plugin_updated", "plugin_destroyed",
	"plugin_field_mapping_created", "plugin_field_mapping_updated", "plugin_field_mapping_destroyed",
	"plugin_type_mapping_created", "plugin_type_mapping_updated", "plugin_type_mapping_destroyed",
}

// AuditActions are the values of an audit event's action.
var AuditActions = []string{"create", "update", "delete"}

// requiredScope names the scope a call to path needs, for error hints; "" for the plugin
// contract, whose scopes the hint lists itself.
func requiredScope(path string) string {
	rest := strings.TrimPrefix(path, "/api/v2/")
	plural, _, _ := strings.Cut(rest, "/")
	switch plural {
	case pathAuditLogs:
		return ScopeAuditLogsRead
	case pathSequences:
		return ScopeSequencesRead
	}
	return ""
}

// ---- auditLog --------------------------------------------------------------------------------

// AuditEvent is one entry of the organization's audit log.
type AuditEvent struct {
	// ID is the entry's id as the API renders it (a number or a string).
	ID string
	// Name is the event name, e.g. plugin_field_mapping_updated.
	Name string
	// Action is create, update or delete.
	Action string
	// Result is completed, pending or failed.
	Result    string
	Timestamp time.Time
	// RequestID groups the events of one request (a UUID).
	RequestID string
	// Agent (who acted) and Changes (what changed) are kept as the JSON the API sent: their shape
	// is not documented, so nothing may depend on it. Nil when the API sent null or nothing.
	Agent, Changes json.RawMessage
}

// AuditEventFilter narrows ListAuditEvents; zero members do not filter.
type AuditEventFilter struct {
	// EventNames and Actions keep events whose name (action) is one of them.
	EventNames, Actions []string
	// Since keeps events at or after this time.
	Since time.Time
	// Limit stops after this many events, newest first; 0 reads the whole window.
	Limit int
}

type auditLogAttrs struct {
	EventName string          `json:"eventName"`
	Action    string          `json:"action"`
	Result    string          `json:"result"`
	Timestamp wireTime        `json:"timestamp"`
	RequestID string          `json:"requestId"`
	Agent     json.RawMessage `json:"agent"`
	Changes   json.RawMessage `json:"changes"`
}

// publicObject is a resource object whose id is kept raw: nothing documents the audit log's ids
// as integers, and an entry must not become unreadable because its id is a string.
type publicObject struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Attributes json.RawMessage `json:"attributes"`
}

type publicPage struct {
	Data  []publicObject `json:"data"`
	Links links          `json:"links"`
}

// ListAuditEvents returns the events that match f, newest first. The filters, the time window
// and the order are the server's (filter[eventName], filter[action], filter[timestamp]=since..inf,
// sort=-timestamp), so only matching events cross the wire.
func (c *Client) ListAuditEvents(ctx context.Context, f AuditEventFilter) ([]AuditEvent, error) {
	if f.Limit < 0 {
		return nil, fmt.Errorf("invalid audit event limit %d: it must not be negative", f.Limit)
	}
	size := pageSize
	if f.Limit > 0 && f.Limit < size {
		size = f.Limit
	}
	params := [][2]string{
		{"page[size]", strconv.Itoa(size)},
		{"sort", "-timestamp"},
		{"filter[eventName]", strings.Join(f.EventNames, ",")},
		{"filter[action]", strings.Join(f.Actions, ",")},
	}
	if !f.Since.IsZero() {
		params = append(params, [2]string{"filter[timestamp]", f.Since.UTC().Format(time.RFC3339Nano) + "..inf"})
	}
	var out []AuditEvent
	err := c.walk(ctx, pathAuditLogs, c.queryURL(pathAuditLogs, params), func(body []byte) (*string, bool, error) {
		var doc publicPage
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, false, err
		}
		for i := range doc.Data {
			e, err := decodeAuditEvent(&doc.Data[i])
			if err != nil {
				return nil, false, err
			}
			out = append(out, e)
			if f.Limit > 0 && len(out) == f.Limit {
				return nil, true, nil
			}
		}
		return doc.Links.Next, false, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func decodeAuditEvent(r *publicObject) (AuditEvent, error) {
	if r.Type != "" && r.Type != typeAuditLog {
		return AuditEvent{}, fmt.Errorf("expected a %s resource, got type %q", typeAuditLog, truncate(r.Type, 60))
	}
	id, err := rawID(r.ID)
	if err != nil {
		return AuditEvent{}, fmt.Errorf("auditLog id: %w", err)
	}
	var a auditLogAttrs
	if len(r.Attributes) > 0 {
		if err := json.Unmarshal(r.Attributes, &a); err != nil {
			return AuditEvent{}, fmt.Errorf("decoding attributes of auditLog %s: %w", id, err)
		}
	}
	return AuditEvent{
		ID: id, Name: a.EventName, Action: a.Action, Result: a.Result, Timestamp: time.Time(a.Timestamp),
		RequestID: a.RequestID, Agent: nullToNil(a.Agent), Changes: nullToNil(a.Changes),
	}, nil
}

// rawID renders a JSON:API id that may be a string or a number.
func rawID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", errors.New("missing")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("%s is neither a string nor a number", truncate(string(raw), 40))
	}
	return n.String(), nil
}

// ---- sequence --------------------------------------------------------------------------------

// Sequence is an Outreach sequence, with what matters for opt-outs.
type Sequence struct {
	ID   int64
	Name string
	// Enabled says whether the sequence is running (read only in the API).
	Enabled bool
	// Transactional sequences ignore prospects' opt-out preferences ("intended only for
	// non-marketing sequences"): they email people who opted out.
	Transactional bool
	// ShareType is who may use the sequence, e.g. private or shared.
	ShareType string
	UpdatedAt time.Time
}

// SequenceFilter narrows ListSequences; nil members do not filter.
type SequenceFilter struct {
	Transactional, Enabled *bool
}

type sequenceAttrs struct {
	Name          string   `json:"name"`
	Enabled       bool     `json:"enabled"`
	Transactional bool     `json:"transactional"`
	ShareType     string   `json:"shareType"`
	UpdatedAt     wireTime `json:"updatedAt"`
}

func decodeSequence(r *resourceObject) (Sequence, error) {
	var a sequenceAttrs
	if err := decodeAttributes(r, &a); err != nil {
		return Sequence{}, err
	}
	return Sequence{
		ID: int64(r.ID), Name: a.Name, Enabled: a.Enabled, Transactional: a.Transactional,
		ShareType: a.ShareType, UpdatedAt: time.Time(a.UpdatedAt),
	}, nil
}

// ListSequences returns the organization's sequences that match f, by id. The public schema
// documents name as a sequence's filterable attribute, not transactional or enabled, so those two
// are applied here after reading the collection: a filter the server might reject or ignore
// would turn "no transactional sequences" into a false all-clear.
func (c *Client) ListSequences(ctx context.Context, f SequenceFilter) ([]Sequence, error) {
	rs, err := c.list(ctx, pathSequences, typeSequence, nil)
	if err != nil {
		return nil, err
	}
	all, err := decodeAll(rs, decodeSequence)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, s := range all {
		if (f.Transactional == nil || *f.Transactional == s.Transactional) && (f.Enabled == nil || *f.Enabled == s.Enabled) {
			out = append(out, s)
		}
	}
	return out, nil
}
