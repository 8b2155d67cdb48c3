package dataverse

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// This file implements the OData system query options the emulator honours: $select, $expand and
// a $filter subset (comparisons with eq/ne/gt/ge/lt/le combined with and/or/not and parentheses).
// What it cannot parse it rejects with 400, as the real service rejects what it cannot parse.

func queryError(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeODataError, format, args...)
}

// parseSelect parses a $select value. allowed is the set of selectable properties; typ names the
// type in the error for an unknown property. It returns nil when there is no $select or it is "*".
func parseSelect(raw string, allowed map[string]bool, typ string) (map[string]bool, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "*" {
		return nil, nil
	}
	sel := map[string]bool{}
	for _, item := range strings.Split(raw, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, queryError("Syntax error: character '' is not valid in the $select query option '%s'.", raw)
		}
		if !allowed[item] {
			return nil, propertyNotFound(item, typ)
		}
		sel[item] = true
	}
	return sel, nil
}

// selectList returns the $select items in request order (for @odata.context).
func selectList(raw string) []string {
	var out []string
	for _, item := range strings.Split(raw, ",") {
		if item = strings.TrimSpace(item); item != "" && item != "*" {
			out = append(out, item)
		}
	}
	return out
}

// expandItem is one item of $expand, with its nested options.
type expandItem struct {
	name    string
	options map[string]string // "$select" → "a,b"
}

