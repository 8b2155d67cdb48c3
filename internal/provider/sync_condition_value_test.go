package provider

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestSyncConditionEncodeValue(t *testing.T) {
	cases := []struct {
		typ, in, want string
		ok            bool
	}{
		{"boolean", "false", "false", true},
		{"boolean", "TRUE", "true", true},
		{"boolean", "False", "false", true},
		{"boolean", "yes", "", false},
		{"boolean", "0", "", false},
		{"integer", "100", "100", true},
		{"integer", "+7", "7", true},
		{"integer", "-3", "-3", true},
		{"integer", "1.5", "", false},
		{"integer", "abc", "", false},
		{"decimal", "1", "1", true},
		{"decimal", "1.50", "1.50", true},
		{"decimal", "-0.75", "-0.75", true},
		{"decimal", "1e3", "1e3", true},
		{"decimal", "12345678901234567890.123", "12345678901234567890.123", true},
		{"decimal", ".5", "", false},
		{"decimal", "NaN", "", false},
		{"decimal", "\"1\"", "", false},
		{"datetime", "2024-01-31T00:00:00Z", `"2024-01-31T00:00:00Z"`, true},
		{"datetime", "2024-01-31", "", false},
		{"string", "Contoso", `"Contoso"`, true},
		{"string", "true", `"true"`, true},
		{"picklist", "Web", `"Web"`, true},
		{"lookup", "00000000-0000-0000-0000-000000000001", `"00000000-0000-0000-0000-000000000001"`, true},
	}
	for _, c := range cases {
		got, err := syncConditionEncodeValue(c.typ, c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s %q: err = %v, want ok = %v", c.typ, c.in, err, c.ok)
			continue
		}
		if c.ok && string(got) != c.want {
			t.Errorf("%s %q: got %s, want %s", c.typ, c.in, got, c.want)
		}
	}
}

func TestSyncConditionSameValue(t *testing.T) {
	cases := []struct {
		written, raw string
		same         bool
	}{
		{"false", "false", true},
		{"FALSE", "false", true},
		{"true", "false", false},
		{"1", "1.0", true},
		{"1.50", "1.5", true},
		{"100", "1e2", true},
		{"1", "2", false},
		{"abc", "1", false},
		{"Contoso", `"Contoso"`, true},
		{"contoso", `"Contoso"`, false},
		{"2024-01-31T01:00:00+01:00", `"2024-01-31T00:00:00Z"`, true},
		{"2024-01-31T02:00:00+01:00", `"2024-01-31T00:00:00Z"`, false},
		{"x", "null", false},
	}
	for _, c := range cases {
		if got := syncConditionSameValue(c.written, json.RawMessage(c.raw)); got != c.same {
			t.Errorf("%q vs %s: got %v, want %v", c.written, c.raw, got, c.same)
		}
	}
}

func TestSyncConditionNormalizeKeepsWhatWasWritten(t *testing.T) {
	prior := "1"
	got, ok := syncConditionNormalize(&prior, json.RawMessage("1.0"))
	if !ok || got != "1" {
		t.Fatalf("got %q, %v; want the written \"1\"", got, ok)
	}
}

func TestSyncConditionNormalizeShowsDrift(t *testing.T) {
	prior := "1"
	got, ok := syncConditionNormalize(&prior, json.RawMessage("2.5"))
	if !ok || got != "2.5" {
		t.Fatalf("got %q, %v; want the API's \"2.5\"", got, ok)
	}
}

func TestSyncConditionNormalizeWithoutPrior(t *testing.T) {
	cases := map[string]string{`true`: "true", `42`: "42", `"Web"`: "Web", `1.0`: "1.0"}
	for raw, want := range cases {
		if got, ok := syncConditionNormalize(nil, json.RawMessage(raw)); !ok || got != want {
			t.Errorf("%s: got %q, %v; want %q", raw, got, ok, want)
		}
	}
	if _, ok := syncConditionNormalize(nil, nil); ok {
		t.Errorf("an absent value must stay null")
	}
}

func TestSyncConditionNormalizeList(t *testing.T) {
	got := syncConditionNormalizeList([]string{"10", "TRUE"}, []json.RawMessage{json.RawMessage("10.0"), json.RawMessage("true"), json.RawMessage(`"x"`)})
	if want := []string{"10", "TRUE", "x"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSyncConditionOperatorFits(t *testing.T) {
	cases := []struct {
		op, typ string
		fits    bool
	}{
		{"contains", "boolean", false},
		{"contains", "string", true},
		{"contains", "picklist", false},
		{"greater_than", "string", false},
		{"greater_than", "integer", true},
		{"less_than", "datetime", true},
		{"in", "boolean", false},
		{"in", "picklist", true},
		{"equals", "boolean", true},
		{"is_blank", "lookup", true},
	}
	for _, c := range cases {
		if got := syncConditionOperatorFits(c.op, c.typ); got != c.fits {
			t.Errorf("%s on %s: got %v, want %v", c.op, c.typ, got, c.fits)
		}
	}
}

func TestSyncConditionWords(t *testing.T) {
	for _, hcl := range syncConditionTriggerNames {
		if back := syncConditionHCLWord(syncConditionTriggers, syncConditionWireWord(syncConditionTriggers, hcl)); back != hcl {
			t.Errorf("trigger %s round-trips to %s", hcl, back)
		}
	}
	for _, hcl := range syncConditionOperatorNames {
		if back := syncConditionHCLWord(syncConditionOperators, syncConditionWireWord(syncConditionOperators, hcl)); back != hcl {
			t.Errorf("operator %s round-trips to %s", hcl, back)
		}
	}
	if w := syncConditionWireWord(syncConditionOperators, "not_equals"); w != "notEquals" {
		t.Errorf("not_equals → %s", w)
	}
	if s := syncConditionSide("outbound_create"); s != "outreach" {
		t.Errorf("outbound_create tests %s", s)
	}
	if s := syncConditionSide("polling"); s != "crm" {
		t.Errorf("polling tests %s", s)
	}
}
