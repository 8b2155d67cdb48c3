package dynamics

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// ComponentTypeAttribute is the solution component type of a column (attribute).
const ComponentTypeAttribute = 2

// odataTypeBoolean is the derived type of a Boolean column; a create or PUT without it is read as a
// generic AttributeMetadata and its Boolean-only properties are refused.
const odataTypeBoolean = "Microsoft.Dynamics.CRM.BooleanAttributeMetadata"

// Required levels a column may have.
const (
	RequiredLevelNone                = "None"
	RequiredLevelSystemRequired      = "SystemRequired"
	RequiredLevelApplicationRequired = "ApplicationRequired"
	RequiredLevelRecommended         = "Recommended"
)

// Label is one localized label. LanguageCode 0 means 1033.
type Label struct {
	Text         string
	LanguageCode int
}

// Entity is the part of a table definition the provider needs.
type Entity struct {
	MetadataID     string
	LogicalName    string
	SchemaName     string
	DisplayName    string // in the client's language, "" when absent
	EntitySetName  string
	IsCustomizable bool
}

// Attribute is the part of a column definition common to every column type.
type Attribute struct {
	MetadataID        string
	EntityLogicalName string
	LogicalName       string
	SchemaName        string
	AttributeType     string // "Boolean", "String", "Picklist", ...
	DisplayName       string // in the client's language, "" when absent
	Description       string // in the client's language, "" when absent
	IsCustom          bool
	IsManaged         bool
	IsValidForCreate  bool
	IsValidForUpdate  bool
	IsValidForRead    bool
	RequiredLevel     string
}

// BooleanAttribute is a two-option column with its option labels. The plain-string labels are in
// the client's language (1033 unless Config.LanguageCode says otherwise), "" when absent; the
// slices hold every language.
type BooleanAttribute struct {
	Attribute
	DefaultValue      bool
	TrueLabel         string
	FalseLabel        string
	DisplayNameLabels []Label
	DescriptionLabels []Label
	TrueLabels        []Label
	FalseLabels       []Label
	// LabelLanguageCode is the language the column is labelled in as Dataverse shows it: that of
	// the display name's UserLocalizedLabel (the caller's language, else the org's base one),
	// else that of its only LocalizedLabel; 0 when neither says.
	LabelLanguageCode int
}

// BooleanAttributeDefinition is what CreateBooleanAttribute needs. SchemaName must carry the
// solution publisher's prefix ("new_SalesOptOut"); the logical name becomes its lower case.
// Empty TrueLabel/FalseLabel mean "Yes"/"No"; empty RequiredLevel means None; LanguageCode 0 means
// the client's language.
type BooleanAttributeDefinition struct {
	SchemaName    string
	DisplayName   string
	Description   string
	TrueLabel     string
	FalseLabel    string
	RequiredLevel string
	DefaultValue  bool
	LanguageCode  int
}

// BooleanAttributeUpdate is the part of a Boolean column UpdateBooleanAttribute changes. Option
// labels are changed with UpdateOptionLabel, because a PUT ignores them. LanguageCode 0 means the
// client's language.
type BooleanAttributeUpdate struct {
	DisplayName   string
	Description   string
	DefaultValue  bool
	RequiredLevel string
	LanguageCode  int
}

// Wire shapes. Only what is read is declared: an update re-sends the server's own JSON instead.

type wireLocalizedLabel struct {
	Label        string `json:"Label"`
	LanguageCode int    `json:"LanguageCode"`
}

type wireLabel struct {
	LocalizedLabels    []wireLocalizedLabel `json:"LocalizedLabels"`
	UserLocalizedLabel *wireLocalizedLabel  `json:"UserLocalizedLabel"`
}

type wireManagedBool struct {
	Value bool `json:"Value"`
}

type wireRequiredLevel struct {
	Value string `json:"Value"`
}