// parseExpand splits "A($select=x;$filter=y),B" into items.
func parseExpand(raw string) ([]expandItem, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	var items []expandItem
	for _, part := range splitTopLevel(raw, ',') {
		part = strings.TrimSpace(part)
		item := expandItem{name: part, options: map[string]string{}}
		if i := strings.IndexByte(part, '('); i >= 0 {
			if !strings.HasSuffix(part, ")") {
				return nil, queryError("Syntax error at position %d in '%s'.", len(raw), raw)
			}
			item.name = strings.TrimSpace(part[:i])
			for _, opt := range splitTopLevel(part[i+1:len(part)-1], ';') {
				k, v, ok := strings.Cut(strings.TrimSpace(opt), "=")
				if !ok || !strings.HasPrefix(k, "$") {
					return nil, queryError("Syntax error at position %d in '%s'.", i+1, raw)
				}
				item.options[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		if item.name == "" {
			return nil, queryError("Syntax error at position 0 in '%s'.", raw)
		}
		items = append(items, item)
	}
	return items, nil
}

// splitTopLevel splits s at sep outside parentheses and quotes.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// schema maps a filterable property path ("LogicalName", "RequiredLevel/Value") to its EDM type
// name ("Edm.String", "Microsoft.Dynamics.CRM.AttributeTypeCode", ...).
type schema struct {
	typeName string // for errors, e.g. "AttributeMetadata"
	props    map[string]string
	// caseInsensitive string comparison, as SQL-backed record queries compare.
	caseInsensitive bool
}

const (
	edmString   = "Edm.String"
	edmBoolean  = "Edm.Boolean"
	edmInt      = "Edm.Int32"
	edmGUID     = "Edm.Guid"
	edmDateTime = "Edm.DateTimeOffset"
	edmNull     = "null"
	edmNumber   = "Edm.Decimal" // a numeric literal; compatible with Edm.Int32
	crmNS       = "Microsoft.Dynamics.CRM."
)

// enumMembers lists the enums a filter may use, with their members.
var enumMembers = map[string][]string{
	crmNS + "AttributeTypeCode":      attributeTypeCodes,
	crmNS + "AttributeRequiredLevel": requiredLevels,
	crmNS + "OwnershipTypes":         {"None", "UserOwned", "TeamOwned", "BusinessOwned", "OrganizationOwned", "BusinessParented"},
}

// schemaFromSample derives a schema from a rendered sample: the Go type of each value gives its
// EDM type, overrides name what the sample cannot show (enums, GUIDs, nulls, complex types).
// Label-valued properties get the Label type and no sub-paths, because filtering on labels is
// not supported by Dataverse (facts 3.2).
func schemaFromSample(typeName string, sample obj, overrides map[string]string) schema {
	props := map[string]string{}
	var walk func(prefix string, o obj)
	walk = func(prefix string, o obj) {
		for _, p := range o {
			path := prefix + p.k
			switch v := p.v.(type) {
			case bool:
				props[path] = edmBoolean
			case string:
				props[path] = edmString
			case int, int64:
				props[path] = edmInt
			case float64:
				props[path] = edmNumber
			case obj:
				if v.has("LocalizedLabels") {
					props[path] = crmNS + "Label"
					continue
				}
				props[path] = crmNS + "BooleanManagedProperty"
				walk(path+"/", v)
			}
		}
	}
	walk("", sample)
	for k, v := range overrides {
		props[k] = v
	}
	return schema{typeName: typeName, props: props}
}

var attributeOverrides = map[string]string{
	"MetadataId":          edmGUID,
	"LinkedAttributeId":   edmGUID,
	"AttributeType":       crmNS + "AttributeTypeCode",
	"RequiredLevel":       crmNS + "AttributeRequiredLevelManagedProperty",
	"RequiredLevel/Value": crmNS + "AttributeRequiredLevel",
	"AttributeTypeName":   crmNS + "AttributeTypeDisplayName",
	"AttributeOf":         edmString,
	"DeprecatedVersion":   edmString,
	"ExternalName":        edmString,
	"InheritsFrom":        edmString,
	"HasChanged":          edmBoolean,
	"CreatedOn":           edmDateTime,
	"ModifiedOn":          edmDateTime,
}

// attributeSchema returns the filter schema of the class cls ("" = base AttributeMetadata).
func attributeSchema(cls string) schema {
	sample := &attribute{OptionSet: &optionSet{}, Targets: []string{}}
	name := "AttributeMetadata"
	if cls != "" {
		name = cls
	}
	return schemaFromSample(name, renderAttribute(&table{}, sample, cls, false), attributeOverrides)
}

func entitySchema() schema {
	return schemaFromSample("EntityMetadata", renderEntity(&table{}), map[string]string{
		"MetadataId":    edmGUID,
		"OwnershipType": crmNS + "OwnershipTypes",
		"CreatedOn":     edmDateTime,
		"ModifiedOn":    edmDateTime,
		"HasChanged":    edmBoolean,
	})
}

// filter is a parsed $filter.
type filter interface {
	eval(o obj, s schema) bool
}

type literal struct {
	typ string
	val any // string, bool, float64, time.Time or nil
	raw string
}

type comparison struct {
	path, op string
	lit      literal
}

type junction struct {
	and         bool
	left, right filter
}

type negation struct{ x filter }

func (j junction) eval(o obj, s schema) bool {
	if j.and {
		return j.left.eval(o, s) && j.right.eval(o, s)
	}
	return j.left.eval(o, s) || j.right.eval(o, s)
}

func (n negation) eval(o obj, s schema) bool { return !n.x.eval(o, s) }

func (c comparison) eval(o obj, s schema) bool {
	v, ok := lookupPath(o, c.path)
	if !ok {
		v = nil
	}
	if c.lit.typ == edmNull {
		isNull := v == nil
		if c.op == "ne" {
			return !isNull
		}
		return isNull
	}
	if v == nil {
		return c.op == "ne"
	}
	cmp, ok := compareValues(v, c.lit, s.caseInsensitive)
	if !ok {
		return false
	}
	switch c.op {
	case "eq":
		return cmp == 0
	case "ne":
		return cmp != 0
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	default: // le
		return cmp <= 0
	}
}

func lookupPath(o obj, path string) (any, bool) {
	var cur any = o
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(obj)
		if !ok {
			return nil, false
		}
		if cur, ok = m.get(part); !ok {
			return nil, false
		}
	}
	return cur, true
}

// compareValues returns -1, 0 or 1 comparing a property value with a literal.
func compareValues(v any, lit literal, caseInsensitive bool) (int, bool) {
	switch want := lit.val.(type) {
	case bool:
		got, ok := v.(bool)
		if !ok {
			return 0, false
		}
		if got == want {
			return 0, true
		}
		return 1, true
	case float64:
		var got float64
		switch n := v.(type) {
		case int:
			got = float64(n)
		case int64:
			got = float64(n)
		case float64:
			got = n
		default:
			return 0, false
		}
		switch {
		case got < want:
			return -1, true
		case got > want:
			return 1, true
		}
		return 0, true
	case time.Time:
		got, err := time.Parse(time.RFC3339, fmt.Sprint(v))
		if err != nil {
			return 0, false
		}
		return got.Compare(want), true
	case string:
		got, ok := v.(string)
		if !ok {
			return 0, false
		}
		if caseInsensitive || lit.typ == edmGUID {
			got, want = strings.ToLower(got), strings.ToLower(want)
		}
		return strings.Compare(got, want), true
	}
	return 0, false
}

var operatorKinds = map[string]string{
	"eq": "Equal", "ne": "NotEqual", "gt": "GreaterThan", "ge": "GreaterThanOrEqual", "lt": "LessThan", "le": "LessThanOrEqual",
}

// filterParser is a recursive-descent parser over the tokens of a $filter.
type filterParser struct {
	src  string
	toks []ftoken
	pos  int
	s    schema
}

type tokKind int

const (
	tokWord   tokKind = iota // identifier, keyword, number, guid, date
	tokString                // 'quoted'
	tokEnum                  // Namespace.Type'Member'
	tokLParen
	tokRParen
	tokComma
	tokEOF
)

type ftoken struct {
	kind tokKind
	text string // word text, unquoted string, or enum member
	typ  string // enum type for tokEnum
	pos  int
}

var (
	numberRE   = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$`)
)

// isWordChar reports whether c may be part of an identifier, keyword or unquoted literal
// (property paths, numbers, GUIDs, dates, qualified enum type names).
func isWordChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("_.-/:+$", c) >= 0
}

func tokenize(src string) ([]ftoken, *apiError) {
	var toks []ftoken
	syntax := func(i int) *apiError { return queryError("Syntax error at position %d in '%s'.", i, src) }
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			toks = append(toks, ftoken{kind: tokLParen, pos: i})
			i++
		case c == ')':
			toks = append(toks, ftoken{kind: tokRParen, pos: i})
			i++
		case c == ',':
			toks = append(toks, ftoken{kind: tokComma, pos: i})
			i++
		case c == '\'':
			s, n, ok := readQuoted(src[i:])
			if !ok {
				return nil, queryError("There is an unterminated string literal at position %d in '%s'.", len(src), src)
			}
			toks = append(toks, ftoken{kind: tokString, text: s, pos: i})
			i += n
		case isWordChar(c):
			start := i
			for i < len(src) && isWordChar(src[i]) {
				i++
			}
			word := src[start:i]
			if i < len(src) && src[i] == '\'' && strings.Contains(word, ".") {
				s, n, ok := readQuoted(src[i:])
				if !ok {
					return nil, queryError("There is an unterminated string literal at position %d in '%s'.", len(src), src)
				}
				toks = append(toks, ftoken{kind: tokEnum, typ: word, text: s, pos: start})
				i += n
				continue
			}
			toks = append(toks, ftoken{kind: tokWord, text: word, pos: start})
		default:
			return nil, syntax(i)
		}
	}
	return append(toks, ftoken{kind: tokEOF, pos: len(src)}), nil
}

// readQuoted reads an OData string literal at the start of s (” escapes a quote).
func readQuoted(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), i + 1, true
		}
		b.WriteByte(s[i])
	}
	return "", 0, false
}

// parseFilter parses a $filter against a schema.
func parseFilter(src string, s schema) (filter, *apiError) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &filterParser{src: src, toks: toks, s: s}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.syntax(t)
	}
	return f, nil
}

func (p *filterParser) peek() ftoken { return p.toks[p.pos] }
func (p *filterParser) next() ftoken { t := p.toks[p.pos]; p.pos++; return t }

func (p *filterParser) syntax(t ftoken) *apiError {
	return queryError("Syntax error at position %d in '%s'.", t.pos, p.src)
}

func (p *filterParser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tokWord && t.text == w
}

func (p *filterParser) or() (filter, *apiError) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = junction{and: false, left: left, right: right}
	}
	return left, nil
}

func (p *filterParser) and() (filter, *apiError) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = junction{and: true, left: left, right: right}
	}
	return left, nil
}

func (p *filterParser) unary() (filter, *apiError) {
	if p.isWord("not") {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return negation{x}, nil
	}
	if p.peek().kind == tokLParen {
		p.next()
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tokRParen {
			return nil, p.syntax(t)
		}
		return f, nil
	}
	return p.comparison()
}

// operand is one side of a comparison: a property path or a literal.
type operand struct {
	path string
	lit  *literal
	tok  ftoken
}

func (p *filterParser) operand() (operand, *apiError) {
	t := p.next()
	switch t.kind {
	case tokString:
		return operand{lit: &literal{typ: edmString, val: t.text, raw: "'" + t.text + "'"}, tok: t}, nil
	case tokEnum:
		members, ok := enumMembers[t.typ]
		if !ok {
			return operand{}, queryError("The type '%s' is not defined in the model.", t.typ)
		}
		for _, m := range members {
			if m == t.text {
				return operand{lit: &literal{typ: t.typ, val: t.text, raw: t.typ + "'" + t.text + "'"}, tok: t}, nil
			}
		}
		return operand{}, queryError("The string '%s' is not a valid enumeration type constant.", t.text)
	case tokWord:
		if p.peek().kind == tokLParen || strings.Contains(t.text, ":") {
			// Functions (contains, startswith, ...) and lambdas (any, all) are not supported by
			// metadata queries; the emulator refuses them everywhere.
			name := t.text
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:]
			}
			return operand{}, queryError("The query function '%s' is not supported.", name)
		}
		switch w := t.text; {
		case w == "null":
			return operand{lit: &literal{typ: edmNull, raw: w}, tok: t}, nil
		case w == "true" || w == "false":
			return operand{lit: &literal{typ: edmBoolean, val: w == "true", raw: w}, tok: t}, nil
		case isGUID(w):
			return operand{lit: &literal{typ: edmGUID, val: strings.ToLower(w), raw: w}, tok: t}, nil
		case numberRE.MatchString(w):
			n, _ := strconv.ParseFloat(w, 64)
			typ := edmInt
			if strings.Contains(w, ".") {
				typ = edmNumber
			}
			return operand{lit: &literal{typ: typ, val: n, raw: w}, tok: t}, nil
		case dateTimeRE.MatchString(w):
			ts, err := time.Parse(time.RFC3339, w)
			if err != nil {
				if ts, err = time.Parse("2006-01-02", w); err != nil {
					return operand{}, p.syntax(t)
				}
			}
			return operand{lit: &literal{typ: edmDateTime, val: ts, raw: w}, tok: t}, nil
		case isKeyword(w):
			return operand{}, p.syntax(t)
		}
		if _, ok := p.s.props[t.text]; !ok {
			return operand{}, queryError("Could not find a property named '%s' on type 'Microsoft.Dynamics.CRM.%s'.",
				strings.Split(t.text, "/")[0], p.s.typeName)
		}
		return operand{path: t.text, tok: t}, nil
	}
	return operand{}, p.syntax(t)
}

func isKeyword(w string) bool {
	switch w {
	case "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "has", "in", "add", "sub", "mul", "div", "mod":
		return true
	}
	return false
}

func (p *filterParser) comparison() (filter, *apiError) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	opTok := p.next()
	if opTok.kind != tokWord {
		return nil, p.syntax(opTok)
	}
	op := opTok.text
	if _, ok := operatorKinds[op]; !ok {
		if isKeyword(op) {
			return nil, queryError("The operator '%s' is not supported.", op)
		}
		return nil, p.syntax(opTok)
	}
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	// Normalise to "property op literal".
	if left.lit != nil && right.lit == nil {
		left, right = right, left
		op = map[string]string{"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}[op]
	}
	if left.lit != nil || right.lit == nil {
		// literal op literal, or property op property: valid OData, beyond this emulator.
		return nil, queryError("The $filter '%s' is not supported: comparisons must be between a property and a literal.", p.src)
	}
	propType := p.s.props[left.path]
	if !compatible(propType, right.lit.typ, op) {
		return nil, queryError("A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind '%s'.",
			propType, litTypeName(right.lit.typ), operatorKinds[op])
	}
	return comparison{path: left.path, op: op, lit: *right.lit}, nil
}

func litTypeName(t string) string {
	if t == edmNull {
		return "<null>"
	}
	return t
}

// compatible reports whether a property of type prop may be compared with a literal of type lit.
// It follows OData's rules as far as the emulator needs: no implicit conversion from a string to
// an enum or a GUID (Dataverse requires the qualified enum literal and unquoted GUIDs).
func compatible(prop, lit, op string) bool {
	ordered := op != "eq" && op != "ne"
	_, isEnum := enumMembers[prop]
	if lit == edmNull {
		return !ordered && (isEnum || !strings.HasPrefix(prop, crmNS))
	}
	switch prop {
	case edmInt, edmNumber:
		return lit == edmInt || lit == edmNumber
	case edmBoolean:
		return lit == edmBoolean && !ordered
	case edmString:
		return lit == edmString
	case edmGUID:
		return lit == edmGUID
	case edmDateTime:
		return lit == edmDateTime
	}
	if isEnum {
		return lit == prop && !ordered
	}
	return false // complex types
}

// filterAndTop reads the $filter and $top options of a record query; top is -1 when absent.
func filterAndTop(query url.Values, sch schema) (filter, int, *apiError) {
	var f filter
	if raw := query.Get("$filter"); raw != "" {
		var e *apiError
		if f, e = parseFilter(raw, sch); e != nil {
			return nil, 0, e
		}
	}
	top := -1
	if raw := query.Get("$top"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return nil, 0, queryError("Invalid value '%s' for $top query option found. The $top query option requires a non-negative integer value.", raw)
		}
		top = n
	}
	return f, top, nil
}
