package dataverse

import (
	"net/http"
	"regexp"
	"strings"
)

// This file serves the write side of column metadata: create (POST), update (PUT) and DELETE,
// plus what they share with the actions: the customization lock and solution membership.

// maxSchemaNameLength is the longest attribute SchemaName Dataverse accepts.
const maxSchemaNameLength = 50

var schemaNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// takeLock fires the customization-lock fault if it is armed. Every metadata write calls it once
// it knows the request is a write to an existing target and before it validates the body: the
// platform refuses to start the operation at all.
func (o *Org) takeLock() *apiError {
	f := &o.st.Faults
	if f.Lock <= 0 {
		return nil
	}
	f.Lock--
	return o.lockError()
}

// takePublishLock fires the publish-only lock fault, else the general one.
func (o *Org) takePublishLock() *apiError {
	if f := &o.st.Faults; f.PublishLock > 0 {
		f.PublishLock--
		return o.lockError()
	}
	return o.takeLock()
}

// lockError counts a fired lock fault and returns its answer.
func (o *Org) lockError() *apiError {
	o.st.Stats.LockFaults++
	status := o.st.Faults.LockStatus
	if status == 0 {
		status = http.StatusBadRequest
	}
	return newError(status, codeCustomizationLock, lockMessage)
}

// solutionForWrite resolves the solution named by MSCRM.SolutionUniqueName (or an action's
// SolutionUniqueName parameter); nil when name is empty.
func (o *Org) solutionForWrite(name string) (*solution, *apiError) {
	if name == "" {
		return nil, nil
	}
	s := o.solution(name)
	if s == nil {
		// Assumption: the undocumented answer to an unknown solution is modelled as
		// ObjectDoesNotExist, which the Web API answers with 404.
		return nil, newError(http.StatusNotFound, codeObjectDoesNotExist, "The solution with unique name '%s' does not exist.", name)
	}
	if s.IsManaged {
		// Assumption: code and wording are not documented; InvalidArgument with a plain message.
		return nil, invalidArgument("Cannot add components to the managed solution '%s'. Components can only be added to an unmanaged solution.", s.UniqueName)
	}
	return s, nil
}

// addComponent adds an object to a solution; adding it again returns the existing component.
func (o *Org) addComponent(s *solution, objectID string, typ int) *component {
	for _, c := range s.Components {
		if strings.EqualFold(c.ObjectID, objectID) && c.ComponentType == typ {
			return c
		}
	}
	c := &component{ID: newGUID(), ObjectID: objectID, ComponentType: typ, CreatedOn: o.now()}
	s.Components = append(s.Components, c)
	return c
}

// removeComponent removes an object from every solution.
func (o *Org) removeComponent(objectID string) {
	for _, s := range o.st.Solutions {
		kept := s.Components[:0]
		for _, c := range s.Components {
			if !strings.EqualFold(c.ObjectID, objectID) {
				kept = append(kept, c)
			}
		}
		s.Components = kept
	}
}

// publisherPrefixes returns the customization prefixes a SchemaName may use: the prefix of the
// target solution's publisher, or without a solution, that of any publisher (the component
// then lands in the Default solution).
func (o *Org) publisherPrefixes(s *solution) []string {
	if s != nil {
		if p := o.publisher(s.PublisherID); p != nil {
			return []string{p.Prefix}
		}
		return nil
	}
	var out []string
	for _, p := range o.st.Publishers {
		if p.Prefix != "" && p.Prefix != "none" {
			out = append(out, p.Prefix)
		}
	}
	return out
}

func (o *Org) entityIDURL(q *apiRequest, t *table, attrKey string) string {
	return q.api + "/EntityDefinitions(LogicalName='" + t.LogicalName + "')/Attributes(" + attrKey + ")"
}

