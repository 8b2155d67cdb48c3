package dataverse

import (
	"bytes"
	"encoding/json"
	"time"
)

// obj is a JSON object that keeps its property order, so responses read like the real ones and
// are deterministic.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(p.k)
		buf.Write(k)
		buf.WriteByte(':')
		v, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func (o obj) get(k string) (any, bool) {
	for _, p := range o {
		if p.k == k {
			return p.v, true
		}
	}
	return nil, false
}

// getString returns the string value of property k; ok is false when k is absent or not a string
// (a nil lookup, for example).
func (o obj) getString(k string) (s string, ok bool) {
	v, _ := o.get(k)
	s, ok = v.(string)
	return s, ok
}

func (o obj) has(k string) bool { _, ok := o.get(k); return ok }

// keys returns the property names, for $select validation.
func (o obj) keys() map[string]bool {
	m := make(map[string]bool, len(o))
	for _, p := range o {
		m[p.k] = true
	}
	return m
}

// pick keeps the properties in keep (plus annotations, which start with "@"), in o's order.
func (o obj) pick(keep map[string]bool) obj {
	out := obj{}
	for _, p := range o {
		if keep[p.k] || (len(p.k) > 0 && p.k[0] == '@') {
			out = append(out, p)
		}
	}
	return out
}

// prepend returns o with p in front.
func (o obj) prepend(p ...kv) obj { return append(append(obj{}, p...), o...) }

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func renderLocalized(l localizedLabel) obj {
	return obj{
		{"Label", l.Label}, {"LanguageCode", l.LanguageCode}, {"IsManaged", l.IsManaged},
		{"MetadataId", l.MetadataID}, {"HasChanged", nil},
	}
}

func renderLabel(l label) obj {
	list := make([]obj, 0, len(l.LocalizedLabels))
	for _, ll := range l.LocalizedLabels {
		list = append(list, renderLocalized(ll))
	}
	var user any
	if u := l.user(); u != nil {
		user = renderLocalized(*u)
	}
	return obj{{"LocalizedLabels", list}, {"UserLocalizedLabel", user}}
}

func managedProperty(value, canBeChanged bool, logicalName string) obj {
	return obj{{"Value", value}, {"CanBeChanged", canBeChanged}, {"ManagedPropertyLogicalName", logicalName}}
}

func renderOption(op *option, typ string) obj {
	out := obj{
		{"Value", op.Value}, {"Color", nil}, {"IsManaged", op.IsManaged}, {"ExternalValue", ""},
		{"ParentValues", []int{}}, {"Tag", nil}, {"IsHidden", false}, {"MetadataId", nil}, {"HasChanged", nil},
	}
	switch typ {
	case "State":
		out = append(out, kv{"DefaultStatus", op.DefaultStatus}, kv{"InvariantName", ""})
	case "Status":
		out = append(out, kv{"State", op.State}, kv{"TransitionData", nil})
	}
	return append(out, kv{"Label", renderLabel(op.Label)}, kv{"Description", renderLabel(op.Description)})
}

func renderOptionSet(os *optionSet) obj {
	out := obj{
		{"MetadataId", os.MetadataID}, {"HasChanged", nil}, {"IsCustomOptionSet", os.IsCustomOptionSet},
		{"IsGlobal", false}, {"IsManaged", os.IsManaged}, {"Name", os.Name}, {"ExternalTypeName", nil},
		{"OptionSetType", os.OptionSetType}, {"IntroducedVersion", "1.0.0.0"}, {"ParentOptionSetName", nil},
		{"Description", renderLabel(emptyLabel())}, {"DisplayName", renderLabel(emptyLabel())},
		{"IsCustomizable", managedProperty(!os.IsManaged, !os.IsManaged, "iscustomizable")},
	}
	if os.OptionSetType == "Boolean" {
		return append(out, kv{"TrueOption", renderOption(os.TrueOption, "Boolean")}, kv{"FalseOption", renderOption(os.FalseOption, "Boolean")})
	}
	options := make([]obj, 0, len(os.Options))
	for i := range os.Options {
		options = append(options, renderOption(&os.Options[i], os.OptionSetType))
	}
	return append(out, kv{"Options", options})
}

