package sandbox

import (
	"encoding/json"
	"net/http"
	"time"
)

func (m *fieldMapping) recordID() int64 { return m.ID }

func (m *fieldMapping) filterValue(attr string) string {
	switch attr {
	case "id":
		return itoa(m.ID)
	case "plugin.id":
		return itoa(m.PluginID)
	case "crmObject":
		return m.CRMObject
	case "outreachField":
		return m.OutreachField
	case "crmField":
		return m.CRMField
	}
	return ""
}

func (m *fieldMapping) object(base string) map[string]any {
	return resourceObject(typeMapping, m.ID, base, "pluginFieldMappings", map[string]any{
		"crmObject":          m.CRMObject,
		"outreachField":      m.OutreachField,
		"crmField":           m.CRMField,
		"updatesIn":          m.UpdatesIn,
		"updatesOut":         m.UpdatesOut,
		"skipEmptyIn":        m.SkipEmptyIn,
		"skipEmptyOut":       m.SkipEmptyOut,
		"emptyPlaceholder":   m.EmptyPlaceholder,
		"externalMappedType": m.ExternalMappedType,
		"createdAt":          formatTime(m.CreatedAt),
		"updatedAt":          formatTime(m.UpdatedAt),
	}, pluginRel(m.PluginID))
}

var mappingTimestamps = map[string]string{
	"createdAt": "createdAt is read only",
	"updatedAt": "updatedAt is read only",
}

// applyMappingAttrs copies the present attributes into m, reporting values of the wrong JSON
// type. Attribute names were checked before.
func applyMappingAttrs(m *fieldMapping, attrs map[string]json.RawMessage) []apiError {
	var errs []apiError
	for _, name := range []string{"crmObject", "outreachField", "crmField"} {
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
			m.CRMObject = v
		case "outreachField":
			m.OutreachField = v
		case "crmField":
			m.CRMField = v
		}
	}
	for name, dst := range map[string]*bool{
		"updatesIn": &m.UpdatesIn, "updatesOut": &m.UpdatesOut,
		"skipEmptyIn": &m.SkipEmptyIn, "skipEmptyOut": &m.SkipEmptyOut,
	} {
		raw, ok := attrs[name]
		if !ok {
			continue
		}
		b, ok := rawBool(raw)
		if !ok {
			errs = append(errs, invalidAttr(name, "%s must be true or false", name))
			continue
		}
		*dst = b
	}
	for name, dst := range map[string]**string{"emptyPlaceholder": &m.EmptyPlaceholder, "externalMappedType": &m.ExternalMappedType} {
		raw, ok := attrs[name]
		if !ok {
			continue
		}
		if isNull(raw) {
			*dst = nil
			continue
		}
		v, ok := rawString(raw)
		if !ok {
			errs = append(errs, invalidAttr(name, "%s must be a string or null", name))
			continue
		}
		*dst = &v
	}
	sortErrors(errs)
	return errs
}

// validateMapping applies contract 3.4 to a complete mapping, create or update alike.
func (s *Server) validateMapping(m *fieldMapping) []apiError {
	if !isCRMObject(m.CRMObject) {
		return []apiError{invalidAttr("crmObject", "crmObject %q is not a CRM object of plugin %d; one of lead, contact, account, opportunity, task, appointment, systemuser", m.CRMObject, m.PluginID)}
	}
	var errs []apiError
	of := s.st.field(m.PluginID, m.CRMObject, sideOutreach, m.OutreachField)
	if of == nil {
		errs = append(errs, invalidAttr("outreachField", "outreachField %q is not a known Outreach field of %s", m.OutreachField, m.CRMObject))
	}
	cf := s.st.field(m.PluginID, m.CRMObject, sideCRM, m.CRMField)
	if cf == nil {
		errs = append(errs, invalidAttr("crmField", "crmField %q is not a known field of %s; refresh the plugin's fields if it was created recently", m.CRMField, m.CRMObject))
	}
	if of != nil && cf != nil && !typesCompatible(of.Type, cf.Type) {
		errs = append(errs, invalidAttr("crmField", "crmField %q (%s) cannot be mapped to outreachField %q (%s): types must be equal, or one of them string (never lookup)",
			cf.Name, cf.Type, of.Name, of.Type))
	}
	if m.UpdatesIn && of != nil && !of.Writable {
		errs = append(errs, invalidAttr("updatesIn", "updatesIn requires a writable Outreach field; outreachField %q is read only", of.Name))
	}
	if m.UpdatesOut && cf != nil && !cf.Writable {
		errs = append(errs, invalidAttr("updatesOut", "updatesOut requires a writable CRM field; crmField %q is read only", cf.Name))
	}
	for _, other := range s.st.Mappings {
		if other.ID != m.ID && other.PluginID == m.PluginID && other.CRMObject == m.CRMObject && other.OutreachField == m.OutreachField {
			errs = append(errs, invalidAttr("outreachField", "outreachField %q is already mapped on %s", m.OutreachField, m.CRMObject))
			break
		}
	}
	return errs
}

