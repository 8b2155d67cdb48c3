package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
)

var (
	triggers = []string{"polling", "inboundCreate", "inboundUpdate", "outboundCreate", "outboundUpdate"}
	// valueOperators take one value, listOperators a non-empty list, blankOperators nothing.
	valueOperators = []string{"equals", "notEquals", "contains", "notContains", "greaterThan", "lessThan"}
	listOperators  = []string{"in", "notIn"}
	blankOperators = []string{"isBlank", "isNotBlank"}
)

// triggerSide is contract 3.5: inbound triggers test the CRM record, outbound ones the Outreach
// record.
func triggerSide(trigger string) string {
	switch trigger {
	case "outboundCreate", "outboundUpdate":
		return sideOutreach
	}
	return sideCRM
}

// operatorFits says which operators make sense for a field type. The contract fixes the two
// examples (no contains on a boolean, no greaterThan on a string); the rest is chosen so that
// every condition the UI can express is accepted and nothing meaningless is:
//   - isBlank / isNotBlank: every type.
//   - equals / notEquals: every type; on a lookup the value is the referenced record's id as a
//     string (a Dynamics GUID, an Outreach id), which is how "Owner is X" conditions work.
//   - contains / notContains: string only (a picklist compares whole option labels).
//   - greaterThan / lessThan: the ordered types integer, decimal and datetime.
//   - in / notIn: string, picklist, integer, decimal and lookup; not boolean (equals says it)
//     and not datetime (exact instants in a list are never what someone means).
func operatorFits(op, typ string) bool {
	switch op {
	case "isBlank", "isNotBlank", "equals", "notEquals":
		return true
	case "contains", "notContains":
		return typ == fieldTypeString
	case "greaterThan", "lessThan":
		return typ == fieldTypeInteger || typ == fieldTypeDecimal || typ == fieldTypeDate
	case "in", "notIn":
		return typ != fieldTypeBoolean && typ != fieldTypeDate
	}
	return false
}

// typedValue checks that a JSON value has the field's type and returns it compacted. Integers
// must be integer literals, decimals any JSON number, datetimes RFC 3339 strings; string,
// picklist and lookup values are strings.
func typedValue(typ string, raw json.RawMessage) (json.RawMessage, string, bool) {
	raw = bytes.TrimSpace(raw)
	switch typ {
	case fieldTypeBoolean:
		if _, ok := rawBool(raw); ok {
			return raw, "", true
		}
		return nil, "true or false", false
	case fieldTypeInteger:
		if _, ok := rawInt(raw); ok {
			return raw, "", true
		}
		return nil, "a JSON integer", false
	case fieldTypeDecimal:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			if _, ok := v.(json.Number); ok {
				return raw, "", true
			}
		}
		return nil, "a JSON number", false
	case fieldTypeDate:
		if s, ok := rawString(raw); ok {
			if _, err := time.Parse(time.RFC3339, s); err == nil {
				return raw, "", true
			}
		}
		return nil, "an RFC 3339 date-time string", false
	default:
		if _, ok := rawString(raw); ok {
			var buf bytes.Buffer
			if json.Compact(&buf, raw) == nil {
				return buf.Bytes(), "", true
			}
		}
		return nil, "a string", false
	}
}

func (c *syncCondition) recordID() int64 { return c.ID }

func (c *syncCondition) filterValue(attr string) string {
	switch attr {
	case "id":
		return itoa(c.ID)
	case "plugin.id":
		return itoa(c.PluginID)
	case "crmObject":
		return c.CRMObject
	case "trigger":
		return c.Trigger
	}
	return ""
}

func (c *syncCondition) object(base string) map[string]any {
	var value any
	if c.Value != nil {
		value = c.Value
	}
	var values any
	if c.Values != nil {
		values = c.Values
	}
	return resourceObject(typeCondition, c.ID, base, "pluginSyncConditions", map[string]any{
		"crmObject": c.CRMObject,
		"trigger":   c.Trigger,
		"field":     c.Field,
		"operator":  c.Operator,
		"value":     value,
		"values":    values,
		"createdAt": formatTime(c.CreatedAt),
		"updatedAt": formatTime(c.UpdatedAt),
	}, pluginRel(c.PluginID))
}