type wireAttribute struct {
	MetadataID        string             `json:"MetadataId"`
	EntityLogicalName string             `json:"EntityLogicalName"`
	LogicalName       string             `json:"LogicalName"`
	SchemaName        string             `json:"SchemaName"`
	AttributeType     string             `json:"AttributeType"`
	DisplayName       *wireLabel         `json:"DisplayName"`
	Description       *wireLabel         `json:"Description"`
	IsCustomAttribute bool               `json:"IsCustomAttribute"`
	IsManaged         bool               `json:"IsManaged"`
	IsValidForCreate  bool               `json:"IsValidForCreate"`
	IsValidForUpdate  bool               `json:"IsValidForUpdate"`
	IsValidForRead    bool               `json:"IsValidForRead"`
	RequiredLevel     *wireRequiredLevel `json:"RequiredLevel"`
	DefaultValue      *bool              `json:"DefaultValue"`
	OptionSet         *struct {
		TrueOption  *struct{ Label *wireLabel } `json:"TrueOption"`
		FalseOption *struct{ Label *wireLabel } `json:"FalseOption"`
	} `json:"OptionSet"`
}

type wireEntity struct {
	MetadataID     string           `json:"MetadataId"`
	LogicalName    string           `json:"LogicalName"`
	SchemaName     string           `json:"SchemaName"`
	DisplayName    *wireLabel       `json:"DisplayName"`
	EntitySetName  string           `json:"EntitySetName"`
	IsCustomizable *wireManagedBool `json:"IsCustomizable"`
}

// attributeSelect names the properties every column type has that Attribute needs; $select keeps
// a table's column list (hundreds of columns, no paging) small.
const attributeSelect = "MetadataId,EntityLogicalName,LogicalName,SchemaName,AttributeType,DisplayName,Description," +
	"IsCustomAttribute,IsManaged,IsValidForCreate,IsValidForUpdate,IsValidForRead,RequiredLevel"

