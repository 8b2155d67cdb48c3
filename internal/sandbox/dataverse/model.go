package dataverse

import (
	"crypto/rand"
	"crypto/sha1"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// stateVersion is bumped when the snapshot format changes incompatibly.
const stateVersion = 1

// state is everything Snapshot/Restore carry. Fields are exported only for encoding/json.
type state struct {
	Version    int          `json:"version"`
	Tables     []*table     `json:"tables"`
	Publishers []*publisher `json:"publishers"`
	Solutions  []*solution  `json:"solutions"`
	// Tokens maps access tokens minted by the token endpoint to what they grant.
	Tokens map[string]*token `json:"tokens"`
	Faults Faults            `json:"faults"`
	// Hidden holds the MetadataIds of columns created while Faults.NotFoundAfterCreate was
	// positive: single GETs of them answer 404 while that counter lasts.
	Hidden map[string]bool `json:"hidden,omitempty"`
	Stats  OrgStats        `json:"stats"`
	// Rows are the data records of the tables that serve them (datarows.go), by table logical
	// name; RowVersion is the org-wide row version the last record write took.
	Rows       map[string][]*dataRow `json:"rows,omitempty"`
	RowVersion int64                 `json:"row_version,omitempty"`

	OrganizationID string `json:"organization_id"`
	BusinessUnitID string `json:"business_unit_id"`
	UserID         string `json:"user_id"`
}

// table is an EntityMetadata.
type table struct {
	MetadataID            string       `json:"metadata_id"`
	LogicalName           string       `json:"logical_name"`
	SchemaName            string       `json:"schema_name"`
	EntitySetName         string       `json:"entity_set_name"`
	CollectionSchemaName  string       `json:"collection_schema_name"`
	DisplayName           label        `json:"display_name"`
	DisplayCollectionName label        `json:"display_collection_name"`
	Description           label        `json:"description"`
	PrimaryIDAttribute    string       `json:"primary_id_attribute"`
	PrimaryNameAttribute  string       `json:"primary_name_attribute"`
	ObjectTypeCode        int          `json:"object_type_code"`
	IsActivity            bool         `json:"is_activity"`
	OwnershipType         string       `json:"ownership_type"`
	Attributes            []*attribute `json:"attributes"`
	// Unpublished is set by updates (PUT, UpdateOptionValue) and cleared by publishing; creates
	// and deletes publish automatically (facts 3.3).
	Unpublished bool `json:"unpublished,omitempty"`
	// Cache is the metadata cache's view of the columns while it lags a write (cache.go).
	Cache *tableCache `json:"cache,omitempty"`
}

func (t *table) attribute(logicalName string) *attribute {
	for _, a := range t.Attributes {
		if strings.EqualFold(a.LogicalName, logicalName) {
			return a
		}
	}
	return nil
}

func (t *table) attributeByID(id string) *attribute {
	for _, a := range t.Attributes {
		if strings.EqualFold(a.MetadataID, id) {
			return a
		}
	}
	return nil
}

// attribute is an AttributeMetadata, with the type-specific properties of every type the seed
// uses flattened into it.
type attribute struct {
	MetadataID                string    `json:"metadata_id"`
	LogicalName               string    `json:"logical_name"`
	SchemaName                string    `json:"schema_name"`
	AttributeType             string    `json:"attribute_type"` // AttributeTypeCode member
	DisplayName               label     `json:"display_name"`
	Description               label     `json:"description"`
	RequiredLevel             string    `json:"required_level"`
	RequiredLevelCanBeChanged bool      `json:"required_level_can_be_changed"`
	IsCustomAttribute         bool      `json:"is_custom_attribute"`
	IsManaged                 bool      `json:"is_managed"`
	IsValidForCreate          bool      `json:"is_valid_for_create"`
	IsValidForRead            bool      `json:"is_valid_for_read"`
	IsValidForUpdate          bool      `json:"is_valid_for_update"`
	IsPrimaryID               bool      `json:"is_primary_id,omitempty"`
	IsPrimaryName             bool      `json:"is_primary_name,omitempty"`
	IntroducedVersion         string    `json:"introduced_version"`
	ColumnNumber              int       `json:"column_number"`
	CreatedOn                 time.Time `json:"created_on"`
	ModifiedOn                time.Time `json:"modified_on"`

	// Boolean.
	DefaultValue bool `json:"default_value,omitempty"`
	// Boolean, Picklist, State, Status.
	OptionSet *optionSet `json:"option_set,omitempty"`
	// String, Memo.
	MaxLength int    `json:"max_length,omitempty"`
	Format    string `json:"format,omitempty"`
	// Lookup, Customer, Owner.
	Targets []string `json:"targets,omitempty"`
	// Integer, Money.
	MinValue  float64 `json:"min_value,omitempty"`
	MaxValue  float64 `json:"max_value,omitempty"`
	Precision int     `json:"precision,omitempty"`

	// Dependencies is the number of components that block a delete (AddDependencies).
	Dependencies int `json:"dependencies,omitempty"`
}

// label is a Label: only LocalizedLabels are stored; UserLocalizedLabel is derived (the caller's
// language is always 1033 here).
type label struct {
	LocalizedLabels []localizedLabel `json:"localized_labels"`
}

type localizedLabel struct {
	Label        string `json:"label"`
	LanguageCode int    `json:"language_code"`
	IsManaged    bool   `json:"is_managed,omitempty"`
	MetadataID   string `json:"metadata_id"`
}

// userLanguage is the language of the emulated caller, used for UserLocalizedLabel.
const userLanguage = 1033

// emptyLabel is a label with no localized labels (rendered as an empty LocalizedLabels array).
func emptyLabel() label {
	return label{LocalizedLabels: []localizedLabel{}}
}

// user returns the label shown to the caller: the one in the user's language, else the first.
func (l label) user() *localizedLabel {
	for i := range l.LocalizedLabels {
		if l.LocalizedLabels[i].LanguageCode == userLanguage {
			return &l.LocalizedLabels[i]
		}
	}
	if len(l.LocalizedLabels) > 0 {
		return &l.LocalizedLabels[0]
	}
	return nil
}

func (l label) text() string {
	if u := l.user(); u != nil {
		return u.Label
	}
	return ""
}

// merge applies update to l as MSCRM.MergeLabels does: with merge, a label only replaces the one
// with the same language code and the others stay; without it the result is exactly update
// (facts 2.2). Labels keep their MetadataId when their language survives.
func (l label) merge(update []localizedLabel, mergeLabels bool) label {
	ids := map[int]string{}
	for _, ll := range l.LocalizedLabels {
		ids[ll.LanguageCode] = ll.MetadataID
	}
	var out []localizedLabel
	if mergeLabels {
		out = append(out, l.LocalizedLabels...)
	}
	for _, u := range update {
		if u.MetadataID == "" {
			u.MetadataID = ids[u.LanguageCode]
		}
		if u.MetadataID == "" {
			u.MetadataID = newGUID()
		}
		replaced := false
		for i := range out {
			if out[i].LanguageCode == u.LanguageCode {
				out[i], replaced = u, true
				break
			}
		}
		if !replaced {
			out = append(out, u)
		}
	}
	if out == nil {
		out = []localizedLabel{}
	}
	return label{LocalizedLabels: out}
}

// optionSet is an OptionSetMetadata (Picklist, State, Status) or a BooleanOptionSetMetadata.
type optionSet struct {
	MetadataID        string   `json:"metadata_id"`
	Name              string   `json:"name"`
	OptionSetType     string   `json:"option_set_type"` // Boolean, Picklist, State, Status
	IsCustomOptionSet bool     `json:"is_custom_option_set"`
	IsManaged         bool     `json:"is_managed"`
	TrueOption        *option  `json:"true_option,omitempty"`
	FalseOption       *option  `json:"false_option,omitempty"`
	Options           []option `json:"options,omitempty"`
}

// find returns the option with the given value.
func (s *optionSet) find(value int) *option {
	if s.OptionSetType == "Boolean" {
		switch value {
		case 1:
			return s.TrueOption
		case 0:
			return s.FalseOption
		}
		return nil
	}
	for i := range s.Options {
		if s.Options[i].Value == value {
			return &s.Options[i]
		}
	}
	return nil
}

type option struct {
	Value       int   `json:"value"`
	Label       label `json:"label"`
	Description label `json:"description"`
	IsManaged   bool  `json:"is_managed,omitempty"`
	// State is the statecode a Status option belongs to; DefaultStatus is the default status
	// of a State option.
	State         *int `json:"state,omitempty"`
	DefaultStatus *int `json:"default_status,omitempty"`
}

type publisher struct {
	ID                string `json:"id"`
	UniqueName        string `json:"unique_name"`
	FriendlyName      string `json:"friendly_name"`
	Prefix            string `json:"prefix"`
	OptionValuePrefix int    `json:"option_value_prefix"`
}

type solution struct {
	ID           string       `json:"id"`
	UniqueName   string       `json:"unique_name"`
	FriendlyName string       `json:"friendly_name"`
	Version      string       `json:"version"`
	IsManaged    bool         `json:"is_managed"`
	IsVisible    bool         `json:"is_visible"`
	PublisherID  string       `json:"publisher_id"`
	InstalledOn  time.Time    `json:"installed_on"`
	Components   []*component `json:"components"`
}

// component is a solutioncomponent row.
type component struct {
	ID            string    `json:"id"`
	ObjectID      string    `json:"object_id"`
	ComponentType int       `json:"component_type"`
	CreatedOn     time.Time `json:"created_on"`
}

// Solution component types (the componenttype choice of solutioncomponent).
const (
	componentEntity    = 1
	componentAttribute = 2
)

// token is what an access token minted by the token endpoint grants.
type token struct {
	Audience  string    `json:"audience"`
	ClientID  string    `json:"client_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// attributeClasses maps an AttributeTypeCode to the metadata class that represents it, which is
// what @odata.type and URL casts name. Customer and Owner columns are LookupAttributeMetadata.
var attributeClasses = map[string]string{
	"Boolean":          "BooleanAttributeMetadata",
	"String":           "StringAttributeMetadata",
	"Memo":             "MemoAttributeMetadata",
	"Integer":          "IntegerAttributeMetadata",
	"BigInt":           "BigIntAttributeMetadata",
	"Decimal":          "DecimalAttributeMetadata",
	"Double":           "DoubleAttributeMetadata",
	"Money":            "MoneyAttributeMetadata",
	"DateTime":         "DateTimeAttributeMetadata",
	"Picklist":         "PicklistAttributeMetadata",
	"State":            "StateAttributeMetadata",
	"Status":           "StatusAttributeMetadata",
	"Lookup":           "LookupAttributeMetadata",
	"Customer":         "LookupAttributeMetadata",
	"Owner":            "LookupAttributeMetadata",
	"Uniqueidentifier": "UniqueIdentifierAttributeMetadata",
}

// knownClasses are the concrete AttributeMetadata classes a URL may cast to.
var knownClasses = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range attributeClasses {
		m[c] = true
	}
	return m
}()

// attributeTypeCodes are the members of Microsoft.Dynamics.CRM.AttributeTypeCode.
var attributeTypeCodes = []string{
	"Boolean", "Customer", "DateTime", "Decimal", "Double", "Integer", "Lookup", "Memo", "Money",
	"Owner", "PartyList", "Picklist", "State", "Status", "String", "Uniqueidentifier",
	"CalendarRules", "Virtual", "BigInt", "ManagedProperty", "EntityName",
}

// requiredLevels are the members of Microsoft.Dynamics.CRM.AttributeRequiredLevel.
var requiredLevels = []string{"None", "SystemRequired", "ApplicationRequired", "Recommended"}

func (a *attribute) class() string { return attributeClasses[a.AttributeType] }

// typeName is the AttributeTypeName value ("BooleanType", "UniqueidentifierType", ...).
func (a *attribute) typeName() string { return a.AttributeType + "Type" }

// catalogType maps the attribute type to the sandbox catalog's column type (Column.Type).
func catalogType(attributeType string) string {
	switch attributeType {
	case "Boolean":
		return "boolean"
	case "Integer", "BigInt":
		return "integer"
	case "Decimal", "Double", "Money":
		return "decimal"
	case "DateTime":
		return "datetime"
	case "Picklist", "State", "Status":
		return "picklist"
	case "Lookup", "Customer", "Owner":
		return "lookup"
	default: // String, Memo, Uniqueidentifier and anything exotic
		return "string"
	}
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return guidRE.MatchString(s) }

// newGUID returns a random (version 4) GUID, lower-case as Dataverse prints them.
func newGUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatGUID(b)
}

// nameGUID returns a GUID derived from names (version 5 style), so that seeded ids are the same
// in every run and survive Reset: a client may cache them across sandbox restarts.
func nameGUID(parts ...string) string {
	sum := sha1.Sum([]byte("dataverse-sandbox/" + strings.Join(parts, "/")))
	var b [16]byte
	copy(b[:], sum[:16])
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatGUID(b)
}

func formatGUID(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