// createAttribute serves POST EntityDefinitions(...)/Attributes. Only Boolean columns can be
// created (the provider manages nothing else).
func (o *Org) createAttribute(q *apiRequest, t *table) (*response, *apiError) {
	if e := o.takeLock(); e != nil {
		return nil, e
	}
	const entity = "AttributeMetadata"
	p, e := readPayload(q, entity)
	if e != nil {
		return nil, e
	}
	cls, e := p.odataType(entity)
	if e != nil {
		return nil, e
	}
	if cls == "" || cls == "AttributeMetadata" {
		if e := p.checkProperties(baseAttrProps, "AttributeMetadata"); e != nil {
			return nil, e
		}
		// Assumption: without a discriminator the body reads as the abstract base type, which
		// CreateAttribute cannot create.
		return nil, invalidArgument("An attribute of type '%sAttributeMetadata' cannot be created. Set \"@odata.type\" to a concrete attribute type such as \"%sBooleanAttributeMetadata\".", crmNS, crmNS)
	}
	if cls != "BooleanAttributeMetadata" {
		return nil, invalidArgument("Creating attributes of type '%s%s' is not supported by this sandbox; only %sBooleanAttributeMetadata is.", crmNS, cls, crmNS)
	}
	allowed := withOptionSet(classAttrProps[cls])
	if e := p.checkProperties(allowed, cls); e != nil {
		return nil, e
	}

	var (
		schemaName, logicalName, attrType, metadataID string
		typeName                                      struct{ Value string }
		defaultValue                                  bool
		required                                      requiredLevelPayload
		os                                            booleanOptionSetPayload
	)
	for _, d := range []struct {
		k   string
		dst any
		edm string
	}{
		{"SchemaName", &schemaName, edmString}, {"LogicalName", &logicalName, edmString},
		{"AttributeType", &attrType, crmNS + "AttributeTypeCode"}, {"AttributeTypeName", &typeName, crmNS + "AttributeTypeDisplayName"},
		{"MetadataId", &metadataID, edmGUID}, {"DefaultValue", &defaultValue, edmBoolean},
		{"RequiredLevel", &required, crmNS + "AttributeRequiredLevelManagedProperty"},
		{"OptionSet", &os, crmNS + "BooleanOptionSetMetadata"},
	} {
		if _, e := p.decode(d.k, d.dst, d.edm, entity); e != nil {
			return nil, e
		}
	}
	displayName, hasDisplay, e := p.decodeLabel("DisplayName", entity)
	if e != nil {
		return nil, e
	}
	description, _, e := p.decodeLabel("Description", entity)
	if e != nil {
		return nil, e
	}

	sol, e := o.solutionForWrite(q.header("MSCRM.SolutionUniqueName"))
	if e != nil {
		return nil, e
	}
	if e := o.checkSchemaName(t, sol, schemaName); e != nil {
		return nil, e
	}
	if logicalName != "" && logicalName != strings.ToLower(schemaName) {
		return nil, invalidArgument("The LogicalName '%s' must be the lower-case form of the SchemaName '%s'.", logicalName, schemaName)
	}
	if attrType != "" && attrType != "Boolean" {
		return nil, invalidArgument("The AttributeType '%s' does not match the attribute type '%s%s'.", attrType, crmNS, cls)
	}
	if typeName.Value != "" && typeName.Value != "BooleanType" {
		return nil, invalidArgument("The AttributeTypeName '%s' does not match the attribute type '%s%s'.", typeName.Value, crmNS, cls)
	}
	if metadataID != "" {
		if !isGUID(metadataID) {
			return nil, payloadError(entity, "Cannot convert the literal '"+metadataID+"' to the expected type 'Edm.Guid'.")
		}
		if o.findAttribute(metadataID) != nil {
			return nil, newError(http.StatusBadRequest, codeDuplicateAttribute, "An attribute with the MetadataId %s already exists.", metadataID)
		}
	} else {
		metadataID = newGUID()
	}
	if !hasDisplay || len(displayName) == 0 {
		return nil, invalidArgument("The DisplayName of the attribute '%s' is required: provide at least one LocalizedLabel.", schemaName)
	}
	level, e := checkRequiredLevel(required.Value, "None", true, schemaName)
	if e != nil {
		return nil, e
	}
	trueLabel, falseLabel, e := checkBooleanOptionSet(p.has("OptionSet") && !p.isNull("OptionSet"), os, schemaName, entity)
	if e != nil {
		return nil, e
	}

	now := o.now()
	logical := strings.ToLower(schemaName)
	a := &attribute{
		MetadataID: strings.ToLower(metadataID), LogicalName: logical, SchemaName: schemaName, AttributeType: "Boolean",
		DisplayName: label{}.merge(displayName, false), Description: label{}.merge(description, false),
		RequiredLevel: level, RequiredLevelCanBeChanged: true,
		IsCustomAttribute: true, IsManaged: false,
		IsValidForCreate: true, IsValidForRead: true, IsValidForUpdate: true,
		IntroducedVersion: "1.0.0.0", ColumnNumber: nextColumnNumber(t),
		CreatedOn: now, ModifiedOn: now,
		DefaultValue: defaultValue,
		OptionSet: &optionSet{
			MetadataID: newGUID(), Name: t.LogicalName + "_" + logical, OptionSetType: "Boolean", IsCustomOptionSet: true,
			TrueOption:  &option{Value: 1, Label: label{}.merge(trueLabel, false), Description: emptyLabel()},
			FalseOption: &option{Value: 0, Label: label{}.merge(falseLabel, false), Description: emptyLabel()},
		},
	}
	o.noteMetadataWrite(t)
	t.Attributes = append(t.Attributes, a)
	if sol != nil {
		o.addComponent(sol, a.MetadataID, componentAttribute)
	}
	if o.st.Faults.NotFoundAfterCreate > 0 {
		if o.st.Hidden == nil {
			o.st.Hidden = map[string]bool{}
		}
		o.st.Hidden[a.MetadataID] = true
	}
	o.st.Stats.MetadataWrites++
	// Creating a column publishes it (facts 3.3), so the table's pending state is unchanged.
	resp := noContent()
	resp.header.Set("OData-EntityId", o.entityIDURL(q, t, a.MetadataID))
	return resp, nil
}

