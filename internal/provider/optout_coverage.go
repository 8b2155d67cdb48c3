package provider

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// This file is the analysis behind the outreach_dynamics_optout_coverage data source: given the
// live plugin configuration (every mapping, condition and object setting, whoever made them), it
// says which opt-out configuration of the Outreach guide is in effect per object, whether an
// opt-out reaches the other side, and what is wrong in words a compliance reviewer understands.
// It reads no API and imports no Terraform package, so that every rule is unit-tested on plain
// values. The rules follow the plugin runtime as the sandbox simulates it (contract section 5,
// internal/sandbox/sync.go):
//
//   - An Outreach opt-out reaches Dynamics when an opt-out field is mapped with updatesOut to a
//     column that exists, the object pushes (pushing and outboundUpdate on), and no
//     outboundUpdate condition on that field holds back a prospect whose opt-out is true.
//   - A Dynamics opt-out reaches Outreach when the column is mapped with updatesIn, the object
//     polls (polling and inboundUpdate on), and no polling or inboundUpdate condition on that
//     column holds back a record whose column is true.
//   - A mapping whose field left the plugin's catalog carries nothing (the runtime skips it), and
//     one whose column is gone from Dynamics is refused by Dynamics.
//   - A record created on the other side (inbound or outbound create) carries its opt-out only
//     through such a mapping; otherwise only a create condition on an opt-out field that fails
//     for an opted-out person keeps them from crossing without it.

// Configurations, in the words a check {} block compares.
const (
	coverageSharedField  = "shared_field"
	coverageSalesField   = "sales_field"
	coverageOutreachOnly = "outreach_only"
	coverageGranular     = "granular"
	coverageNone         = "none"
)

// outreachOptOutFields are the prospect fields that carry an opt-out: the global flag first, then
// the per-channel ones of the granular configuration.
var outreachOptOutFields = []string{"optedOut", "emailOptedOut", "callOptedOut", "smsOptedOut"}

// sharedOptOutColumns are the standard Dynamics opt-out columns that the shared field sets when a
// prospect opts out (contract section 5); a table has those it has (lead has no
// donotbulkpostalmail).
var sharedOptOutColumns = []string{"donotemail", "donotbulkemail", "donotphone", "donotfax", "donotpostalmail", "donotbulkpostalmail"}

// sharedFieldColumn is the column whose mapping to optedOut makes the shared-field configuration.
const sharedFieldColumn = "donotemail"

// coverageInput is the live configuration of one plugin object.
type coverageInput struct {
	// Object is the CRM object, e.g. lead.
	Object string
	// Settings are the object's sync toggles; nil when the plugin has no such object.
	Settings *outreach.PluginObject
	// Mappings and Conditions are every mapping and condition of the object.
	Mappings   []outreach.FieldMapping
	Conditions []outreach.SyncCondition
	// Catalog is the plugin's field catalog of the object, both sides.
	Catalog []outreach.Field
	// DynamicsColumns are the logical names of the table's columns in Dynamics; nil when
	// Dynamics is not configured, and then nothing is checked against it.
	DynamicsColumns []string
}

// coverageMapping is an opt-out mapping as the result lists it.
type coverageMapping struct {
	OutreachField, DynamicsField, Direction string
}

// objectCoverage is the analysis of one object.
type objectCoverage struct {
	Object        string
	Configuration string
	// OutreachToDynamics and DynamicsToOutreach say whether every opt-out mapping in effect
	// carries an opt-out to the other side, with the object settings and conditions as they are.
	OutreachToDynamics, DynamicsToOutreach bool
	// Mappings are the mappings of Outreach opt-out fields, switched-off ones included.
	Mappings []coverageMapping
	// DynamicsColumns are the columns an Outreach opt-out sets; OutreachFields the fields a
	// Dynamics opt-out sets. Both sorted.
	DynamicsColumns, OutreachFields []string
	// Conditions describe the sync conditions that test an opt-out field.
	Conditions []string
	// Findings are the problems, one sentence each; empty when the setup is sound.
	Findings []string
}

