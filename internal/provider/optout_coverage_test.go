package provider

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// covSyncing are the toggles of a freshly connected plugin's lead and contact (the sandbox's
// seed): both directions update, nothing is created.
func covSyncing(obj string) *outreach.PluginObject {
	return &outreach.PluginObject{CRMObject: obj, OutreachObject: "prospect", Polling: true, PollingFrequency: 10, Pushing: true, InboundUpdate: true, OutboundUpdate: true}
}

func covMapping(obj, outreachField, crmField, direction string) outreach.FieldMapping {
	return outreach.FieldMapping{CRMObject: obj, OutreachField: outreachField, CRMField: crmField,
		UpdatesIn:  direction == "bidirectional" || direction == "dynamics_to_outreach",
		UpdatesOut: direction == "bidirectional" || direction == "outreach_to_dynamics"}
}

func covCondition(id int64, obj, trigger, field, op, value string) outreach.SyncCondition {
	c := outreach.SyncCondition{ID: id, CRMObject: obj, Trigger: trigger, Field: field, Operator: op}
	if value != "" {
		c.Value = json.RawMessage(value)
	}
	return c
}

// covCatalog is the plugin's catalog of a prospect object with the given extra Dynamics columns.
func covCatalog(obj string, extra ...string) []outreach.Field {
	var fs []outreach.Field
	for _, f := range append(slices.Clone(outreachOptOutFields), "firstName") {
		typ := "boolean"
		if f == "firstName" {
			typ = "string"
		}
		fs = append(fs, outreach.Field{CRMObject: obj, Side: "outreach", Name: f, Type: typ, Writable: true})
	}
	for _, c := range append(covColumns(obj), extra...) {
		fs = append(fs, outreach.Field{CRMObject: obj, Side: "crm", Name: c, Type: "boolean", Writable: true})
	}
	return fs
}

// covColumns are the standard opt-out columns of a table (lead has no donotbulkpostalmail).
func covColumns(obj string) []string {
	cols := []string{"donotemail", "donotbulkemail", "donotphone", "donotfax", "donotpostalmail"}
	if obj == "contact" {
		cols = append(cols, "donotbulkpostalmail")
	}
	return append(cols, "firstname", "lastname")
}

// covObject is an object with the seed's toggles and a catalog and Dynamics table that have
// new_salesoptout.
func covObject(obj string, ms []outreach.FieldMapping, cs []outreach.SyncCondition) coverageInput {
	return coverageInput{Object: obj, Settings: covSyncing(obj), Mappings: ms, Conditions: cs,
		Catalog: covCatalog(obj, "new_salesoptout"), DynamicsColumns: append(covColumns(obj), "new_salesoptout")}
}