func withOptionSet(props map[string]bool) map[string]bool {
	out := map[string]bool{"OptionSet": true}
	for k := range props {
		out[k] = true
	}
	return out
}

func nextColumnNumber(t *table) int {
	n := 0
	for _, a := range t.Attributes {
		n = max(n, a.ColumnNumber)
	}
	return n + 1
}

// checkSchemaName applies the naming rules of a new column: charset, length, the publisher
// customization prefix and uniqueness on the table (system columns included).
func (o *Org) checkSchemaName(t *table, sol *solution, name string) *apiError {
	if name == "" {
		return invalidArgument("The SchemaName of the attribute is required.")
	}
	if !schemaNameRE.MatchString(name) {
		return invalidArgument("Invalid SchemaName '%s': a schema name must start with a letter and contain only the characters A-Z, a-z, 0-9 and _.", name)
	}
	if len(name) > maxSchemaNameLength {
		return invalidArgument("Invalid SchemaName '%s': the schema name of an attribute can be at most %d characters long (it has %d).", name, maxSchemaNameLength, len(name))
	}
	prefixes := o.publisherPrefixes(sol)
	prefix, rest, hasPrefix := strings.Cut(name, "_")
	valid := false
	for _, p := range prefixes {
		if hasPrefix && rest != "" && strings.EqualFold(prefix, p) {
			valid = true
		}
	}
	if !valid {
		want := strings.Join(prefixes, "_', '") + "_"
		if sol != nil {
			return newError(http.StatusBadRequest, codePrefix,
				"The schema name %s for type Attribute is not prefixed with the customization prefix '%s' of the publisher of solution %s.", name, want, sol.UniqueName)
		}
		return newError(http.StatusBadRequest, codePrefix,
			"The schema name %s for type Attribute is not prefixed with a publisher customization prefix. Valid prefixes: '%s'.", name, want)
	}
	if existing := t.attribute(name); existing != nil {
		return newError(http.StatusBadRequest, codeDuplicateAttribute,
			"An attribute with the specified name %s already exists on entity %s. Attribute %s already exists for entity %s.",
			name, t.LogicalName, existing.LogicalName, t.LogicalName)
	}
	return nil
}

// checkRequiredLevel validates a RequiredLevel value; "" means the default def. SystemRequired
// is reserved to the platform.
func checkRequiredLevel(v, def string, changeable bool, attr string) (string, *apiError) {
	if v == "" {
		v = def
	}
	valid := false
	for _, l := range requiredLevels {
		if v == l {
			valid = true
		}
	}
	if !valid {
		return "", payloadError("AttributeMetadata", "The value '"+v+"' is not a valid member of the enumeration type '"+crmNS+"AttributeRequiredLevel'.")
	}
	if v == def {
		return v, nil
	}
	if !changeable {
		return "", invalidArgument("The RequiredLevel of attribute %s cannot be changed: its managed property canmodifyrequirementlevelsettings does not allow it.", attr)
	}
	if v == "SystemRequired" {
		return "", invalidArgument("The RequiredLevel SystemRequired cannot be set on attribute %s; use ApplicationRequired.", attr)
	}
	return v, nil
}