// renderAttributeBase renders the AttributeMetadata properties every column has, in the order
// Dataverse prints them.
func renderAttributeBase(t *table, a *attribute) obj {
	custom := a.IsCustomAttribute
	return obj{
		{"AttributeOf", nil},
		{"AttributeType", a.AttributeType},
		{"ColumnNumber", a.ColumnNumber},
		{"DeprecatedVersion", nil},
		{"IntroducedVersion", a.IntroducedVersion},
		{"EntityLogicalName", t.LogicalName},
		{"IsCustomAttribute", a.IsCustomAttribute},
		{"IsPrimaryId", a.IsPrimaryID},
		{"IsValidODataAttribute", true},
		{"IsPrimaryName", a.IsPrimaryName},
		{"IsValidForCreate", a.IsValidForCreate},
		{"IsValidForRead", a.IsValidForRead},
		{"IsValidForUpdate", a.IsValidForUpdate},
		{"CanBeSecuredForRead", custom},
		{"CanBeSecuredForCreate", custom},
		{"CanBeSecuredForUpdate", custom},
		{"IsSecured", false},
		{"IsRetrievable", true},
		{"IsFilterable", true},
		{"IsSearchable", true},
		{"IsManaged", a.IsManaged},
		{"LinkedAttributeId", nil},
		{"LogicalName", a.LogicalName},
		{"IsValidForForm", true},
		{"IsRequiredForForm", a.RequiredLevel == "SystemRequired"},
		{"IsValidForGrid", true},
		{"SchemaName", a.SchemaName},
		{"ExternalName", nil},
		{"IsLogical", false},
		{"IsDataSourceSecret", false},
		{"InheritsFrom", nil},
		{"CreatedOn", timestamp(a.CreatedOn)},
		{"ModifiedOn", timestamp(a.ModifiedOn)},
		{"SourceType", 0},
		{"AutoNumberFormat", ""},
		{"MetadataId", a.MetadataID},
		{"HasChanged", nil},
		{"AttributeTypeName", obj{{"Value", a.typeName()}}},
		{"Description", renderLabel(a.Description)},
		{"DisplayName", renderLabel(a.DisplayName)},
		{"IsAuditEnabled", managedProperty(true, true, "canmodifyauditsettings")},
		{"IsGlobalFilterEnabled", managedProperty(false, true, "canmodifyglobalfiltersettings")},
		{"IsSortableEnabled", managedProperty(false, true, "canmodifyissortablesettings")},
		{"IsCustomizable", managedProperty(true, !a.IsManaged, "iscustomizable")},
		{"IsRenameable", managedProperty(true, !a.IsManaged, "isrenameable")},
		{"IsValidForAdvancedFind", managedProperty(true, true, "canmodifysearchsettings")},
		{"RequiredLevel", obj{{"Value", a.RequiredLevel}, {"CanBeChanged", a.RequiredLevelCanBeChanged},
			{"ManagedPropertyLogicalName", "canmodifyrequirementlevelsettings"}}},
		{"CanModifyAdditionalSettings", managedProperty(true, true, "canmodifyadditionalsettings")},
		{"Settings", []any{}},
	}
}