func TestAnalyzeOptOutCoverage(t *testing.T) {
	contactShared := []string{"donotbulkemail", "donotbulkpostalmail", "donotemail", "donotfax", "donotphone", "donotpostalmail"}
	type want struct {
		configuration          string
		toDynamics, toOutreach bool
		dynamicsColumns        []string // nil: not checked
		outreachFields         []string // nil: not checked
		findings               []string
	}
	tests := []struct {
		name       string
		syncStatus string
		objects    []coverageInput
		want       map[string]want
	}{
		{
			name: "shared field",
			objects: []coverageInput{
				covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "donotemail", "bidirectional")}, nil),
				covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "donotemail", "bidirectional")}, nil),
			},
			want: map[string]want{
				"lead":    {coverageSharedField, true, true, []string{"donotbulkemail", "donotemail", "donotfax", "donotphone", "donotpostalmail"}, []string{"optedOut"}, nil},
				"contact": {coverageSharedField, true, true, contactShared, []string{"optedOut"}, nil},
			},
		},
		{
			name: "sales opt out column",
			objects: []coverageInput{
				covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "new_salesoptout", "bidirectional")}, nil),
				covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "new_salesoptout", "bidirectional"), covMapping("contact", "firstName", "firstname", "bidirectional")}, nil),
			},
			want: map[string]want{
				"lead":    {coverageSalesField, true, true, []string{"new_salesoptout"}, []string{"optedOut"}, nil},
				"contact": {coverageSalesField, true, true, []string{"new_salesoptout"}, []string{"optedOut"}, nil},
			},
		},
		{
			name: "outreach only with creates on",
			objects: func() []coverageInput {
				var out []coverageInput
				for i, obj := range []string{"lead", "contact"} {
					in := covObject(obj, nil, []outreach.SyncCondition{
						covCondition(int64(2*i+1), obj, "inboundCreate", "donotemail", "equals", "false"),
						covCondition(int64(2*i+2), obj, "outboundCreate", "optedOut", "equals", "false"),
					})
					in.Settings.InboundCreate, in.Settings.OutboundCreate = true, true
					out = append(out, in)
				}
				return out
			}(),
			want: map[string]want{
				"lead":    {coverageOutreachOnly, false, false, []string{}, []string{}, nil},
				"contact": {coverageOutreachOnly, false, false, []string{}, []string{}, nil},
			},
		},
		{
			name: "outreach only with creates off (the seed)",
			objects: []coverageInput{
				covObject("lead", nil, []outreach.SyncCondition{covCondition(1, "lead", "outboundCreate", "optedOut", "equals", "false")}),
			},
			want: map[string]want{"lead": {coverageOutreachOnly, false, false, nil, nil, nil}},
		},
		{
			name: "granular",
			objects: []coverageInput{
				covObject("contact", []outreach.FieldMapping{
					covMapping("contact", "emailOptedOut", "donotemail", "bidirectional"),
					covMapping("contact", "callOptedOut", "donotphone", "bidirectional"),
				}, nil),
			},
			want: map[string]want{"contact": {coverageGranular, true, true, []string{"donotemail", "donotphone"}, []string{"callOptedOut", "emailOptedOut"}, nil}},
		},
		{
			name: "one-way mapping, Dynamics to Outreach only",
			objects: []coverageInput{
				covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "new_salesoptout", "bidirectional")}, nil),
				covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "new_salesoptout", "dynamics_to_outreach")}, nil),
			},
			want: map[string]want{
				"lead": {coverageSalesField, true, true, nil, nil, nil},
				"contact": {coverageSalesField, false, true, []string{}, []string{"optedOut"}, []string{
					"contact: optedOut is mapped to new_salesoptout in one direction only (dynamics_to_outreach), so opt-outs made in Outreach never reach Dynamics",
				}},
			},
		},
		{
			name: "one-way mapping, Outreach to Dynamics only",
			objects: []coverageInput{
				covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "donotemail", "outreach_to_dynamics")}, nil),
			},
			want: map[string]want{"lead": {coverageSharedField, true, false, nil, []string{}, []string{
				"lead: optedOut is mapped to donotemail in one direction only (outreach_to_dynamics), so opt-outs made in Dynamics never reach Outreach",
			}}},
		},
		{
			name: "opt-out mapping switched off",
			objects: []coverageInput{
				covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "donotemail", "none")}, nil),
				covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "donotemail", "bidirectional")}, nil),
			},
			want: map[string]want{
				"lead": {coverageNone, false, false, []string{}, []string{}, []string{
					"lead: optedOut is mapped to donotemail with both directions switched off (none), so opt-outs made in Outreach never reach Dynamics and opt-outs made in Dynamics never reach Outreach",
				}},
				"contact": {coverageSharedField, true, true, nil, nil, nil},
			},
		},
		{
			name: "opt-out mapped on lead but not on contact",
			objects: []coverageInput{
				covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "donotemail", "bidirectional")}, nil),
				covObject("contact", nil, nil),
			},
			want: map[string]want{
				"lead": {coverageSharedField, true, true, nil, nil, nil},
				"contact": {coverageNone, false, false, []string{}, []string{}, []string{
					"contact: no opt-out field is mapped, while lead maps optedOut to donotemail, so opt-outs of people who are contacts in Dynamics never sync between Outreach and Dynamics",
				}},
			},
		},
		{
			name:    "nothing at all",
			objects: []coverageInput{covObject("lead", nil, nil)},
			want: map[string]want{"lead": {coverageNone, false, false, nil, nil, []string{
				"lead: no opt-out field is mapped and no sync condition keeps opted-out people from crossing, so opt-outs of leads never sync between Outreach and Dynamics",
			}}},
		},
		{
			name: "outreach only, inbound condition missing on contact",
			objects: func() []coverageInput {
				lead := covObject("lead", nil, []outreach.SyncCondition{
					covCondition(1, "lead", "inboundCreate", "donotemail", "equals", "false"),
					covCondition(2, "lead", "outboundCreate", "optedOut", "equals", "false"),
				})
				contact := covObject("contact", nil, []outreach.SyncCondition{covCondition(4, "contact", "outboundCreate", "optedOut", "equals", "false")})
				for _, in := range []coverageInput{lead, contact} {
					in.Settings.InboundCreate, in.Settings.OutboundCreate = true, true
				}
				return []coverageInput{lead, contact}
			}(),
			want: map[string]want{
				"lead": {coverageOutreachOnly, false, false, nil, nil, nil},
				"contact": {coverageOutreachOnly, false, false, nil, nil, []string{
					"contact: opt-outs are tracked in Outreach only, but no inbound_create condition excludes records that opted out in Dynamics (for example donotemail equals false), so they are created as prospects in Outreach",
				}},
			},
		},
		{
			name: "a polling condition also keeps opted-out records from being created",
			objects: func() []coverageInput {
				in := covObject("contact", nil, []outreach.SyncCondition{covCondition(1, "contact", "polling", "donotbulkemail", "not_equals", "true")})
				in.Conditions[0].Operator = "notEquals"
				in.Settings.InboundCreate = true
				return []coverageInput{in}
			}(),
			want: map[string]want{"contact": {coverageOutreachOnly, false, false, nil, nil, nil}},
		},
		{
			name: "a condition that lets opted-out prospects through",
			objects: func() []coverageInput {
				in := covObject("contact", nil, []outreach.SyncCondition{
					covCondition(3, "contact", "inboundCreate", "donotemail", "equals", "false"),
					covCondition(7, "contact", "outboundCreate", "optedOut", "equals", "true"),
				})
				in.Settings.InboundCreate, in.Settings.OutboundCreate = true, true
				return []coverageInput{in}
			}(),
			want: map[string]want{"contact": {coverageOutreachOnly, false, false, nil, nil, []string{
				"contact: the outbound_create condition 7 (optedOut equals true) lets prospects who opted out in Outreach through, so they are created as contacts in Dynamics without their opt-out",
			}}},
		},
		{
			name: "outbound create with no opt-out mapping and no condition",
			objects: func() []coverageInput {
				in := covObject("lead", []outreach.FieldMapping{covMapping("lead", "firstName", "firstname", "bidirectional")}, nil)
				in.Settings.OutboundCreate = true
				return []coverageInput{in}
			}(),
			want: map[string]want{"lead": {coverageNone, false, false, nil, nil, []string{
				"lead: no opt-out field is mapped and no sync condition keeps opted-out people from crossing, so opt-outs of leads never sync between Outreach and Dynamics",
				"lead: outbound create is on, but no opt-out mapping carries the opt-out and no outbound_create condition excludes prospects who opted out in Outreach (for example optedOut equals false), so they are created as leads in Dynamics without their opt-out",
			}}},
		},
		{
			name: "outbound create with a one-way mapping that does not write to Dynamics",
			objects: func() []coverageInput {
				in := covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "donotemail", "dynamics_to_outreach")}, nil)
				in.Settings.OutboundCreate = true
				return []coverageInput{in}
			}(),
			want: map[string]want{"lead": {coverageSharedField, false, true, nil, nil, []string{
				"lead: optedOut is mapped to donotemail in one direction only (dynamics_to_outreach), so opt-outs made in Outreach never reach Dynamics",
				"lead: outbound create is on, but no opt-out mapping carries the opt-out and no outbound_create condition excludes prospects who opted out in Outreach (for example optedOut equals false), so they are created as leads in Dynamics without their opt-out",
			}}},
		},
		{
			name: "pushing off for an object whose opt-out relies on it",
			objects: func() []coverageInput {
				in := covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "donotemail", "bidirectional")}, nil)
				in.Settings.Pushing = false
				return []coverageInput{in}
			}(),
			want: map[string]want{"contact": {coverageSharedField, false, true, contactShared, nil, []string{
				"contact: pushing is off, so opt-outs made in Outreach never reach Dynamics although optedOut → donotemail is mapped",
			}}},
		},
		{
			name: "polling and outbound update off",
			objects: func() []coverageInput {
				in := covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "new_salesoptout", "bidirectional")}, nil)
				in.Settings.Polling, in.Settings.OutboundUpdate = false, false
				return []coverageInput{in}
			}(),
			want: map[string]want{"lead": {coverageSalesField, false, false, nil, nil, []string{
				"lead: outbound update is off, so opt-outs made in Outreach never reach Dynamics although optedOut → new_salesoptout is mapped",
				"lead: polling is off, so opt-outs made in Dynamics never reach Outreach although new_salesoptout → optedOut is mapped",
			}}},
		},
		{
			name: "inbound update off",
			objects: func() []coverageInput {
				in := covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "new_salesoptout", "bidirectional")}, nil)
				in.Settings.InboundUpdate = false
				return []coverageInput{in}
			}(),
			want: map[string]want{"lead": {coverageSalesField, true, false, nil, nil, []string{
				"lead: inbound update is off, so opt-outs made in Dynamics never reach Outreach although new_salesoptout → optedOut is mapped",
			}}},
		},
		{
			name: "Sales Opt Out column missing in Dynamics",
			objects: func() []coverageInput {
				in := covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "new_salesoptout", "bidirectional")}, nil)
				in.DynamicsColumns = covColumns("contact")
				return []coverageInput{in}
			}(),
			want: map[string]want{"contact": {coverageSalesField, false, false, []string{}, []string{}, []string{
				"contact: optedOut is mapped to new_salesoptout, but Dynamics has no column new_salesoptout on contact, so Dynamics refuses the opt-outs made in Outreach and no opt-out arrives from Dynamics",
			}}},
		},
		{
			name: "column not checked when Dynamics is not configured",
			objects: func() []coverageInput {
				in := covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "new_salesoptout", "bidirectional")}, nil)
				in.DynamicsColumns = nil
				return []coverageInput{in}
			}(),
			want: map[string]want{"contact": {coverageSalesField, true, true, []string{"new_salesoptout"}, nil, nil}},
		},
		{
			name: "Sales Opt Out column gone from the plugin's catalog",
			objects: func() []coverageInput {
				in := covObject("contact", []outreach.FieldMapping{covMapping("contact", "optedOut", "new_salesoptout", "bidirectional")}, nil)
				in.Catalog, in.DynamicsColumns = covCatalog("contact"), nil
				return []coverageInput{in}
			}(),
			want: map[string]want{"contact": {coverageSalesField, false, false, []string{}, []string{}, []string{
				"contact: optedOut is mapped to new_salesoptout, which is no longer in the plugin's field catalog, so the plugin syncs nothing through this mapping; refresh the plugin's fields or fix the mapping",
			}}},
		},
		{
			name: "conditions that hold back the opt-out itself",
			objects: []coverageInput{
				covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "donotemail", "bidirectional")}, []outreach.SyncCondition{
					covCondition(5, "lead", "outboundUpdate", "optedOut", "equals", "false"),
					covCondition(6, "lead", "polling", "donotemail", "equals", "false"),
					covCondition(8, "lead", "inboundUpdate", "firstname", "isNotBlank", ""),
				}),
			},
			want: map[string]want{"lead": {coverageSharedField, false, false, nil, nil, []string{
				"lead: the outbound_update condition 5 (optedOut equals false) holds back prospects whose optedOut is true, so opt-outs made in Outreach never reach Dynamics through donotemail",
				"lead: the polling condition 6 (donotemail equals false) holds back records whose donotemail is true, so opt-outs made in Dynamics never reach Outreach through optedOut",
			}}},
		},
		{
			name: "two conditions that let opted-out records through",
			objects: func() []coverageInput {
				in := covObject("lead", nil, []outreach.SyncCondition{
					covCondition(1, "lead", "polling", "donotemail", "isNotBlank", ""),
					covCondition(2, "lead", "inboundCreate", "donotemail", "equals", "true"),
				})
				in.Settings.InboundCreate = true
				return []coverageInput{in}
			}(),
			want: map[string]want{"lead": {coverageOutreachOnly, false, false, nil, nil, []string{
				"lead: the polling condition 1 (donotemail is_not_blank) and the inbound_create condition 2 (donotemail equals true) let records that opted out in Dynamics through, so they are created as prospects in Outreach without their opt-out",
			}}},
		},
		{
			name: "objects that are not prospects carry no opt-out",
			objects: []coverageInput{{Object: "account", Settings: &outreach.PluginObject{CRMObject: "account", OutreachObject: "account",
				Polling: true, Pushing: true, InboundCreate: true, InboundUpdate: true, OutboundCreate: true, OutboundUpdate: true}, Catalog: []outreach.Field{}, DynamicsColumns: []string{"name"}}},
			want: map[string]want{"account": {coverageNone, false, false, []string{}, []string{}, nil}},
		},
		{
			name:       "plugin paused",
			syncStatus: "paused",
			objects:    []coverageInput{covObject("lead", []outreach.FieldMapping{covMapping("lead", "optedOut", "donotemail", "bidirectional")}, nil)},
			want: map[string]want{"lead": {coverageSharedField, false, false, nil, nil, []string{
				"lead: the plugin's sync is paused, so no opt-out reaches Dynamics or Outreach until it is active again",
			}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status := tc.syncStatus
			if status == "" {
				status = "active"
			}
			got := analyzeOptOutCoverage(status, tc.objects)
			if len(got) != len(tc.objects) {
				t.Fatalf("%d results for %d objects", len(got), len(tc.objects))
			}
			for i, res := range got {
				w, ok := tc.want[res.Object]
				if !ok || res.Object != tc.objects[i].Object {
					t.Fatalf("result %d is for %q", i, res.Object)
				}
				if res.Configuration != w.configuration || res.OutreachToDynamics != w.toDynamics || res.DynamicsToOutreach != w.toOutreach {
					t.Errorf("%s: configuration %q, outreach_to_dynamics %v, dynamics_to_outreach %v; want %q, %v, %v",
						res.Object, res.Configuration, res.OutreachToDynamics, res.DynamicsToOutreach, w.configuration, w.toDynamics, w.toOutreach)
				}
				if w.dynamicsColumns != nil && !slices.Equal(res.DynamicsColumns, w.dynamicsColumns) {
					t.Errorf("%s: dynamics columns %q, want %q", res.Object, res.DynamicsColumns, w.dynamicsColumns)
				}
				if w.outreachFields != nil && !slices.Equal(res.OutreachFields, w.outreachFields) {
					t.Errorf("%s: outreach fields %q, want %q", res.Object, res.OutreachFields, w.outreachFields)
				}
				if res.Findings == nil || !slices.Equal(res.Findings, append([]string{}, w.findings...)) {
					t.Errorf("%s: findings\n  %s\nwant\n  %s", res.Object, strings.Join(res.Findings, "\n  "), strings.Join(w.findings, "\n  "))
				}
			}
		})
	}
}

