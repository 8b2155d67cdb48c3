package dataverse

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
)

// payload is a JSON request body kept as raw properties, so that the emulator can tell an absent
// property from a null one and reject properties the declared type does not have, as the OData
// deserializer of the real service does.
type payload map[string]json.RawMessage

// readPayload reads a JSON object body. entity names the type in payload errors.
func readPayload(q *apiRequest, entity string) (payload, *apiError) {
	body, err := io.ReadAll(io.LimitReader(q.r.Body, maxBody+1))
	if err != nil {
		return nil, payloadError(entity, "The request body could not be read: "+err.Error())
	}
	if len(body) > maxBody {
		return nil, newError(http.StatusRequestEntityTooLarge, codeODataError, "The request body is larger than %d bytes.", maxBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return payload{}, nil
	}
	var p payload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil || p == nil {
		return nil, payloadError(entity, "Invalid JSON. A JSON object was expected: "+errText(err))
	}
	if dec.More() {
		return nil, payloadError(entity, "Invalid JSON. More than one value was found at the root of the JSON content.")
	}
	return p, nil
}

func errText(err error) string {
	if err == nil {
		return "null"
	}
	return err.Error()
}

func (p payload) has(k string) bool { _, ok := p[k]; return ok }

// isNull reports whether k is absent or null.
func (p payload) isNull(k string) bool {
	raw, ok := p[k]
	return !ok || string(bytes.TrimSpace(raw)) == "null"
}

// decode unmarshals property k into dst, if present and not null. edmType names the expected type
// in the error, in the OData deserializer's words.
func (p payload) decode(k string, dst any, edmType, entity string) (bool, *apiError) {
	if p.isNull(k) {
		return false, nil
	}
	if err := json.Unmarshal(p[k], dst); err != nil {
		return false, payloadError(entity, "Cannot convert a primitive value to the expected type '"+edmType+"' for the property '"+k+"'. See the inner exception for more details.")
	}
	return true, nil
}

// odataType returns the body's @odata.type as a class name ("" when absent), resolving it against
// the model: "Microsoft.Dynamics.CRM.X" or "#Microsoft.Dynamics.CRM.X".
func (p payload) odataType(entity string) (string, *apiError) {
	var raw string
	if ok, e := p.decode("@odata.type", &raw, "Edm.String", entity); e != nil || !ok {
		return "", e
	}
	cls, ok := strings.CutPrefix(strings.TrimPrefix(raw, "#"), crmNS)
	if !ok || (!knownClasses[cls] && cls != "AttributeMetadata") {
		return "", payloadError(entity, "A type named '"+raw+"' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.")
	}
	return cls, nil
}

// checkProperties rejects properties that the type does not declare. Instance annotations
// (@odata.type, OptionSet@odata.type, ...) are allowed, except @odata.context, which the
// deserializer refuses in a request (facts 3.4: "will cause the request to fail"). Only attribute
// bodies are checked this way, so errors name the AttributeMetadata entity.
func (p payload) checkProperties(allowed map[string]bool, typeName string) *apiError {
	const entity = "AttributeMetadata"
	if p.has("@odata.context") {
		return payloadError(entity, "The annotation 'odata.context' was found. This annotation is either not recognized or not expected at the current position.")
	}
	for _, k := range sortedKeys(p) {
		if strings.Contains(k, "@") || allowed[k] {
			continue
		}
		return payloadError(entity, "The property '"+k+"' does not exist on type '"+crmNS+typeName+"'. Make sure to only use property names that are defined by the type or mark the type as open type.")
	}
	return nil
}

func sortedKeys(p payload) []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	// Deterministic error messages: report the first offending property in name order.
	sort.Strings(keys)
	return keys
}

// labelPayload is a Label as clients send it. UserLocalizedLabel is read-only and ignored.
type labelPayload struct {
	LocalizedLabels []struct {
		Label        *string `json:"Label"`
		LanguageCode int     `json:"LanguageCode"`
		IsManaged    bool    `json:"IsManaged"`
		MetadataID   string  `json:"MetadataId"`
	} `json:"LocalizedLabels"`
}

// localized converts the payload to stored labels; language code 0 (absent) means 1033.
func (l *labelPayload) localized(prop, entity string) ([]localizedLabel, *apiError) {
	out := []localizedLabel{}
	for _, ll := range l.LocalizedLabels {
		if ll.Label == nil {
			return nil, payloadError(entity, "The property 'Label' of a LocalizedLabel in '"+prop+"' is required.")
		}
		code := ll.LanguageCode
		if code == 0 {
			code = userLanguage
		}
		out = append(out, localizedLabel{Label: *ll.Label, LanguageCode: code, MetadataID: strings.ToLower(ll.MetadataID)})
	}
	return out, nil
}

// decodeLabel reads a Label property; ok is false when it is absent or null.
func (p payload) decodeLabel(k, entity string) ([]localizedLabel, bool, *apiError) {
	var lp labelPayload
	ok, e := p.decode(k, &lp, crmNS+"Label", entity)
	if e != nil || !ok {
		return nil, false, e
	}
	labels, e := lp.localized(k, entity)
	return labels, true, e
}

// requiredLevelPayload is an AttributeRequiredLevelManagedProperty.
type requiredLevelPayload struct {
	Value string `json:"Value"`
}

// optionPayload is an OptionMetadata as sent in a create.
type optionPayload struct {
	Value *int         `json:"Value"`
	Label labelPayload `json:"Label"`
}

// booleanOptionSetPayload is a BooleanOptionSetMetadata as sent in a create.
type booleanOptionSetPayload struct {
	OptionSetType *string        `json:"OptionSetType"`
	IsGlobal      *bool          `json:"IsGlobal"`
	Name          *string        `json:"Name"`
	TrueOption    *optionPayload `json:"TrueOption"`
	FalseOption   *optionPayload `json:"FalseOption"`
}
