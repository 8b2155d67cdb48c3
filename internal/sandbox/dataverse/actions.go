package dataverse

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// This file serves the unbound functions and actions: WhoAmI, UpdateOptionValue, PublishXml,
// PublishAllXml and AddSolutionComponent.

func (o *Org) handleWhoAmI(q *apiRequest) (*response, *apiError) {
	if len(q.segs) > 1 {
		return nil, notFoundSegment(q.segs[1].name)
	}
	if q.method != http.MethodGet || q.segs[0].key != nil {
		// Facts 2.4: POST WhoAmI answers 404 "No HTTP resource was found ...".
		return nil, noHTTPResource(q.api + "/" + q.path)
	}
	resp := okJSON(obj{
		{"@odata.context", q.api + "/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"},
		{"BusinessUnitId", o.st.BusinessUnitID},
		{"UserId", o.st.UserID},
		{"OrganizationId", o.st.OrganizationID},
	})
	resp.header.Set("x-ms-dop-hint", "4")
	return resp, nil
}

// checkParameters rejects action parameters the operation does not declare.
func checkParameters(p payload, operation string, params ...string) *apiError {
	allowed := map[string]bool{}
	for _, k := range params {
		allowed[k] = true
	}
	for _, k := range sortedKeys(p) {
		if !allowed[k] && !strings.HasPrefix(k, "@") {
			return payloadError(operation, "The parameter '"+k+"' in the request payload is not a valid parameter for the operation '"+operation+"'.")
		}
	}
	return nil
}

// handleUpdateOptionValue changes the label of an option of a Boolean or Picklist column
// (facts 3.5). Like a PUT it leaves the table to be published.
func (o *Org) handleUpdateOptionValue(q *apiRequest) (*response, *apiError) {
	if e := o.takeLock(); e != nil {
		return nil, e
	}
	const op = "UpdateOptionValue"
	p, e := readPayload(q, op)
	if e != nil {
		return nil, e
	}
	if e := checkParameters(p, op, "AttributeLogicalName", "EntityLogicalName", "OptionSetName", "Value", "Label",
		"Description", "MergeLabels", "ParentValues", "ExternalValue", "SolutionUniqueName"); e != nil {
		return nil, e
	}
	var (
		entityName, attrName, optionSetName, solutionName string
		value                                             *int
		mergeLabels                                       bool
	)
	for _, d := range []struct {
		k   string
		dst any
		edm string
	}{
		{"EntityLogicalName", &entityName, edmString}, {"AttributeLogicalName", &attrName, edmString},
		{"OptionSetName", &optionSetName, edmString}, {"SolutionUniqueName", &solutionName, edmString},
		{"Value", &value, edmInt}, {"MergeLabels", &mergeLabels, edmBoolean},
	} {
		if _, e := p.decode(d.k, d.dst, d.edm, op); e != nil {
			return nil, e
		}
	}
	if optionSetName != "" {
		return nil, invalidArgument("Global option sets are not supported by this sandbox; address the column with EntityLogicalName and AttributeLogicalName.")
	}
	if entityName == "" || attrName == "" {
		return nil, invalidArgument("Either OptionSetName or both EntityLogicalName and AttributeLogicalName must be specified.")
	}
	t := o.table(entityName)
	if t == nil {
		return nil, entityNotFound(entityName)
	}
	// The column is resolved through the metadata cache, like a PUT (cache.go).
	seen := o.view(q, t).attribute(attrName)
	if seen == nil {
		return nil, attributeNotFound(t.LogicalName, attrName)
	}
	a := liveAttribute(t, seen)
	if a == nil {
		return nil, attributeNotFound(t.LogicalName, attrName)
	}
	switch a.AttributeType {
	case "Boolean", "Picklist":
	case "State", "Status":
		return nil, invalidArgument("Attribute %s is of type %s: use UpdateStateValue to change its options.", a.LogicalName, a.AttributeType)
	default:
		return nil, invalidArgument("Attribute %s of entity %s is of type %s and has no option set.", a.LogicalName, t.LogicalName, a.AttributeType)
	}
	if value == nil {
		return nil, invalidArgument("The Value parameter is required.")
	}
	opt := a.OptionSet.find(*value)
	if opt == nil {
		if a.AttributeType == "Boolean" {
			return nil, invalidArgument("%d is not a valid option value for the Boolean attribute %s; a Boolean option set has only the values 0 (FalseOption) and 1 (TrueOption).", *value, a.LogicalName)
		}
		return nil, invalidArgument("The option value %d does not exist in the option set of attribute %s.", *value, a.LogicalName)
	}
	labels, ok, e := p.decodeLabel("Label", op)
	if e != nil {
		return nil, e
	}
	if !ok || len(labels) == 0 {
		return nil, invalidArgument("The Label parameter is required and must have at least one LocalizedLabel.")
	}
	description, hasDescription, e := p.decodeLabel("Description", op)
	if e != nil {
		return nil, e
	}
	if solutionName == "" {
		solutionName = q.header("MSCRM.SolutionUniqueName")
	}
	sol, e := o.solutionForWrite(solutionName)
	if e != nil {
		return nil, e
	}

	o.noteMetadataWrite(t)
	opt.Label = opt.Label.merge(labels, mergeLabels)
	if hasDescription {
		opt.Description = opt.Description.merge(description, mergeLabels)
	}
	a.ModifiedOn = o.now()
	t.Unpublished = true
	if sol != nil {
		o.addComponent(sol, a.MetadataID, componentAttribute)
	}
	o.st.Stats.MetadataWrites++
	return noContent(), nil
}