// TestConditionAdmitsOptedOut: a condition is evaluated on an opted-out person (the field is
// true) as the runtime evaluates it.
func TestConditionAdmitsOptedOut(t *testing.T) {
	tests := []struct {
		op, value string
		values    []string
		typ       string
		want      bool
	}{
		{op: "equals", value: "false", typ: "boolean", want: false},
		{op: "equals", value: "true", typ: "boolean", want: true},
		{op: "notEquals", value: "true", typ: "boolean", want: false},
		{op: "notEquals", value: "false", typ: "boolean", want: true},
		{op: "notEquals", value: `"true"`, typ: "boolean", want: true}, // does not compare: not equal
		{op: "isBlank", typ: "boolean", want: false},
		{op: "isNotBlank", typ: "boolean", want: true},
		{op: "in", values: []string{"false"}, typ: "boolean", want: false},
		{op: "notIn", values: []string{"true"}, typ: "boolean", want: false},
		{op: "notIn", values: []string{"false"}, typ: "boolean", want: true},
		{op: "equals", value: `"TRUE"`, typ: "string", want: true},
		{op: "equals", value: `"no"`, typ: "string", want: false},
		{op: "contains", value: `"ru"`, typ: "string", want: true},
		{op: "notContains", value: `"ru"`, typ: "string", want: false},
		{op: "lessThan", value: "1", typ: "integer", want: false},
	}
	for _, tc := range tests {
		c := outreach.SyncCondition{Operator: tc.op}
		if tc.value != "" {
			c.Value = json.RawMessage(tc.value)
		}
		for _, v := range tc.values {
			c.Values = append(c.Values, json.RawMessage(v))
		}
		if got := conditionAdmitsOptedOut(c, tc.typ); got != tc.want {
			t.Errorf("%s %s%v on a %s that is true: admits %v, want %v", tc.op, tc.value, tc.values, tc.typ, got, tc.want)
		}
	}
}