// typesCompatible is contract 3.4: equal types, or string on either side with anything but a
// lookup (a lookup carries a record reference, which no text field can stand for).
func typesCompatible(a, b string) bool {
	if a == b {
		return true
	}
	if a == fieldTypeLookup || b == fieldTypeLookup {
		return false
	}
	return a == fieldTypeString || b == fieldTypeString
}

var mappingWritable = set("crmObject", "outreachField", "crmField", "updatesIn", "updatesOut", "skipEmptyIn", "skipEmptyOut", "emptyPlaceholder", "externalMappedType")

func createMapping(s *Server, in *inResource, now time.Time) (record, int, []apiError) {
	errs := checkAttrNames(in.Attributes, mappingWritable, mappingTimestamps)
	errs = append(errs, checkRelNames(in.Relationships, set("plugin"), nil)...)
	for _, name := range []string{"crmObject", "outreachField", "crmField"} {
		if _, ok := in.Attributes[name]; !ok {
			errs = append(errs, invalidAttr(name, "%s is required", name))
		}
	}
	m := &fieldMapping{UpdatesIn: true, UpdatesOut: true, CreatedAt: now, UpdatedAt: now}
	errs = append(errs, applyMappingAttrs(m, in.Attributes)...)
	pid, status, perrs := s.resolvePlugin(in)
	if status == http.StatusNotFound {
		return nil, status, perrs
	}
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		return nil, http.StatusUnprocessableEntity, errs
	}
	m.PluginID = pid
	if errs := s.validateMapping(m); len(errs) > 0 {
		return nil, http.StatusUnprocessableEntity, errs
	}
	m.ID = s.st.newID(typeMapping)
	s.st.Mappings[m.ID] = m
	return m, 0, nil
}

func updateMapping(s *Server, rec record, in *inResource, now time.Time) (int, []apiError) {
	cur, ok := rec.(*fieldMapping)
	if !ok {
		return http.StatusInternalServerError, []apiError{{ID: "internalError", Title: "Internal Error", Detail: "record is not a pluginFieldMapping"}}
	}
	readOnly := map[string]string{"crmObject": "crmObject cannot be changed after create; delete the mapping and create a new one"}
	for k, v := range mappingTimestamps {
		readOnly[k] = v
	}
	writable := set("outreachField", "crmField", "updatesIn", "updatesOut", "skipEmptyIn", "skipEmptyOut", "emptyPlaceholder", "externalMappedType")
	errs := checkAttrNames(in.Attributes, writable, readOnly)
	errs = append(errs, checkRelNames(in.Relationships, nil, map[string]string{"plugin": "plugin cannot be changed after create"})...)
	next := *cur
	attrs := map[string]json.RawMessage{}
	for k, v := range in.Attributes {
		if writable[k] {
			attrs[k] = v
		}
	}
	errs = append(errs, applyMappingAttrs(&next, attrs)...)
	if len(errs) > 0 {
		return http.StatusUnprocessableEntity, errs
	}
	if errs := s.validateMapping(&next); len(errs) > 0 {
		return http.StatusUnprocessableEntity, errs
	}
	next.UpdatedAt = now
	*cur = next
	return 0, nil
}