// analyzeOptOutCoverage analyses each object of a plugin whose sync status is syncStatus. The
// result is in the order of objects.
func analyzeOptOutCoverage(syncStatus string, objects []coverageInput) []objectCoverage {
	out := make([]objectCoverage, len(objects))
	for i, in := range objects {
		out[i] = analyzeObjectCoverage(in, syncStatus)
	}
	// An object without any opt-out sync is worth a finding of its own, naming what its sibling
	// does: lead and contact are both prospects in Outreach, so a person's opt-out syncs or not
	// depending on which table they happen to be in.
	for i := range out {
		if out[i].Configuration != coverageNone || !isProspectObject(objects[i]) || len(out[i].Mappings) > 0 {
			continue
		}
		var others []string
		for j := range out {
			if j != i && isProspectObject(objects[j]) && len(out[j].Mappings) > 0 && out[j].Configuration != coverageNone {
				others = append(others, fmt.Sprintf("%s maps %s", out[j].Object, describeMappings(out[j].Mappings)))
			}
		}
		f := fmt.Sprintf("%s: no opt-out field is mapped and no sync condition keeps opted-out people from crossing, so opt-outs of %ss never sync between Outreach and Dynamics", out[i].Object, out[i].Object)
		if len(others) > 0 {
			f = fmt.Sprintf("%s: no opt-out field is mapped, while %s, so opt-outs of people who are %ss in Dynamics never sync between Outreach and Dynamics", out[i].Object, strings.Join(others, " and "), out[i].Object)
		}
		out[i].Findings = append([]string{f}, out[i].Findings...)
	}
	return out
}

func isProspectObject(in coverageInput) bool {
	if in.Settings != nil && in.Settings.OutreachObject != "" {
		return in.Settings.OutreachObject == "prospect"
	}
	return in.Object == "lead" || in.Object == "contact"
}

func describeMappings(ms []coverageMapping) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		if m.Direction != mappingDirectionNone {
			parts = append(parts, m.OutreachField+" to "+m.DynamicsField)
		}
	}
	return strings.Join(parts, " and ")
}

// coverageRun holds what the rules of one object share.
type coverageRun struct {
	in  coverageInput
	res *objectCoverage
	// conds are the object's conditions, by id.
	conds []outreach.SyncCondition
}

func (r *coverageRun) addf(format string, args ...any) {
	r.res.Findings = append(r.res.Findings, r.in.Object+": "+fmt.Sprintf(format, args...))
}

// fieldType is a catalog field's type; boolean when the catalog lacks it, which is what every
// opt-out field and column is.
func (r *coverageRun) fieldType(side, name string) string {
	if f, ok := findField(r.in.Catalog, side, name); ok && f.Type != "" {
		return f.Type
	}
	return "boolean"
}

// hasColumn says whether the Dynamics table has a column; true when Dynamics is not known.
func (r *coverageRun) hasColumn(name string) bool {
	return r.in.DynamicsColumns == nil || slices.Contains(r.in.DynamicsColumns, name)
}

// inCatalog says whether the plugin's catalog has a field; true when the catalog is not known.
func (r *coverageRun) inCatalog(side, name string) bool {
	if r.in.Catalog == nil {
		return true
	}
	_, ok := findField(r.in.Catalog, side, name)
	return ok
}

// tableColumns are the table's columns as best known: Dynamics itself, else the catalog.
func (r *coverageRun) tableColumns() []string {
	if r.in.DynamicsColumns != nil {
		return r.in.DynamicsColumns
	}
	return catalogNames(r.in.Catalog, catalogSideCRM, nil)
}

// isOptOutColumn says whether a Dynamics column holds an opt-out: a standard one, the column of
// an opt-out mapping, or a custom column named like one (new_salesoptout, new_donotsms).
func (r *coverageRun) isOptOutColumn(name string) bool {
	if slices.Contains(sharedOptOutColumns, name) {
		return true
	}
	for _, m := range r.res.Mappings {
		if m.DynamicsField == name {
			return true
		}
	}
	_, custom, _ := strings.Cut(strings.ToLower(name), "_")
	return strings.Contains(custom, "optout") || strings.HasPrefix(custom, "donot")
}