// checkBooleanOptionSet validates the OptionSet of a new Boolean column and returns the option
// labels. Boolean option sets always have TrueOption 1 and FalseOption 0 (facts 3.2).
func checkBooleanOptionSet(present bool, os booleanOptionSetPayload, attr, entity string) ([]localizedLabel, []localizedLabel, *apiError) {
	if !present {
		return nil, nil, invalidArgument("The OptionSet of the Boolean attribute %s is required, with a TrueOption and a FalseOption.", attr)
	}
	if os.OptionSetType != nil && *os.OptionSetType != "Boolean" {
		return nil, nil, invalidArgument("The OptionSetType of a Boolean attribute must be Boolean, not %s.", *os.OptionSetType)
	}
	if os.IsGlobal != nil && *os.IsGlobal {
		return nil, nil, invalidArgument("A Boolean attribute cannot use a global option set.")
	}
	var labels [2][]localizedLabel
	for i, o := range []struct {
		name string
		opt  *optionPayload
		want int
	}{{"TrueOption", os.TrueOption, 1}, {"FalseOption", os.FalseOption, 0}} {
		if o.opt == nil {
			return nil, nil, invalidArgument("The %s of the Boolean attribute %s is required.", o.name, attr)
		}
		if o.opt.Value != nil && *o.opt.Value != o.want {
			return nil, nil, invalidArgument("The %s of a Boolean attribute must have the value %d, not %d.", o.name, o.want, *o.opt.Value)
		}
		ll, e := o.opt.Label.localized(o.name, entity)
		if e != nil {
			return nil, nil, e
		}
		if len(ll) == 0 {
			return nil, nil, invalidArgument("The %s of the Boolean attribute %s needs a Label with at least one LocalizedLabel.", o.name, attr)
		}
		labels[i] = ll
	}
	return labels[0], labels[1], nil
}

// readOnlyOnUpdate are properties a PUT may repeat but not change.
var readOnlyOnUpdate = []string{"SchemaName", "LogicalName", "AttributeType", "MetadataId", "EntityLogicalName",
	"IsCustomAttribute", "IsManaged", "IsPrimaryId", "IsPrimaryName", "AttributeOf"}