// applyConditionAttrs copies present attributes into c. Value and values are kept raw here and
// checked against the field's type in validateCondition, once the field is known.
func applyConditionAttrs(c *syncCondition, attrs map[string]json.RawMessage) []apiError {
	var errs []apiError
	for _, name := range []string{"crmObject", "trigger", "field", "operator"} {
		raw, ok := attrs[name]
		if !ok {
			continue
		}
		v, ok := rawString(raw)
		if !ok || v == "" {
			errs = append(errs, invalidAttr(name, "%s must be a non-empty string", name))
			continue
		}
		switch name {
		case "crmObject":
			c.CRMObject = v
		case "trigger":
			c.Trigger = v
		case "field":
			c.Field = v
		case "operator":
			c.Operator = v
		}
	}
	if raw, ok := attrs["value"]; ok {
		if isNull(raw) {
			c.Value = nil
		} else {
			c.Value = append(json.RawMessage(nil), bytes.TrimSpace(raw)...)
		}
	}
	if raw, ok := attrs["values"]; ok {
		// Contract 3.5 makes values "required, non-empty, for in/notIn; absent otherwise", while
		// value may be "absent or null": a null values fits no operator and is refused as such.
		if isNull(raw) {
			errs = append(errs, invalidAttr("values", "values must be a non-empty array for the in and notIn operators and absent otherwise; null is not allowed"))
		} else {
			var vs []json.RawMessage
			if err := json.Unmarshal(raw, &vs); err != nil {
				errs = append(errs, invalidAttr("values", "values must be an array"))
			} else {
				if vs == nil {
					vs = []json.RawMessage{}
				}
				c.Values = vs
			}
		}
	}
	return errs
}

// validateCondition applies contract 3.5 to a complete condition.
func (s *Server) validateCondition(c *syncCondition) []apiError {
	var errs []apiError
	if !isCRMObject(c.CRMObject) {
		errs = append(errs, invalidAttr("crmObject", "crmObject %q is not a CRM object of plugin %d; one of lead, contact, account, opportunity, task, appointment, systemuser", c.CRMObject, c.PluginID))
	}
	if !slices.Contains(triggers, c.Trigger) {
		errs = append(errs, invalidAttr("trigger", "trigger %q is not one of polling, inboundCreate, inboundUpdate, outboundCreate, outboundUpdate", c.Trigger))
	}
	opKnown := slices.Contains(valueOperators, c.Operator) || slices.Contains(listOperators, c.Operator) || slices.Contains(blankOperators, c.Operator)
	if !opKnown {
		errs = append(errs, invalidAttr("operator", "operator %q is not one of equals, notEquals, isBlank, isNotBlank, contains, notContains, greaterThan, lessThan, in, notIn", c.Operator))
	}
	if len(errs) > 0 {
		return errs
	}
	side := triggerSide(c.Trigger)
	f := s.st.field(c.PluginID, c.CRMObject, side, c.Field)
	if f == nil {
		if side == sideCRM {
			return []apiError{invalidAttr("field", "field %q is not a known CRM field of %s (%s conditions test CRM fields); refresh the plugin's fields if it was created recently", c.Field, c.CRMObject, c.Trigger)}
		}
		return []apiError{invalidAttr("field", "field %q is not a known Outreach field of %s (%s conditions test Outreach fields)", c.Field, c.CRMObject, c.Trigger)}
	}
	if !operatorFits(c.Operator, f.Type) {
		return []apiError{invalidAttr("operator", "operator %s does not fit field %q of type %s", c.Operator, f.Name, f.Type)}
	}
	switch {
	case slices.Contains(valueOperators, c.Operator):
		if c.Values != nil {
			errs = append(errs, invalidAttr("values", "values is only for the in and notIn operators; use value with %s", c.Operator))
		}
		if c.Value == nil {
			errs = append(errs, invalidAttr("value", "value is required for operator %s", c.Operator))
		} else if v, want, ok := typedValue(f.Type, c.Value); !ok {
			errs = append(errs, invalidAttr("value", "value must be %s for field %q of type %s", want, f.Name, f.Type))
		} else {
			c.Value = v
		}
	case slices.Contains(listOperators, c.Operator):
		if c.Value != nil {
			errs = append(errs, invalidAttr("value", "value must be null for operator %s; use values", c.Operator))
		}
		if len(c.Values) == 0 {
			errs = append(errs, invalidAttr("values", "values must be a non-empty array for operator %s", c.Operator))
		}
		for i, item := range c.Values {
			if v, want, ok := typedValue(f.Type, item); !ok {
				errs = append(errs, invalidPointer("/data/attributes/values/"+strconv.Itoa(i), "values[%d] must be %s for field %q of type %s", i, want, f.Name, f.Type))
			} else {
				c.Values[i] = v
			}
		}
	default: // isBlank, isNotBlank
		if c.Value != nil {
			errs = append(errs, invalidAttr("value", "value must be null or absent for operator %s", c.Operator))
		}
		if c.Values != nil {
			errs = append(errs, invalidAttr("values", "values must be absent for operator %s", c.Operator))
		}
	}
	return errs
}