func analyzeObjectCoverage(in coverageInput, syncStatus string) objectCoverage {
	res := objectCoverage{Object: in.Object, Mappings: []coverageMapping{}, DynamicsColumns: []string{}, OutreachFields: []string{}, Conditions: []string{}, Findings: []string{}}
	r := &coverageRun{in: in, res: &res}
	active := r.classify()

	s := in.Settings
	if syncStatus != "" && syncStatus != "active" {
		r.addf("the plugin's sync is %s, so no opt-out reaches Dynamics or Outreach until it is active again", syncStatus)
	}
	if s == nil {
		r.addf("the plugin has no %s object, so nothing of it syncs", in.Object)
		s = &outreach.PluginObject{}
	}
	if res.Configuration != coverageOutreachOnly {
		for _, m := range res.Mappings {
			if m.Direction == mappingDirectionNone {
				r.addf("%s is mapped to %s with both directions switched off (%s), so opt-outs made in Outreach never reach Dynamics and opt-outs made in Dynamics never reach Outreach",
					m.OutreachField, m.DynamicsField, mappingDirectionNone)
			}
		}
	}

	outs, ins := r.carriers(active)
	syncing := (syncStatus == "" || syncStatus == "active") && in.Settings != nil
	res.OutreachToDynamics = r.reachesDynamics(s, outs) && len(outs) == len(active) && len(active) > 0 && syncing
	res.DynamicsToOutreach = r.reachesOutreach(s, ins) && len(ins) == len(active) && len(active) > 0 && syncing
	for _, m := range outs {
		res.DynamicsColumns = appendUnique(res.DynamicsColumns, m.CRMField)
		if m.OutreachField == "optedOut" && m.CRMField == sharedFieldColumn {
			for _, col := range sharedOptOutColumns {
				if slices.Contains(r.tableColumns(), col) {
					res.DynamicsColumns = appendUnique(res.DynamicsColumns, col)
				}
			}
		}
	}
	for _, m := range ins {
		res.OutreachFields = appendUnique(res.OutreachFields, m.OutreachField)
	}
	sort.Strings(res.DynamicsColumns)
	sort.Strings(res.OutreachFields)

	// Records created on the other side. Only prospects carry opt-outs: an account or a task
	// created without one loses nothing.
	if isProspectObject(in) && s.Pushing && s.OutboundCreate && len(outs) == 0 {
		r.createFinding("outboundCreate", catalogSideOutreach)
	}
	if isProspectObject(in) && s.Polling && s.InboundCreate && len(ins) == 0 {
		r.createFinding("inboundCreate", catalogSideCRM)
	}
	return res
}

// classify collects the object's opt-out mappings and conditions (sorted: mappings by opt-out
// field, conditions by id) and names the configuration. It returns the mappings that move
// something.
func (r *coverageRun) classify() []outreach.FieldMapping {
	mappings := slices.Clone(r.in.Mappings)
	sort.SliceStable(mappings, func(i, j int) bool {
		return slices.Index(outreachOptOutFields, mappings[i].OutreachField) < slices.Index(outreachOptOutFields, mappings[j].OutreachField)
	})
	var active []outreach.FieldMapping
	var global *outreach.FieldMapping
	for i, m := range mappings {
		if (m.CRMObject != "" && m.CRMObject != r.in.Object) || !slices.Contains(outreachOptOutFields, m.OutreachField) {
			continue
		}
		r.res.Mappings = append(r.res.Mappings, coverageMapping{m.OutreachField, m.CRMField, mappingDirectionOf(m.UpdatesIn, m.UpdatesOut)})
		if !m.UpdatesIn && !m.UpdatesOut {
			continue
		}
		active = append(active, m)
		if m.OutreachField == "optedOut" {
			global = &mappings[i]
		}
	}
	for _, c := range r.in.Conditions {
		if c.CRMObject == "" || c.CRMObject == r.in.Object {
			r.conds = append(r.conds, c)
		}
	}
	sort.Slice(r.conds, func(i, j int) bool { return r.conds[i].ID < r.conds[j].ID })
	optOutConds := 0
	for _, c := range r.conds {
		if r.conditionTestsOptOut(c) {
			optOutConds++
			r.res.Conditions = append(r.res.Conditions, describeCoverageCondition(c))
		}
	}

	switch {
	case global != nil && global.CRMField == sharedFieldColumn:
		r.res.Configuration = coverageSharedField
	case global != nil:
		r.res.Configuration = coverageSalesField
	case len(active) > 0:
		r.res.Configuration = coverageGranular
	case optOutConds > 0:
		r.res.Configuration = coverageOutreachOnly
	default:
		r.res.Configuration = coverageNone
	}
	return active
}