// renderTyped renders the properties of the metadata class cls that are not in AttributeMetadata.
// Dataverse prints them before the inherited ones. The option set is a navigation property and
// only appears when expanded.
func renderTyped(a *attribute, cls string, expandOptionSet bool) obj {
	var out obj
	switch cls {
	case "BooleanAttributeMetadata":
		out = obj{{"DefaultValue", a.DefaultValue}, {"FormulaDefinition", nil}, {"SourceTypeMask", 0}}
	case "PicklistAttributeMetadata":
		out = obj{{"FormulaDefinition", nil}, {"SourceTypeMask", 0}, {"ParentPicklistLogicalName", nil},
			{"ChildPicklistLogicalNames", []string{}}, {"DefaultFormValue", -1}}
	case "StateAttributeMetadata", "StatusAttributeMetadata":
		out = obj{{"DefaultFormValue", nil}}
	case "StringAttributeMetadata":
		out = obj{{"MaxLength", a.MaxLength}, {"Format", a.Format}, {"FormatName", obj{{"Value", a.Format}}},
			{"ImeMode", "Auto"}, {"YomiOf", nil}, {"IsLocalizable", false}, {"DatabaseLength", a.MaxLength * 2},
			{"FormulaDefinition", nil}, {"SourceTypeMask", 0}}
	case "MemoAttributeMetadata":
		out = obj{{"Format", a.Format}, {"FormatName", obj{{"Value", a.Format}}}, {"ImeMode", "Auto"},
			{"MaxLength", a.MaxLength}, {"IsLocalizable", false}}
	case "IntegerAttributeMetadata":
		out = obj{{"Format", "None"}, {"MaxValue", int64(a.MaxValue)}, {"MinValue", int64(a.MinValue)},
			{"FormulaDefinition", nil}, {"SourceTypeMask", 0}}
	case "MoneyAttributeMetadata":
		out = obj{{"ImeMode", "Auto"}, {"MaxValue", a.MaxValue}, {"MinValue", a.MinValue}, {"Precision", a.Precision},
			{"PrecisionSource", 2}, {"CalculationOf", nil}, {"FormulaDefinition", nil}, {"SourceTypeMask", 0}, {"IsBaseCurrency", false}}
	case "DateTimeAttributeMetadata":
		out = obj{{"MinSupportedValue", "1753-01-01T00:00:00Z"}, {"MaxSupportedValue", "9999-12-30T23:59:59Z"},
			{"Format", a.Format}, {"ImeMode", "Inactive"}, {"SourceTypeMask", 0}, {"FormulaDefinition", nil},
			{"DateTimeBehavior", obj{{"Value", "UserLocal"}}}, {"CanChangeDateTimeBehavior", managedProperty(false, false, "canchangedatetimebehavior")}}
	case "LookupAttributeMetadata":
		targets := a.Targets
		if targets == nil {
			targets = []string{}
		}
		out = obj{{"Targets", targets}, {"Format", nil}}
	}
	if expandOptionSet && a.OptionSet != nil {
		out = append(out, kv{"OptionSet", renderOptionSet(a.OptionSet)})
		if cls == "PicklistAttributeMetadata" {
			out = append(out, kv{"GlobalOptionSet", nil})
		}
	}
	return out
}

// renderAttribute renders a column as the class cls ("" = base AttributeMetadata).
func renderAttribute(t *table, a *attribute, cls string, expandOptionSet bool) obj {
	base := renderAttributeBase(t, a)
	if cls == "" {
		return base
	}
	return append(renderTyped(a, cls, expandOptionSet), base...)
}

// hasOptionSet reports whether the class has an OptionSet navigation property.
func hasOptionSet(cls string) bool {
	switch cls {
	case "BooleanAttributeMetadata", "PicklistAttributeMetadata", "StateAttributeMetadata", "StatusAttributeMetadata":
		return true
	}
	return false
}