// namePattern is what a logical name may contain. Names are put into URLs and OData keys, so they
// are checked rather than escaped.
var namePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// schemaNamePattern requires "<prefix>_<name>": Dataverse takes the prefix from the solution's
// publisher and refuses custom names without one.
var schemaNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{1,7}_[A-Za-z0-9_]+$`)

// logicalName lower-cases and checks a table or column logical name.
func logicalName(kind, name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if !namePattern.MatchString(n) {
		return "", fmt.Errorf("dynamics: invalid %s logical name %q: use letters, digits and underscores (e.g. contact, new_salesoptout)", kind, name)
	}
	return n, nil
}

func entityPath(entity string) string { return "EntityDefinitions(LogicalName='" + entity + "')" }

func attributePath(entity, attr string) string {
	return entityPath(entity) + "/Attributes(LogicalName='" + attr + "')"
}

// WhoAmI returns the id of the calling user (for an app, its application user). It is the cheapest
// call that proves the URL and the token work.
func (c *Client) WhoAmI(ctx context.Context) (string, error) {
	resp, err := c.do(ctx, call{method: http.MethodGet, path: "WhoAmI"})
	if err != nil {
		return "", err
	}
	var out struct {
		UserID string `json:"UserId"`
	}
	if err := decodeBody(resp.Body, "WhoAmI", &out); err != nil {
		return "", err
	}
	return out.UserID, nil
}

// GetEntity reads a table definition. An unknown table gives an error for which IsNotFound is true.
func (c *Client) GetEntity(ctx context.Context, logical string) (*Entity, error) {
	name, err := logicalName("table", logical)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, call{method: http.MethodGet, path: entityPath(name),
		query: "$select=MetadataId,LogicalName,SchemaName,DisplayName,EntitySetName,IsCustomizable"})
	if err != nil {
		return nil, err
	}
	var w wireEntity
	if err := decodeBody(resp.Body, "table "+name, &w); err != nil {
		return nil, err
	}
	e := &Entity{
		MetadataID:    w.MetadataID,
		LogicalName:   w.LogicalName,
		SchemaName:    w.SchemaName,
		DisplayName:   labelFor(w.DisplayName, c.lang),
		EntitySetName: w.EntitySetName,
	}
	if w.IsCustomizable != nil {
		e.IsCustomizable = w.IsCustomizable.Value
	}
	return e, nil
}

// GetAttribute reads the common definition of one column.
func (c *Client) GetAttribute(ctx context.Context, entity, logical string) (*Attribute, error) {
	return c.getAttribute(ctx, entity, logical, false)
}

func (c *Client) getAttribute(ctx context.Context, entity, logical string, strong bool) (*Attribute, error) {
	en, an, err := names(entity, logical)
	if err != nil {
		return nil, err
	}
	resp, err := c.readAttribute(ctx, call{method: http.MethodGet, path: attributePath(en, an), query: "$select=" + attributeSelect, strong: strong}, en, an)
	if err != nil {
		return nil, err
	}
	var w wireAttribute
	if err := decodeBody(resp.Body, "column "+en+"."+an, &w); err != nil {
		return nil, err
	}
	a := c.attribute(&w, en)
	return &a, nil
}

// ListAttributes reads the common definition of every column of a table. Metadata queries are not
// paged; a next link is still followed should the service ever start paging.
func (c *Client) ListAttributes(ctx context.Context, entity string) ([]Attribute, error) {
	return c.listAttributes(ctx, entity, false)
}

// ListLatestAttributes is ListAttributes with strong consistency, for a decision that a cached
// list would get wrong (a column created seconds ago may not be cached yet).
func (c *Client) ListLatestAttributes(ctx context.Context, entity string) ([]Attribute, error) {
	return c.listAttributes(ctx, entity, true)
}

func (c *Client) listAttributes(ctx context.Context, entity string, strong bool) ([]Attribute, error) {
	en, err := logicalName("table", entity)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, call{method: http.MethodGet, path: entityPath(en) + "/Attributes", query: "$select=" + attributeSelect, strong: strong})
	if err != nil {
		return nil, err
	}
	var out []Attribute
	for page := 0; ; page++ {
		var w struct {
			Value    []wireAttribute `json:"value"`
			NextLink string          `json:"@odata.nextLink"`
		}
		if err := decodeBody(resp.Body, "columns of "+en, &w); err != nil {
			return nil, err
		}
		for i := range w.Value {
			out = append(out, c.attribute(&w.Value[i], en))
		}
		if w.NextLink == "" {
			return out, nil
		}
		if page >= maxPages {
			return nil, fmt.Errorf("dynamics: columns of %s: more than %d pages", en, maxPages)
		}
		rel, ok := strings.CutPrefix(w.NextLink, c.base)
		if !ok {
			return nil, fmt.Errorf("dynamics: columns of %s: next link %q is not under %s", en, w.NextLink, c.base)
		}
		path, query, _ := strings.Cut(rel, "?")
		if resp, err = c.do(ctx, call{method: http.MethodGet, path: path, query: query, strong: strong}); err != nil {
			return nil, err
		}
	}
}

// maxPages stops a server that keeps sending next links from looping a read forever.
const maxPages = 100

// GetBooleanAttribute reads a Boolean column with its option labels. strong asks for
// `Consistency: Strong`, which callers want right after a change and before concluding that a
// column is gone (metadata reads may lag by up to 30 s otherwise).
func (c *Client) GetBooleanAttribute(ctx context.Context, entity, logical string, strong bool) (*BooleanAttribute, error) {
	return c.getBooleanAttribute(ctx, entity, logical, strong, false)
}

// GetCreatedBooleanAttribute reads, with strong consistency, a column this client has just
// created, waiting out the metadata-cache lag for as long as ctx lives: the caller's create
// timeout bounds the wait, not max_retries.
func (c *Client) GetCreatedBooleanAttribute(ctx context.Context, entity, logical string) (*BooleanAttribute, error) {
	return c.getBooleanAttribute(ctx, entity, logical, true, true)
}

func (c *Client) getBooleanAttribute(ctx context.Context, entity, logical string, strong, waitForLag bool) (*BooleanAttribute, error) {
	en, an, err := names(entity, logical)
	if err != nil {
		return nil, err
	}
	resp, err := c.readAttribute(ctx, call{method: http.MethodGet, path: attributePath(en, an) + "/" + odataTypeBoolean,
		query: "$expand=OptionSet", strong: strong, waitForLag: waitForLag}, en, an)
	if err != nil {
		return nil, err
	}
	var w wireAttribute
	if err := decodeBody(resp.Body, "column "+en+"."+an, &w); err != nil {
		return nil, err
	}
	if w.AttributeType != "" && w.AttributeType != "Boolean" {
		return nil, fmt.Errorf("dynamics: column %s.%s is of type %s, not Boolean", en, an, w.AttributeType)
	}
	return c.booleanFromWire(&w, en), nil
}

// booleanFromWire reads a Boolean column, from a single read or a list.
func (c *Client) booleanFromWire(w *wireAttribute, entity string) *BooleanAttribute {
	b := &BooleanAttribute{
		Attribute:         c.attribute(w, entity),
		DisplayNameLabels: labels(w.DisplayName),
		DescriptionLabels: labels(w.Description),
		LabelLanguageCode: labelLanguage(w.DisplayName),
	}
	if w.DefaultValue != nil {
		b.DefaultValue = *w.DefaultValue
	}
	if set := w.OptionSet; set != nil {
		if set.TrueOption != nil {
			b.TrueLabels = labels(set.TrueOption.Label)
			b.TrueLabel = labelFor(set.TrueOption.Label, c.lang)
		}
		if set.FalseOption != nil {
			b.FalseLabels = labels(set.FalseOption.Label)
			b.FalseLabel = labelFor(set.FalseOption.Label, c.lang)
		}
	}
	return b
}

// CreateBooleanAttribute creates a Boolean column and returns its MetadataId. solution, when set,
// adds the column to that unmanaged solution.
//
// A create is never replayed blindly: when its answer is lost (transport error, timeout, 5xx) the
// column is looked up with strong consistency, and only if it is absent is the create sent again.
// A duplicate refusal that follows such a lost answer is our own earlier create, and its id is
// returned. Lock refusals and 429s were refused before any change, so httpx retries them.
func (c *Client) CreateBooleanAttribute(ctx context.Context, entity string, def BooleanAttributeDefinition, solution string) (string, error) {
	id, err := c.createBooleanAttribute(ctx, entity, def, solution)
	return id, c.explainSolution(ctx, solution, err)
}

// explainSolution turns the "does not exist" answer to a write that named a solution into a
// SolutionNotFoundError when it is the solution that is missing: the code is the same as for a
// missing table or column, and the message is in the org's language.
func (c *Client) explainSolution(ctx context.Context, solution string, err error) error {
	if solution == "" || !IsNotFound(err) {
		return err
	}
	if _, serr := c.GetSolution(ctx, solution); IsNotFound(serr) {
		return &SolutionNotFoundError{Solution: solution, Err: err}
	}
	return err
}

func (c *Client) createBooleanAttribute(ctx context.Context, entity string, def BooleanAttributeDefinition, solution string) (string, error) {
	en, err := logicalName("table", entity)
	if err != nil {
		return "", err
	}
	defer c.org.noteTableWrite(en)
	body, an, err := c.createBody(def)
	if err != nil {
		return "", err
	}
	unlock, err := c.lockWrites(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()

	lost := false // an earlier attempt's answer was lost, so it may have created the column
	for attempt := 0; ; attempt++ {
		resp, err := c.do(ctx, call{method: http.MethodPost, path: entityPath(en) + "/Attributes", body: body, solution: solution, write: true})
		if err == nil {
			c.noteCreated(en, an)
			if id := entityIDFromHeader(resp.Header.Get("OData-EntityId")); id != "" {
				return id, nil
			}
			// Some proxies drop the header; the column exists, so read its id.
			return c.reconcileCreate(ctx, en, an)
		}
		if lost && IsDuplicate(err) {
			c.noteCreated(en, an)
			return c.reconcileCreate(ctx, en, an)
		}
		if !ambiguous(err) {
			return "", err
		}
		lost = true
		id, rerr := c.reconcileCreate(ctx, en, an)
		if rerr == nil {
			return id, nil
		}
		if !IsNotFound(rerr) {
			return "", fmt.Errorf("%w (whether the column %s.%s was created is unknown: re-reading it failed: %v)", err, en, an, rerr)
		}
		if attempt >= c.policy.MaxRetries || ctx.Err() != nil {
			return "", fmt.Errorf("%w (the column %s.%s was not found afterwards)", err, en, an)
		}
		// The column is absent with strong consistency: the create did not happen (or is still
		// running, in which case the next attempt meets a lock or a duplicate). Wait as for a lock.
		if serr := c.policy.Sleep(ctx, c.policy.ClassifyBackoff); serr != nil {
			return "", fmt.Errorf("%w (the column %s.%s was not created)", err, en, an)
		}
	}
}

// ambiguous says whether a failed create may nevertheless have been applied: no answer at all, or
// a gateway/server error that may have come after the work was done.
func ambiguous(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	e, ok := AsError(err)
	return ok && e.StatusCode >= 500 && !isLock(e)
}

// reconcileTimeout bounds the read that settles a create whose context has ended.
const reconcileTimeout = 30 * time.Second

// reconcileCreate reads the column's MetadataId with strong consistency. When ctx has already ended
// (the user interrupted, or the create timed out) it still allows a short read on a detached
// context, so that a column that was created is reported rather than orphaned.
func (c *Client) reconcileCreate(ctx context.Context, entity, attr string) (string, error) {
	rctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
		defer cancel()
	}
	resp, err := c.readAttribute(rctx, call{method: http.MethodGet, path: attributePath(entity, attr), query: "$select=MetadataId", strong: true}, entity, attr)
	if err != nil {
		return "", err
	}
	var w wireAttribute
	if err := decodeBody(resp.Body, "column "+entity+"."+attr, &w); err != nil {
		return "", err
	}
	if w.MetadataID == "" {
		return "", fmt.Errorf("dynamics: column %s.%s has no MetadataId", entity, attr)
	}
	return w.MetadataID, nil
}

// createBody builds the documented BooleanAttributeMetadata body and returns the logical name the
// server will derive from the schema name.
func (c *Client) createBody(def BooleanAttributeDefinition) (map[string]any, string, error) {
	schema := strings.TrimSpace(def.SchemaName)
	if schema == "" {
		return nil, "", errors.New("dynamics: a column needs a schema name such as new_SalesOptOut")
	}
	if !schemaNamePattern.MatchString(schema) {
		if !strings.Contains(schema, "_") {
			return nil, "", fmt.Errorf("dynamics: schema name %q has no publisher prefix: custom columns are named <prefix>_<Name>, e.g. new_%s, where <prefix> is the customization prefix of the solution's publisher", schema, schema)
		}
		return nil, "", fmt.Errorf("dynamics: invalid schema name %q: use <prefix>_<Name> with letters, digits and underscores, e.g. new_SalesOptOut", schema)
	}
	if strings.TrimSpace(def.DisplayName) == "" {
		return nil, "", fmt.Errorf("dynamics: column %s needs a display name", schema)
	}
	level, err := requiredLevel(def.RequiredLevel)
	if err != nil {
		return nil, "", err
	}
	lang := c.langOr(def.LanguageCode)
	trueLabel, falseLabel := def.TrueLabel, def.FalseLabel
	if trueLabel == "" {
		trueLabel = "Yes"
	}
	if falseLabel == "" {
		falseLabel = "No"
	}
	body := map[string]any{
		"@odata.type":       odataTypeBoolean,
		"AttributeType":     "Boolean",
		"AttributeTypeName": map[string]any{"Value": "BooleanType"},
		"SchemaName":        schema,
		"DefaultValue":      def.DefaultValue,
		"DisplayName":       labelBody(def.DisplayName, lang),
		"Description":       labelBody(def.Description, lang),
		"RequiredLevel": map[string]any{
			"Value":                      level,
			"CanBeChanged":               true,
			"ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings",
		},
		"OptionSet": map[string]any{
			"@odata.type":   "Microsoft.Dynamics.CRM.BooleanOptionSetMetadata",
			"OptionSetType": "Boolean",
			"IsGlobal":      false,
			"TrueOption":    map[string]any{"Value": 1, "Label": labelBody(trueLabel, lang)},
			"FalseOption":   map[string]any{"Value": 0, "Label": labelBody(falseLabel, lang)},
		},
	}
	return body, strings.ToLower(schema), nil
}

// UpdateBooleanAttribute changes a Boolean column's display name, description, default value and
// required level. Metadata updates replace the whole definition, so the current one is read (cast,
// strong), changed and sent back with PUT; MSCRM.MergeLabels keeps the labels of other languages.
// The change is active only after PublishEntity.
func (c *Client) UpdateBooleanAttribute(ctx context.Context, entity, logical string, u BooleanAttributeUpdate, solution string) error {
	en, an, err := names(entity, logical)
	if err != nil {
		return err
	}
	if strings.TrimSpace(u.DisplayName) == "" {
		return fmt.Errorf("dynamics: column %s.%s needs a display name", en, an)
	}
	level, err := requiredLevel(u.RequiredLevel)
	if err != nil {
		return err
	}
	lang := c.langOr(u.LanguageCode)
	defer c.org.noteTableWrite(en)
	// Hold the write lock over the read too, so that two updates from this process cannot
	// interleave their read-modify-write.
	unlock, err := c.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	resp, err := c.readAttribute(ctx, call{method: http.MethodGet, path: attributePath(en, an) + "/" + odataTypeBoolean, strong: true}, en, an)
	if err != nil {
		return err
	}
	def, err := decodeObject(resp.Body, "column "+en+"."+an)
	if err != nil {
		return err
	}
	if t, _ := def["AttributeType"].(string); t != "" && t != "Boolean" {
		return fmt.Errorf("dynamics: column %s.%s is of type %s, not Boolean", en, an, t)
	}
	for k := range def {
		// @odata.context makes the PUT fail; other annotations (and navigation links) are read-only.
		if strings.Contains(k, "@") {
			delete(def, k)
		}
	}
	// OptionSet is a navigation property and a PUT ignores option changes anyway.
	delete(def, "OptionSet")
	def["@odata.type"] = odataTypeBoolean
	def["DisplayName"] = setLabel(def["DisplayName"], u.DisplayName, lang)
	def["Description"] = setLabel(def["Description"], u.Description, lang)
	def["DefaultValue"] = u.DefaultValue
	rl, _ := def["RequiredLevel"].(map[string]any)
	if rl == nil {
		rl = map[string]any{"CanBeChanged": true, "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"}
	}
	rl["Value"] = level
	def["RequiredLevel"] = rl

	_, err = c.do(ctx, call{method: http.MethodPut, path: attributePath(en, an), body: def, solution: solution, mergeLabels: true, write: true})
	return c.explainSolution(ctx, solution, err)
}

// UpdateOptionLabel changes the label of the option with value (1 = true, 0 = false) of a Boolean
// column, merging with the labels of other languages. A PUT of the column cannot do this.
func (c *Client) UpdateOptionLabel(ctx context.Context, entity, logical string, value int, label Label, solution string) error {
	en, an, err := names(entity, logical)
	if err != nil {
		return err
	}
	defer c.org.noteTableWrite(en)
	body := map[string]any{
		"EntityLogicalName":    en,
		"AttributeLogicalName": an,
		"Value":                value,
		"Label":                labelBody(label.Text, c.langOr(label.LanguageCode)),
		"MergeLabels":          true,
	}
	// Setting a label twice leaves the same state, so the action may be replayed.
	return c.explainSolution(ctx, solution, c.write(ctx, call{method: http.MethodPost, path: "UpdateOptionValue", body: body, solution: solution, idempotent: true}))
}

// PublishEntity publishes the customizations of one table, which an update needs before it is
// active (create and delete publish by themselves).
func (c *Client) PublishEntity(ctx context.Context, entity string) error {
	en, err := logicalName("table", entity)
	if err != nil {
		return err
	}
	defer c.org.noteTableWrite(en)
	var esc bytes.Buffer
	// Names are already restricted to [a-z0-9_]; escaping keeps the XML well formed should that
	// rule ever loosen.
	_ = xml.EscapeText(&esc, []byte(en))
	body := map[string]any{
		"ParameterXml": "<importexportxml><entities><entity>" + esc.String() + "</entity></entities></importexportxml>",
	}
	return c.write(ctx, call{method: http.MethodPost, path: "PublishXml", body: body, idempotent: true})
}

// DeleteAttribute deletes a column (which publishes by itself). A missing column is returned as an
// error for which IsNotFound is true, so that the caller decides whether that is success; a column
// still referenced by forms or views gives IsInUse.
//
// The delete is verified: a success must leave the column absent to a strongly consistent read,
// and a 404 counts only once such a read agrees. A column the metadata cache has not caught up
// with is deleted again (with backoff, at most MaxRetries times) rather than left behind.
func (c *Client) DeleteAttribute(ctx context.Context, entity, logical string) error {
	en, an, err := names(entity, logical)
	if err != nil {
		return err
	}
	defer c.org.noteTableWrite(en)
	for attempt := 0; ; attempt++ {
		derr := c.write(ctx, call{method: http.MethodDelete, path: attributePath(en, an)})
		if derr != nil && !IsNotFound(derr) {
			return derr
		}
		_, gerr := c.do(ctx, call{method: http.MethodGet, path: attributePath(en, an), query: "$select=MetadataId", strong: true})
		switch {
		case IsNotFound(gerr):
			c.forgetCreated(en, an)
			return derr
		case gerr != nil:
			return fmt.Errorf("dynamics: column %s.%s: checking the delete: %w", en, an, gerr)
		case attempt >= c.policy.MaxRetries:
			return fmt.Errorf("dynamics: column %s.%s is still there after %d deletes (the last answered %v)", en, an, attempt+1, errOrSuccess(derr))
		}
		if serr := c.policy.Sleep(ctx, c.lagBackoff(attempt)); serr != nil {
			return fmt.Errorf("dynamics: column %s.%s is still there after a delete: %w", en, an, serr)
		}
	}
}

func errOrSuccess(err error) any {
	if err == nil {
		return "success"
	}
	return err
}

// GetLatestAttribute is GetAttribute with strong consistency, for a decision that a cached answer
// would get wrong: whether a column exists before creating it (a column deleted seconds ago may
// still be cached, one created seconds ago may not be yet).
func (c *Client) GetLatestAttribute(ctx context.Context, entity, logical string) (*Attribute, error) {
	return c.getAttribute(ctx, entity, logical, true)
}

// AddSolutionComponent adds an existing component (e.g. a column, ComponentTypeAttribute) to an
// unmanaged solution, for columns created without a solution or adopted from another one.
func (c *Client) AddSolutionComponent(ctx context.Context, solution, componentID string, componentType int) error {
	if strings.TrimSpace(solution) == "" {
		return errors.New("dynamics: AddSolutionComponent needs a solution unique name")
	}
	if strings.TrimSpace(componentID) == "" {
		return errors.New("dynamics: AddSolutionComponent needs a component id")
	}
	body := map[string]any{
		"ComponentId":           componentID,
		"ComponentType":         componentType,
		"SolutionUniqueName":    solution,
		"AddRequiredComponents": false,
	}
	// Adding a component that is already in the solution changes nothing, so a replay is safe.
	return c.explainSolution(ctx, solution, c.write(ctx, call{method: http.MethodPost, path: "AddSolutionComponent", body: body, idempotent: true}))
}

// write sends one metadata write under the org's write lock.
func (c *Client) write(ctx context.Context, cl call) error {
	unlock, err := c.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	cl.write = true
	_, err = c.do(ctx, cl)
	return err
}

// names checks a table and a column logical name.
func names(entity, attr string) (string, string, error) {
	en, err := logicalName("table", entity)
	if err != nil {
		return "", "", err
	}
	an, err := logicalName("column", attr)
	if err != nil {
		return "", "", err
	}
	return en, an, nil
}

func requiredLevel(v string) (string, error) {
	switch v {
	case "":
		return RequiredLevelNone, nil
	case RequiredLevelNone, RequiredLevelSystemRequired, RequiredLevelApplicationRequired, RequiredLevelRecommended:
		return v, nil
	}
	return "", fmt.Errorf("dynamics: invalid required level %q: want None, ApplicationRequired, Recommended or SystemRequired", v)
}

func (c *Client) attribute(w *wireAttribute, entity string) Attribute {
	a := Attribute{
		MetadataID:        w.MetadataID,
		EntityLogicalName: w.EntityLogicalName,
		LogicalName:       w.LogicalName,
		SchemaName:        w.SchemaName,
		AttributeType:     w.AttributeType,
		DisplayName:       labelFor(w.DisplayName, c.lang),
		Description:       labelFor(w.Description, c.lang),
		IsCustom:          w.IsCustomAttribute,
		IsManaged:         w.IsManaged,
		IsValidForCreate:  w.IsValidForCreate,
		IsValidForUpdate:  w.IsValidForUpdate,
		IsValidForRead:    w.IsValidForRead,
	}
	if a.EntityLogicalName == "" {
		a.EntityLogicalName = entity
	}
	if w.RequiredLevel != nil {
		a.RequiredLevel = w.RequiredLevel.Value
	}
	return a
}

func (c *Client) langOr(code int) int {
	if code == 0 {
		return c.lang
	}
	return code
}

// labelFor returns the label text for lang, "" when there is none in that language. No other
// language is substituted: the caller compares it with configuration written in lang.
func labelFor(l *wireLabel, lang int) string {
	if l == nil {
		return ""
	}
	for _, ll := range l.LocalizedLabels {
		if ll.LanguageCode == lang {
			return ll.Label
		}
	}
	if u := l.UserLocalizedLabel; u != nil && u.LanguageCode == lang {
		return u.Label
	}
	return ""
}

// labelLanguage is the language of the label Dataverse shows the caller, else of the only one.
func labelLanguage(l *wireLabel) int {
	switch {
	case l == nil:
		return 0
	case l.UserLocalizedLabel != nil && l.UserLocalizedLabel.LanguageCode != 0:
		return l.UserLocalizedLabel.LanguageCode
	case len(l.LocalizedLabels) == 1:
		return l.LocalizedLabels[0].LanguageCode
	}
	return 0
}

func labels(l *wireLabel) []Label {
	if l == nil {
		return nil
	}
	out := make([]Label, 0, len(l.LocalizedLabels))
	for _, ll := range l.LocalizedLabels {
		out = append(out, Label{Text: ll.Label, LanguageCode: ll.LanguageCode})
	}
	return out
}

// localizedLabel is the body of one LocalizedLabel.
func localizedLabel(text string, lang int) map[string]any {
	return map[string]any{
		"@odata.type":  "Microsoft.Dynamics.CRM.LocalizedLabel",
		"Label":        text,
		"LanguageCode": lang,
		"IsManaged":    false,
	}
}

// labelBody is a Label with one LocalizedLabel; only LocalizedLabels is written, the server derives
// UserLocalizedLabel. An empty text gives no localized label at all.
func labelBody(text string, lang int) map[string]any {
	ll := []any{}
	if text != "" {
		ll = append(ll, localizedLabel(text, lang))
	}
	return map[string]any{"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": ll}
}

// setLabel puts text for lang into a Label read from the server, keeping its other languages (they
// are merged anyway with MSCRM.MergeLabels, but sending them unchanged is harmless and keeps the
// body a faithful copy of what was read).
func setLabel(cur any, text string, lang int) map[string]any {
	l, _ := cur.(map[string]any)
	if l == nil {
		l = map[string]any{}
	}
	out := []any{}
	had := false
	old, _ := l["LocalizedLabels"].([]any)
	for _, o := range old {
		m, _ := o.(map[string]any)
		if m == nil {
			continue
		}
		if langOf(m) == lang {
			had = true
			continue
		}
		out = append(out, m)
	}
	// An empty text clears an existing label; where there is none, adding an empty one would only
	// store noise.
	if text != "" || had {
		out = append(out, localizedLabel(text, lang))
	}
	l["LocalizedLabels"] = out
	// UserLocalizedLabel is read-only; dropping it keeps a stale text in the user's language out of
	// the request.
	delete(l, "UserLocalizedLabel")
	l["@odata.type"] = "Microsoft.Dynamics.CRM.Label"
	return l
}

func langOf(m map[string]any) int {
	switch v := m["LanguageCode"].(type) {
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	case float64:
		return int(v)
	}
	return 0
}

func decodeBody(b []byte, what string, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("dynamics: reading %s: unexpected response: %v", what, err)
	}
	return nil
}

// decodeObject decodes a JSON object keeping numbers as json.Number, so that a definition sent back
// with PUT carries the server's numbers unchanged (no float rounding of large values).
func decodeObject(b []byte, what string) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("dynamics: reading %s: unexpected response: %v", what, err)
	}
	return m, nil
}

// entityIDPattern finds the key in the last parentheses of an OData-EntityId URL.
var entityIDPattern = regexp.MustCompile(`\(([^()]*)\)[^()]*$`)

// entityIDFromHeader returns the MetadataId in
// ".../EntityDefinitions(LogicalName='x')/Attributes(<guid>)", or "" when the header has no GUID key.
func entityIDFromHeader(v string) string {
	m := entityIDPattern.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return ""
	}
	id := strings.Trim(m[1], "'")
	if !guidPattern.MatchString(id) {
		return ""
	}
	return id
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