// carriers checks each mapping that moves something and returns those that carry an opt-out
// towards Dynamics (outs) and towards Outreach (ins): a mapping whose column or field is gone
// carries nothing, and a one-way mapping carries it one way.
func (r *coverageRun) carriers(active []outreach.FieldMapping) (outs, ins []outreach.FieldMapping) {
	for _, m := range active {
		switch {
		case !r.hasColumn(m.CRMField):
			var lost []string
			if m.UpdatesOut {
				lost = append(lost, "Dynamics refuses the opt-outs made in Outreach")
			}
			if m.UpdatesIn {
				lost = append(lost, "no opt-out arrives from Dynamics")
			}
			r.addf("%s is mapped to %s, but Dynamics has no column %s on %s, so %s", m.OutreachField, m.CRMField, m.CRMField, r.in.Object, strings.Join(lost, " and "))
			continue
		case !r.inCatalog(catalogSideCRM, m.CRMField) || !r.inCatalog(catalogSideOutreach, m.OutreachField):
			r.addf("%s is mapped to %s, which is no longer in the plugin's field catalog, so the plugin syncs nothing through this mapping; refresh the plugin's fields or fix the mapping", m.OutreachField, m.CRMField)
			continue
		}
		switch {
		case !m.UpdatesOut:
			r.addf("%s is mapped to %s in one direction only (%s), so opt-outs made in Outreach never reach Dynamics", m.OutreachField, m.CRMField, mappingDirectionToOutreach)
		case !m.UpdatesIn:
			r.addf("%s is mapped to %s in one direction only (%s), so opt-outs made in Dynamics never reach Outreach", m.OutreachField, m.CRMField, mappingDirectionToDynamics)
		}
		if m.UpdatesOut {
			outs = append(outs, m)
		}
		if m.UpdatesIn {
			ins = append(ins, m)
		}
	}
	return outs, ins
}

// reachesDynamics says whether the object's settings and conditions let an update of outs
// through to Dynamics, with a finding for each thing that does not.
func (r *coverageRun) reachesDynamics(s *outreach.PluginObject, outs []outreach.FieldMapping) bool {
	if len(outs) == 0 {
		return false
	}
	ok := true
	switch {
	case !s.Pushing:
		r.addf("pushing is off, so opt-outs made in Outreach never reach Dynamics although %s is mapped", describeFieldMappings(outs))
		ok = false
	case !s.OutboundUpdate:
		r.addf("outbound update is off, so opt-outs made in Outreach never reach Dynamics although %s is mapped", describeFieldMappings(outs))
		ok = false
	}
	for _, m := range outs {
		for _, c := range r.blocking(m.OutreachField, "outboundUpdate") {
			r.addf("the outbound_update condition %s holds back prospects whose %s is true, so opt-outs made in Outreach never reach Dynamics through %s", describeCoverageCondition(c), m.OutreachField, m.CRMField)
			ok = false
		}
	}
	return ok
}

// reachesOutreach is reachesDynamics the other way: polling, inbound update, and the polling
// and inboundUpdate conditions on the mapped column.
func (r *coverageRun) reachesOutreach(s *outreach.PluginObject, ins []outreach.FieldMapping) bool {
	if len(ins) == 0 {
		return false
	}
	ok := true
	switch {
	case !s.Polling:
		r.addf("polling is off, so opt-outs made in Dynamics never reach Outreach although %s is mapped", describeFieldMappingsIn(ins))
		ok = false
	case !s.InboundUpdate:
		r.addf("inbound update is off, so opt-outs made in Dynamics never reach Outreach although %s is mapped", describeFieldMappingsIn(ins))
		ok = false
	}
	for _, m := range ins {
		for _, trigger := range []string{"polling", "inboundUpdate"} {
			for _, c := range r.blocking(m.CRMField, trigger) {
				r.addf("the %s condition %s holds back records whose %s is true, so opt-outs made in Dynamics never reach Outreach through %s", syncConditionHCLWord(syncConditionTriggers, trigger), describeCoverageCondition(c), m.CRMField, m.OutreachField)
				ok = false
			}
		}
	}
	return ok
}

// createFinding explains how opted-out people cross on a create trigger that no opt-out
// mapping covers, unless a condition on an opt-out field keeps them out.
func (r *coverageRun) createFinding(trigger, side string) {
	triggers := []string{trigger}
	if side == catalogSideCRM {
		triggers = append(triggers, "polling") // polling conditions filter inbound creates too
	}
	var loose []string
	for _, c := range r.conds {
		if !slices.Contains(triggers, c.Trigger) || !r.conditionTestsOptOut(c) {
			continue
		}
		if !conditionAdmitsOptedOut(c, r.fieldType(side, c.Field)) {
			return // this condition keeps opted-out people out
		}
		loose = append(loose, syncConditionHCLWord(syncConditionTriggers, c.Trigger)+" condition "+describeCoverageCondition(c))
	}
	hcl := syncConditionHCLWord(syncConditionTriggers, trigger)
	who, where := "prospects who opted out in Outreach", fmt.Sprintf("created as %ss in Dynamics", r.in.Object)
	example := "optedOut"
	if side == catalogSideCRM {
		who, where, example = "records that opted out in Dynamics", "created as prospects in Outreach", sharedFieldColumn
	}
	switch {
	case len(loose) == 1:
		r.addf("the %s lets %s through, so they are %s without their opt-out", loose[0], who, where)
	case len(loose) > 1:
		r.addf("the %s let %s through, so they are %s without their opt-out", strings.Join(loose, " and the "), who, where)
	case r.res.Configuration == coverageOutreachOnly:
		r.addf("opt-outs are tracked in Outreach only, but no %s condition excludes %s (for example %s equals false), so they are %s", hcl, who, example, where)
	default:
		r.addf("%s is on, but no opt-out mapping carries the opt-out and no %s condition excludes %s (for example %s equals false), so they are %s without their opt-out",
			strings.ReplaceAll(hcl, "_", " "), hcl, who, example, where)
	}
}