// publishRequest is the "Publish request schema" subset the emulator reads: importexportxml with
// optional entities/entity. Other sections (optionsets, webresources, ...) are accepted and ignored.
type publishRequest struct {
	XMLName  xml.Name `xml:"importexportxml"`
	Entities []string `xml:"entities>entity"`
}

func (o *Org) handlePublishXML(q *apiRequest) (*response, *apiError) {
	if e := o.takePublishLock(); e != nil {
		return nil, e
	}
	const op = "PublishXml"
	p, e := readPayload(q, op)
	if e != nil {
		return nil, e
	}
	if e := checkParameters(p, op, "ParameterXml"); e != nil {
		return nil, e
	}
	var parameterXML string
	if _, e := p.decode("ParameterXml", &parameterXML, edmString, op); e != nil {
		return nil, e
	}
	if strings.TrimSpace(parameterXML) == "" {
		return nil, invalidArgument("The ParameterXml parameter is required.")
	}
	var req publishRequest
	if err := xml.Unmarshal([]byte(parameterXML), &req); err != nil {
		return nil, invalidArgument("The ParameterXml is not valid against the publish request schema: %v", err)
	}
	var tables []*table
	for _, name := range req.Entities {
		name = strings.TrimSpace(name)
		t := o.table(name)
		if t == nil {
			return nil, entityNotFound(name)
		}
		tables = append(tables, t)
	}
	for _, t := range tables {
		t.Unpublished = false
	}
	o.st.Stats.Publishes++
	return noContent(), nil
}

func (o *Org) handlePublishAllXML(q *apiRequest) (*response, *apiError) {
	if e := o.takePublishLock(); e != nil {
		return nil, e
	}
	p, e := readPayload(q, "PublishAllXml")
	if e != nil {
		return nil, e
	}
	if e := checkParameters(p, "PublishAllXml"); e != nil {
		return nil, e
	}
	for _, t := range o.st.Tables {
		t.Unpublished = false
	}
	o.st.Stats.Publishes++
	return noContent(), nil
}

func (o *Org) handleAddSolutionComponent(q *apiRequest) (*response, *apiError) {
	if e := o.takeLock(); e != nil {
		return nil, e
	}
	const op = "AddSolutionComponent"
	p, e := readPayload(q, op)
	if e != nil {
		return nil, e
	}
	if e := checkParameters(p, op, "ComponentId", "ComponentType", "SolutionUniqueName", "AddRequiredComponents",
		"DoNotIncludeSubcomponents", "IncludedComponentSettingsValues"); e != nil {
		return nil, e
	}
	var (
		componentID, solutionName string
		componentType             *int
		addRequired               *bool
	)
	for _, d := range []struct {
		k   string
		dst any
		edm string
	}{
		{"ComponentId", &componentID, edmGUID}, {"ComponentType", &componentType, edmInt},
		{"SolutionUniqueName", &solutionName, edmString}, {"AddRequiredComponents", &addRequired, edmBoolean},
	} {
		if _, e := p.decode(d.k, d.dst, d.edm, op); e != nil {
			return nil, e
		}
	}
	switch {
	case componentID == "" || componentType == nil || solutionName == "" || addRequired == nil:
		return nil, invalidArgument("The parameters ComponentId, ComponentType, SolutionUniqueName and AddRequiredComponents are required.")
	case !isGUID(componentID):
		return nil, payloadError(op, "Cannot convert the literal '"+componentID+"' to the expected type 'Edm.Guid'.")
	}
	sol, e := o.solutionForWrite(solutionName)
	if e != nil {
		return nil, e
	}
	switch *componentType {
	case componentAttribute:
		if o.findAttribute(componentID) == nil {
			return nil, newError(http.StatusNotFound, codeObjectDoesNotExist, "Attribute With Id = %s Does Not Exist", strings.ToLower(componentID))
		}
	case componentEntity:
		if o.tableByID(componentID) == nil {
			return nil, newError(http.StatusNotFound, codeObjectDoesNotExist, "Entity With Id = %s Does Not Exist", strings.ToLower(componentID))
		}
	default:
		return nil, invalidArgument("Solution component type %d is not supported by this sandbox; only 1 (Entity) and 2 (Attribute) are.", *componentType)
	}
	c := o.addComponent(sol, strings.ToLower(componentID), *componentType)
	o.st.Stats.MetadataWrites++
	return okJSON(obj{
		{"@odata.context", q.api + "/$metadata#Microsoft.Dynamics.CRM.AddSolutionComponentResponse"},
		{"id", c.ID},
	}), nil
}