// updateAttribute serves PUT EntityDefinitions(...)/Attributes(...). PUT replaces the definition
// (facts 3.4): DisplayName, Description, RequiredLevel and DefaultValue take the values sent, and
// an absent one takes its default (labels: none, unless MSCRM.MergeLabels keeps them). OptionSet
// is accepted and ignored: option labels change only through UpdateOptionValue (facts 3.5).
func (o *Org) updateAttribute(q *apiRequest, t *table, a *attribute) (*response, *apiError) {
	if e := o.takeLock(); e != nil {
		return nil, e
	}
	const entity = "AttributeMetadata"
	p, e := readPayload(q, entity)
	if e != nil {
		return nil, e
	}
	cls, e := p.odataType(entity)
	if e != nil {
		return nil, e
	}
	if cls == "" || cls == "AttributeMetadata" {
		// Without the discriminator the body is read as the base type, so type-specific
		// properties are unknown (Dataverse-skills#119); and even without them the update of a
		// typed column needs its type.
		if e := p.checkProperties(baseAttrProps, "AttributeMetadata"); e != nil {
			return nil, e
		}
		return nil, invalidArgument("The payload of the update was read as '%sAttributeMetadata', but attribute %s is of type '%s%s'. Add \"@odata.type\": \"%s%s\" to the body.",
			crmNS, a.LogicalName, crmNS, a.class(), crmNS, a.class())
	}
	if cls != a.class() {
		return nil, invalidArgument("The type of attribute %s cannot be changed from '%s%s' to '%s%s'.", a.LogicalName, crmNS, a.class(), crmNS, cls)
	}
	allowed := classAttrProps[cls]
	if hasOptionSet(cls) {
		allowed = withOptionSet(allowed)
		if cls == "PicklistAttributeMetadata" {
			allowed["GlobalOptionSet"] = true
		}
	}
	if e := p.checkProperties(allowed, cls); e != nil {
		return nil, e
	}
	current := renderAttribute(t, a, cls, false)
	for _, k := range readOnlyOnUpdate {
		if p.isNull(k) {
			continue
		}
		var sent any
		if _, e := p.decode(k, &sent, "Edm.Untyped", entity); e != nil {
			return nil, e
		}
		have, _ := current.get(k)
		if !sameValue(sent, have) {
			return nil, invalidArgument("The property %s of attribute %s cannot be changed (it is %v; the update has %v).", k, a.LogicalName, have, sent)
		}
	}

	mergeLabels := strings.EqualFold(q.header("MSCRM.MergeLabels"), "true")
	displayName, _, e := p.decodeLabel("DisplayName", entity)
	if e != nil {
		return nil, e
	}
	description, _, e := p.decodeLabel("Description", entity)
	if e != nil {
		return nil, e
	}
	var required requiredLevelPayload
	if _, e := p.decode("RequiredLevel", &required, crmNS+"AttributeRequiredLevelManagedProperty", entity); e != nil {
		return nil, e
	}
	if required.Value == "" {
		required.Value = "None"
	}
	level, e := checkRequiredLevel(required.Value, a.RequiredLevel, a.RequiredLevelCanBeChanged, a.LogicalName)
	if e != nil {
		return nil, e
	}
	var defaultValue bool
	if cls == "BooleanAttributeMetadata" {
		if _, e := p.decode("DefaultValue", &defaultValue, edmBoolean, entity); e != nil {
			return nil, e
		}
	}
	if !p.isNull("OptionSet") {
		var ignored map[string]any
		if _, e := p.decode("OptionSet", &ignored, crmNS+"OptionSetMetadataBase", entity); e != nil {
			return nil, e
		}
	}
	sol, e := o.solutionForWrite(q.header("MSCRM.SolutionUniqueName"))
	if e != nil {
		return nil, e
	}

	o.noteMetadataWrite(t)
	a.DisplayName = a.DisplayName.merge(displayName, mergeLabels)
	a.Description = a.Description.merge(description, mergeLabels)
	a.RequiredLevel = level
	if cls == "BooleanAttributeMetadata" {
		a.DefaultValue = defaultValue
	}
	a.ModifiedOn = o.now()
	t.Unpublished = true // "You must publish changes after updating schema metadata"
	if sol != nil {
		o.addComponent(sol, a.MetadataID, componentAttribute)
	}
	o.st.Stats.MetadataWrites++
	resp := noContent()
	resp.header.Set("OData-EntityId", q.api+"/EntityDefinitions("+q.segs[0].key.String()+")/Attributes("+q.segs[1].key.String()+")")
	return resp, nil
}

// sameValue compares a decoded JSON value with a rendered one.
func sameValue(sent, have any) bool {
	switch h := have.(type) {
	case string:
		s, ok := sent.(string)
		return ok && (s == h || (isGUID(h) && strings.EqualFold(s, h)))
	case bool:
		s, ok := sent.(bool)
		return ok && s == h
	case nil:
		return sent == nil
	}
	return false
}

// deleteAttribute serves DELETE EntityDefinitions(...)/Attributes(...).
func (o *Org) deleteAttribute(t *table, a *attribute) (*response, *apiError) {
	if e := o.takeLock(); e != nil {
		return nil, e
	}
	if !a.IsCustomAttribute {
		// Assumption: system columns are managed (System solution), so deleting one is
		// InvalidDeleteOnProtectedComponent; its HTTP status is undocumented, 400 is chosen as
		// for the other business-rule errors.
		return nil, newError(http.StatusBadRequest, codeProtected,
			"You cannot delete Attribute %s. Deletion cannot be performed when Attribute is managed.", a.LogicalName)
	}
	if a.Dependencies > 0 {
		return nil, newError(http.StatusBadRequest, codeInUse,
			"The Attribute(%s) component cannot be deleted because it is referenced by %d other components. For a list of referenced components, use the RetrieveDependenciesForDeleteRequest.",
			a.MetadataID, a.Dependencies)
	}
	o.noteMetadataWrite(t)
	kept := t.Attributes[:0]
	for _, x := range t.Attributes {
		if x != a {
			kept = append(kept, x)
		}
	}
	t.Attributes = kept
	o.dropColumnValues(t.LogicalName, a.LogicalName)
	o.removeComponent(a.MetadataID)
	delete(o.st.Hidden, a.MetadataID)
	o.st.Stats.MetadataWrites++
	// Deleting publishes automatically (facts 3.3).
	return noContent(), nil
}
