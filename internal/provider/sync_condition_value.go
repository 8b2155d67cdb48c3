package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// This file holds the pure rules of sync conditions: the HCL ↔ wire vocabulary, which side of
// the sync a trigger tests, which operators fit which field type, and how a value written as an
// HCL string is typed for the wire and read back without a perpetual diff. They are kept apart
// from the resource so that they can be unit-tested without a server.

// syncConditionTriggers maps the HCL trigger words to the contract's (3.5) wire words.
var syncConditionTriggers = map[string]string{
	"polling":         "polling",
	"inbound_create":  "inboundCreate",
	"inbound_update":  "inboundUpdate",
	"outbound_create": "outboundCreate",
	"outbound_update": "outboundUpdate",
}

// syncConditionOperators maps the HCL operator words to the contract's wire words.
var syncConditionOperators = map[string]string{
	"equals":       "equals",
	"not_equals":   "notEquals",
	"is_blank":     "isBlank",
	"is_not_blank": "isNotBlank",
	"contains":     "contains",
	"not_contains": "notContains",
	"greater_than": "greaterThan",
	"less_than":    "lessThan",
	"in":           "in",
	"not_in":       "notIn",
}

// syncConditionTriggerNames and syncConditionOperatorNames are the HCL words in documentation
// order, for validators and messages.
var (
	syncConditionTriggerNames  = []string{"polling", "inbound_create", "inbound_update", "outbound_create", "outbound_update"}
	syncConditionOperatorNames = []string{"equals", "not_equals", "is_blank", "is_not_blank", "contains", "not_contains", "greater_than", "less_than", "in", "not_in"}
)

// syncConditionWireWord returns the wire word of an HCL word, or the word itself when it has no
// translation (validators reject unknown words before this matters).
func syncConditionWireWord(words map[string]string, hcl string) string {
	if w, ok := words[hcl]; ok {
		return w
	}
	return hcl
}

// syncConditionHCLWord is the reverse of syncConditionWireWord. A wire word the provider does
// not know (a newer API) is shown as it is rather than hidden.
func syncConditionHCLWord(words map[string]string, wire string) string {
	for h, w := range words {
		if w == wire {
			return h
		}
	}
	return wire
}

// Catalog sides (contract 3.3).
const (
	syncConditionSideCRM      = catalogSideCRM
	syncConditionSideOutreach = catalogSideOutreach
)

// syncConditionSide says which record a trigger's conditions test (contract 3.5): the CRM record
// for polling and inbound triggers, the Outreach record for outbound ones.
func syncConditionSide(trigger string) string {
	if strings.HasPrefix(trigger, "outbound_") {
		return syncConditionSideOutreach
	}
	return syncConditionSideCRM
}

// syncConditionSideName is the side as a user knows it.
func syncConditionSideName(side string) string {
	if side == syncConditionSideOutreach {
		return "Outreach"
	}
	return "Dynamics"
}

// Operator classes: a single value, a non-empty list, or nothing.
func syncConditionTakesValue(op string) bool {
	switch op {
	case "equals", "not_equals", "contains", "not_contains", "greater_than", "less_than":
		return true
	}
	return false
}

func syncConditionTakesList(op string) bool { return op == "in" || op == "not_in" }

// syncConditionOperatorFits says whether an operator makes sense for a catalog field type. The
// contract fixes only two cases (no contains on a boolean, no greater_than on a string); the rest
// follows the sandbox, which models what the plugin's UI accepts: contains only on strings (a
// picklist compares whole option labels), greater/less than only on ordered types, in/not_in on
// anything but booleans and datetimes.
func syncConditionOperatorFits(op, typ string) bool {
	switch op {
	case "is_blank", "is_not_blank", "equals", "not_equals":
		return true
	case "contains", "not_contains":
		return typ == "string"
	case "greater_than", "less_than":
		return typ == "integer" || typ == "decimal" || typ == "datetime"
	case "in", "not_in":
		return typ != "boolean" && typ != "datetime"
	}
	return false
}

// syncConditionOperatorsFor lists the operators that fit a type, for error details.
func syncConditionOperatorsFor(typ string) []string {
	var out []string
	for _, op := range syncConditionOperatorNames {
		if syncConditionOperatorFits(op, typ) {
			out = append(out, op)
		}
	}
	return out
}