var conditionTimestamps = map[string]string{
	"createdAt": "createdAt is read only",
	"updatedAt": "updatedAt is read only",
}

func createCondition(s *Server, in *inResource, now time.Time) (record, int, []apiError) {
	errs := checkAttrNames(in.Attributes, set("crmObject", "trigger", "field", "operator", "value", "values"), conditionTimestamps)
	errs = append(errs, checkRelNames(in.Relationships, set("plugin"), nil)...)
	for _, name := range []string{"crmObject", "trigger", "field", "operator"} {
		if _, ok := in.Attributes[name]; !ok {
			errs = append(errs, invalidAttr(name, "%s is required", name))
		}
	}
	c := &syncCondition{CreatedAt: now, UpdatedAt: now}
	errs = append(errs, applyConditionAttrs(c, in.Attributes)...)
	pid, status, perrs := s.resolvePlugin(in)
	if status == http.StatusNotFound {
		return nil, status, perrs
	}
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		return nil, http.StatusUnprocessableEntity, errs
	}
	c.PluginID = pid
	if errs := s.validateCondition(c); len(errs) > 0 {
		return nil, http.StatusUnprocessableEntity, errs
	}
	c.ID = s.st.newID(typeCondition)
	s.st.Conditions[c.ID] = c
	return c, 0, nil
}

func updateCondition(s *Server, rec record, in *inResource, now time.Time) (int, []apiError) {
	cur, ok := rec.(*syncCondition)
	if !ok {
		return http.StatusInternalServerError, []apiError{{ID: "internalError", Title: "Internal Error", Detail: "record is not a pluginSyncCondition"}}
	}
	readOnly := map[string]string{
		"crmObject": "crmObject cannot be changed after create; delete the condition and create a new one",
		"trigger":   "trigger cannot be changed after create; delete the condition and create a new one",
	}
	for k, v := range conditionTimestamps {
		readOnly[k] = v
	}
	writable := set("field", "operator", "value", "values")
	errs := checkAttrNames(in.Attributes, writable, readOnly)
	errs = append(errs, checkRelNames(in.Relationships, nil, map[string]string{"plugin": "plugin cannot be changed after create"})...)
	next := *cur
	next.Values = slices.Clone(cur.Values)
	attrs := map[string]json.RawMessage{}
	for k, v := range in.Attributes {
		if writable[k] {
			attrs[k] = v
		}
	}
	errs = append(errs, applyConditionAttrs(&next, attrs)...)
	if len(errs) > 0 {
		return http.StatusUnprocessableEntity, errs
	}
	// A PATCH changes only the attributes it carries, and a request can clear value with null but
	// has no way to clear values (null is refused above). Where the contract is silent the
	// sandbox therefore lets values follow the operator: a condition moved off in/notIn by a
	// PATCH that does not send values loses them, as the resource of its new operator has none.
	// A PATCH that does send values with another operator is still refused by validateCondition.
	if _, sent := attrs["values"]; !sent && !slices.Contains(listOperators, next.Operator) {
		next.Values = nil
	}
	if errs := s.validateCondition(&next); len(errs) > 0 {
		return http.StatusUnprocessableEntity, errs
	}
	next.UpdatedAt = now
	*cur = next
	return 0, nil
}
