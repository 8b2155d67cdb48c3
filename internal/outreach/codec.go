package outreach

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// mediaType is the JSON:API media type Outreach requires on every request with a body (anything
// else is refused with 415 unsupportedMediaType) and uses on its responses.
const mediaType = "application/vnd.api+json"

// Resource type names as they appear in the "type" member of a resource object.
const (
	typePlugin        = "plugin"
	typePluginObject  = "pluginObject"
	typePluginField   = "pluginField"
	typeFieldMapping  = "pluginFieldMapping"
	typeSyncCondition = "pluginSyncCondition"
)

// wireID is a resource id. The contract puts ids on the wire as JSON integers, but JSON:API
// itself says ids are strings, so a server (or a proxy that rewrites documents) may well send
// "42": both are accepted so that such a change does not break every read.
type wireID int64

// UnmarshalJSON accepts a JSON integer, a numeric string, or null (= 0).
func (id *wireID) UnmarshalJSON(b []byte) error {
	n, err := parseFlexInt(b)
	if err != nil {
		return fmt.Errorf("resource id: %w", err)
	}
	*id = wireID(n)
	return nil
}

// flexInt is an integer attribute read as leniently as an id.
type flexInt int64

// UnmarshalJSON accepts a JSON integer, a numeric string, or null (= 0).
func (n *flexInt) UnmarshalJSON(b []byte) error {
	v, err := parseFlexInt(b)
	if err != nil {
		return err
	}
	*n = flexInt(v)
	return nil
}

func parseFlexInt(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return 0, nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// A float such as 3.0 is still an integer value.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, fmt.Errorf("%q is not an integer", truncate(s, 40))
		}
		v = int64(f)
	}
	return v, nil
}

// wireTime is an RFC 3339 timestamp that tolerates null and the empty string (zero time), so a
// resource that was never updated does not fail to decode.
type wireTime time.Time

// UnmarshalJSON accepts an RFC 3339 string (with or without fractional seconds), "" or null.
func (t *wireTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*t = wireTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == "" {
		*t = wireTime{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp %q is not RFC 3339", truncate(s, 40))
	}
	*t = wireTime(v)
	return nil
}

// resourceIdentifier is {"type": ..., "id": ...}, the data of a to-one relationship.
type resourceIdentifier struct {
	Type string `json:"type"`
	ID   wireID `json:"id"`
}

// relationship is a to-one relationship; Data is nil when the server sends null.
type relationship struct {
	Data *resourceIdentifier `json:"data"`
}

// resourceObject is one JSON:API resource as read from a response. Attributes stay raw until the
// caller knows the type; unknown members anywhere are ignored. Relationships stay raw too and only
// the ones the client reads are decoded: another relationship may be to-many (an array) or point
// at a type whose ids are not integers, and must not make the resource unreadable.
type resourceObject struct {
	Type          string                     `json:"type"`
	ID            wireID                     `json:"id"`
	Attributes    json.RawMessage            `json:"attributes"`
	Relationships map[string]json.RawMessage `json:"relationships"`
}

// toOne decodes the to-one relationship name; nil when it is absent or its data is null.
func (r *resourceObject) toOne(name string) (*resourceIdentifier, error) {
	raw, ok := r.Relationships[name]
	if !ok {
		return nil, nil
	}
	var rel relationship
	if err := json.Unmarshal(raw, &rel); err != nil {
		return nil, fmt.Errorf("relationship %s: %w", name, err)
	}
	return rel.Data, nil
}

// pluginID returns the id of the "plugin" relationship, 0 when it is absent or null (checkType has
// already refused one that does not decode).
func (r *resourceObject) pluginID() int64 {
	if d, err := r.toOne("plugin"); err == nil && d != nil {
		return int64(d.ID)
	}
	return 0
}

// links holds the pagination links of a collection. Next is a pointer so that a JSON null, an
// absent member and "" all read as "no next page".
type links struct {
	Next *string `json:"next"`
}

// singleDocument is the response to a GET, POST or PATCH of one resource.
type singleDocument struct {
	Data *resourceObject `json:"data"`
}

// collectionDocument is one page of a collection.
type collectionDocument struct {
	Data  []resourceObject `json:"data"`
	Links links            `json:"links"`
}

// outgoingResource is the resource object of a request body. ID is omitted on create (the server
// assigns it) and required on PATCH.
type outgoingResource struct {
	Type          string                          `json:"type"`
	ID            int64                           `json:"id,omitempty"`
	Attributes    map[string]any                  `json:"attributes"`
	Relationships map[string]outgoingRelationship `json:"relationships,omitempty"`
}

type outgoingRelationship struct {
	Data resourceIdentifierOut `json:"data"`
}

type resourceIdentifierOut struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// pluginRelationship is the relationship every plugin-owned resource carries on create.
func pluginRelationship(pluginID int64) map[string]outgoingRelationship {
	return map[string]outgoingRelationship{"plugin": {Data: resourceIdentifierOut{Type: typePlugin, ID: pluginID}}}
}

// encodeDocument builds {"data": r}.
func encodeDocument(r outgoingResource) ([]byte, error) {
	if r.Attributes == nil {
		r.Attributes = map[string]any{}
	}
	return json.Marshal(struct {
		Data outgoingResource `json:"data"`
	}{r})
}

// decodeAttributes unmarshals a resource's attributes into v, naming the resource on failure.
func decodeAttributes(r *resourceObject, v any) error {
	if len(r.Attributes) == 0 || string(bytes.TrimSpace(r.Attributes)) == "null" {
		return nil
	}
	if err := json.Unmarshal(r.Attributes, v); err != nil {
		return fmt.Errorf("decoding attributes of %s %d: %w", r.Type, r.ID, err)
	}
	return nil
}

// checkType refuses a resource of another type than expected: it would mean the client and the
// server disagree about the contract, and decoding it anyway would silently produce zero values.
// It also refuses a "plugin" relationship that does not decode, for the same reason.
func checkType(r *resourceObject, want string) error {
	if r.Type != "" && r.Type != want {
		return fmt.Errorf("expected a %s resource, got type %q", want, truncate(r.Type, 60))
	}
	if _, err := r.toOne("plugin"); err != nil {
		return fmt.Errorf("%s %d: %w", want, r.ID, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