// conditionTestsOptOut says whether a condition tests an opt-out field of the side its trigger
// tests.
func (r *coverageRun) conditionTestsOptOut(c outreach.SyncCondition) bool {
	if syncConditionSide(syncConditionHCLWord(syncConditionTriggers, c.Trigger)) == catalogSideOutreach {
		return slices.Contains(outreachOptOutFields, c.Field)
	}
	return r.isOptOutColumn(c.Field)
}

// blocking returns the conditions of trigger on field that fail for a value of true.
func (r *coverageRun) blocking(field, trigger string) []outreach.SyncCondition {
	side := syncConditionSide(syncConditionHCLWord(syncConditionTriggers, trigger))
	var out []outreach.SyncCondition
	for _, c := range r.conds {
		if c.Trigger == trigger && c.Field == field && !conditionAdmitsOptedOut(c, r.fieldType(side, field)) {
			out = append(out, c)
		}
	}
	return out
}

// conditionAdmitsOptedOut evaluates a condition (contract 3.5) on a field whose value is true, as
// the runtime does (sync.go's conditionHolds): a boolean compares with a JSON boolean, anything
// else compares as text, ignoring case.
func conditionAdmitsOptedOut(c outreach.SyncCondition, typ string) bool {
	// cmp is 0 when raw means true, 1 when it means something else, -2 when it does not compare.
	cmp := func(raw json.RawMessage) int {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return -2
		}
		if typ == "boolean" {
			b, ok := v.(bool)
			switch {
			case !ok:
				return -2
			case b:
				return 0
			}
			return 1
		}
		s, _ := syncConditionCanonical(raw)
		if strings.EqualFold(s, "true") {
			return 0
		}
		return 1
	}
	switch c.Operator {
	case "isBlank":
		return false
	case "isNotBlank":
		return true
	case "equals":
		return cmp(c.Value) == 0
	case "notEquals":
		return cmp(c.Value) != 0
	case "in", "notIn":
		hit := false
		for _, v := range c.Values {
			hit = hit || cmp(v) == 0
		}
		return hit == (c.Operator == "in")
	case "contains", "notContains":
		want, _ := syncConditionCanonical(c.Value)
		return strings.Contains("true", strings.ToLower(want)) == (c.Operator == "contains")
	case "greaterThan":
		// A boolean compares as 0 (equal) or 1 (different), never below.
		return typ == "boolean" && cmp(c.Value) == 1
	}
	return false // lessThan, and operators this provider does not know
}

// describeCoverageCondition is a condition in the provider's words: id, field, operator, value.
func describeCoverageCondition(c outreach.SyncCondition) string {
	op := syncConditionHCLWord(syncConditionOperators, c.Operator)
	switch {
	case c.Values != nil:
		vals := make([]string, len(c.Values))
		for i, v := range c.Values {
			vals[i], _ = syncConditionCanonical(v)
		}
		return fmt.Sprintf("%d (%s %s [%s])", c.ID, c.Field, op, strings.Join(vals, ", "))
	case c.Value != nil:
		v, _ := syncConditionCanonical(c.Value)
		return fmt.Sprintf("%d (%s %s %s)", c.ID, c.Field, op, v)
	}
	return fmt.Sprintf("%d (%s %s)", c.ID, c.Field, op)
}

// describeFieldMappings names mappings in the direction Outreach → Dynamics.
func describeFieldMappings(ms []outreach.FieldMapping) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.OutreachField + " → " + m.CRMField
	}
	return strings.Join(parts, " and ")
}

// describeFieldMappingsIn names mappings in the direction Dynamics → Outreach.
func describeFieldMappingsIn(ms []outreach.FieldMapping) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.CRMField + " → " + m.OutreachField
	}
	return strings.Join(parts, " and ")
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