// syncConditionEncodeValue types an HCL string as the field's catalog type for the wire: a
// boolean field gets JSON true/false, an integer a JSON integer, a decimal a JSON number, a
// datetime an RFC 3339 string, anything else a string. The error says what was expected, in
// words that fit after "value must be".
func syncConditionEncodeValue(typ, s string) (json.RawMessage, error) {
	switch typ {
	case "boolean":
		switch {
		case strings.EqualFold(s, "true"):
			return json.RawMessage("true"), nil
		case strings.EqualFold(s, "false"):
			return json.RawMessage("false"), nil
		}
		return nil, fmt.Errorf(`"true" or "false"`)
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf(`a whole number such as "100"`)
		}
		return json.RawMessage(strconv.FormatInt(n, 10)), nil
	case "decimal":
		t := strings.TrimSpace(s)
		// Sent as written (when it is a JSON number literal), so that no precision is lost to a
		// float64 round trip on a money column.
		if !isJSONNumber(t) {
			return nil, fmt.Errorf(`a number such as "1", "2.5" or "-0.75"`)
		}
		return json.RawMessage(t), nil
	case "datetime":
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return nil, fmt.Errorf(`an RFC 3339 date-time such as "2024-01-31T00:00:00Z"`)
		}
		return json.Marshal(s)
	default:
		return json.Marshal(s)
	}
}

// isJSONNumber reports whether s is exactly one JSON number literal.
func isJSONNumber(s string) bool {
	if s == "" || !json.Valid([]byte(s)) {
		return false
	}
	c := s[0]
	return c == '-' || (c >= '0' && c <= '9')
}

// syncConditionCanonical renders a wire value as the string a user would write: true/false for
// a boolean, the literal for a number, the text of a string. ok is false for null or absent.
func syncConditionCanonical(raw json.RawMessage) (s string, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	var str string
	if raw[0] == '"' && json.Unmarshal(raw, &str) == nil {
		return str, true
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String(), true
	}
	return string(raw), true
}

// syncConditionSameValue reports whether what a user wrote means the same as the wire value:
// "TRUE" and true, "1" and 1.0, two RFC 3339 strings for the same instant, or equal text. The
// comparison needs no catalog, because the JSON kind of the wire value says how to compare.
func syncConditionSameValue(written string, raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch {
	case string(raw) == "true" || string(raw) == "false":
		return strings.EqualFold(strings.TrimSpace(written), string(raw))
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		if s == written {
			return true
		}
		a, errA := time.Parse(time.RFC3339, s)
		b, errB := time.Parse(time.RFC3339, written)
		return errA == nil && errB == nil && a.Equal(b)
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		a, okA := parseExactNumber(string(raw))
		b, okB := parseExactNumber(strings.TrimSpace(written))
		if okA && okB {
			return a.Cmp(b) == 0
		}
		// A literal too large to evaluate (1e999999999) still equals itself.
		return string(raw) == strings.TrimSpace(written)
	}
	return false
}

// parseExactNumber parses a decimal literal exactly (no float rounding), refusing fractions.
func parseExactNumber(s string) (*big.Rat, bool) {
	if s == "" || strings.ContainsAny(s, "/") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// syncConditionNormalize picks the string to store for a wire value: what the user wrote
// (prior) when it means the same, so that "false" against false or "1" against 1.0 is no diff;
// otherwise the API's canonical string, so that a real change shows as drift.
func syncConditionNormalize(prior *string, raw json.RawMessage) (string, bool) {
	canon, ok := syncConditionCanonical(raw)
	if !ok {
		return "", false
	}
	if prior != nil && syncConditionSameValue(*prior, raw) {
		return *prior, true
	}
	return canon, true
}

// syncConditionNormalizeList applies syncConditionNormalize element by element. The list keeps
// the API's order; an element is compared with the prior element at the same position.
func syncConditionNormalizeList(prior []string, raws []json.RawMessage) []string {
	out := make([]string, 0, len(raws))
	for i, r := range raws {
		var p *string
		if i < len(prior) {
			p = &prior[i]
		}
		s, ok := syncConditionNormalize(p, r)
		if !ok {
			s = ""
		}
		out = append(out, s)
	}
	return out
}