func renderEntity(t *table) obj {
	return obj{
		{"ActivityTypeMask", map[bool]int{true: 1, false: 0}[t.IsActivity]},
		{"AutoRouteToOwnerQueue", false},
		{"CanTriggerWorkflow", true},
		{"EntityHelpUrlEnabled", false},
		{"EntityHelpUrl", nil},
		{"IsDocumentManagementEnabled", false},
		{"IsOneNoteIntegrationEnabled", false},
		{"IsInteractionCentricEnabled", false},
		{"IsKnowledgeManagementEnabled", false},
		{"IsSLAEnabled", false},
		{"IsBPFEntity", false},
		{"IsDocumentRecommendationsEnabled", false},
		{"IsMSTeamsIntegrationEnabled", false},
		{"SettingOf", nil},
		{"DataProviderId", nil},
		{"DataSourceId", nil},
		{"AutoCreateAccessTeams", false},
		{"IsActivity", t.IsActivity},
		{"IsActivityParty", false},
		{"IsRetrieveAuditEnabled", false},
		{"IsRetrieveMultipleAuditEnabled", false},
		{"IsArchivalEnabled", false},
		{"IsAvailableOffline", true},
		{"IsChildEntity", false},
		{"IsAIRUpdated", false},
		{"IconLargeName", nil},
		{"IconMediumName", nil},
		{"IconSmallName", nil},
		{"IconVectorName", nil},
		{"IsCustomEntity", false},
		{"IsBusinessProcessEnabled", true},
		{"SyncToExternalSearchIndex", true},
		{"IsOptimisticConcurrencyEnabled", true},
		{"ChangeTrackingEnabled", true},
		{"IsImportable", true},
		{"IsIntersect", false},
		{"IsManaged", true},
		{"IsEnabledForCharts", true},
		{"IsEnabledForTrace", false},
		{"IsValidForAdvancedFind", true},
		{"DaysSinceRecordLastModified", 0},
		{"MobileOfflineFilters", ""},
		{"IsReadingPaneEnabled", true},
		{"IsQuickCreateEnabled", true},
		{"LogicalName", t.LogicalName},
		{"ObjectTypeCode", t.ObjectTypeCode},
		{"OwnershipType", t.OwnershipType},
		{"PrimaryNameAttribute", t.PrimaryNameAttribute},
		{"PrimaryImageAttribute", nil},
		{"PrimaryIdAttribute", t.PrimaryIDAttribute},
		{"Privileges", []any{}},
		{"RecurrenceBaseEntityLogicalName", nil},
		{"ReportViewName", "Filtered" + t.SchemaName},
		{"SchemaName", t.SchemaName},
		{"IntroducedVersion", "5.0.0.0"},
		{"IsStateModelAware", true},
		{"EnforceStateTransitions", false},
		{"ExternalName", nil},
		{"EntityColor", nil},
		{"LogicalCollectionName", t.EntitySetName},
		{"ExternalCollectionName", nil},
		{"CollectionSchemaName", t.CollectionSchemaName},
		{"EntitySetName", t.EntitySetName},
		{"IsEnabledForExternalChannels", false},
		{"IsPrivate", false},
		{"UsesBusinessDataLabelTable", false},
		{"IsLogicalEntity", false},
		{"HasNotes", true},
		{"HasActivities", !t.IsActivity},
		{"HasFeedback", false},
		{"IsSolutionAware", false},
		{"CreatedOn", timestamp(seedTime)},
		{"ModifiedOn", timestamp(seedTime)},
		{"HasEmailAddresses", t.attribute("emailaddress1") != nil},
		{"OwnerId", nil},
		{"OwnerIdType", 8},
		{"OwningBusinessUnit", nil},
		{"TableType", "Standard"},
		{"MetadataId", t.MetadataID},
		{"HasChanged", nil},
		{"Description", renderLabel(t.Description)},
		{"DisplayCollectionName", renderLabel(t.DisplayCollectionName)},
		{"DisplayName", renderLabel(t.DisplayName)},
		{"IsAuditEnabled", managedProperty(true, true, "canmodifyauditsettings")},
		{"IsCustomizable", managedProperty(true, true, "iscustomizable")},
		{"IsRenameable", managedProperty(true, true, "isrenameable")},
		{"IsMappable", managedProperty(true, false, "ismappable")},
		{"CanCreateAttributes", managedProperty(true, false, "cancreateattributes")},
		{"CanCreateForms", managedProperty(true, true, "cancreateforms")},
		{"CanCreateViews", managedProperty(true, true, "cancreateviews")},
	}
}

// entityNavigation are the navigation properties of EntityMetadata that $expand accepts. Only
// Attributes has content; relationships and keys are not emulated and expand to empty lists.
var entityNavigation = map[string]bool{
	"Attributes": true, "Keys": true, "ManyToManyRelationships": true, "ManyToOneRelationships": true,
	"OneToManyRelationships": true,
}

// Property sets, for $select validation. They are computed from the renderers so that they can
// never disagree with what is rendered.
var (
	entityProps    = renderEntity(&table{}).keys()
	baseAttrProps  = renderAttributeBase(&table{}, &attribute{}).keys()
	classAttrProps = map[string]map[string]bool{}
)

func init() {
	for cls := range knownClasses {
		keys := renderTyped(&attribute{}, cls, false).keys()
		for k := range baseAttrProps {
			keys[k] = true
		}
		classAttrProps[cls] = keys
	}
}

// selectableAttrProps returns the properties $select may name for class cls ("" = base).
func selectableAttrProps(cls string) map[string]bool {
	if cls == "" {
		return baseAttrProps
	}
	return classAttrProps[cls]
}
