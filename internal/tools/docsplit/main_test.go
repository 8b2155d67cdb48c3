package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const source = "registry.terraform.io/optout-sync/outreach"

func TestRunSplitsTypesByPrefix(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "schema.json")
	schema := `{"format_version":"1.0","provider_schemas":{"` + source + `":{
		"provider":{"version":0,"block":{}},
		"resource_schemas":{"outreach_dynamics_field_mapping":{"version":0},"dynamics_sales_optout_field":{"version":0}},
		"data_source_schemas":{"outreach_dynamics_plugin":{"version":0},"dynamics_attribute":{"version":0}}}}}`
	if err := os.WriteFile(in, []byte(schema), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(in, source, dir); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		file, key   string
		resources   []string
		dataSources []string
	}{
		{"schema-outreach.json", "outreach", []string{"outreach_dynamics_field_mapping"}, []string{"outreach_dynamics_plugin"}},
		{"schema-dynamics.json", "dynamics", []string{"dynamics_sales_optout_field"}, []string{"dynamics_attribute"}},
		{"schema-all.json", "outreach",
			[]string{"dynamics_sales_optout_field", "outreach_dynamics_field_mapping"},
			[]string{"dynamics_attribute", "outreach_dynamics_plugin"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var doc struct {
				FormatVersion   string `json:"format_version"`
				ProviderSchemas map[string]struct {
					Provider    json.RawMessage            `json:"provider"`
					Resources   map[string]json.RawMessage `json:"resource_schemas"`
					DataSources map[string]json.RawMessage `json:"data_source_schemas"`
				} `json:"provider_schemas"`
			}
			b, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			p, ok := doc.ProviderSchemas[tc.key]
			if !ok || len(doc.ProviderSchemas) != 1 {
				t.Fatalf("want exactly the provider key %q, got %v", tc.key, keys(doc.ProviderSchemas))
			}
			if doc.FormatVersion != "1.0" || p.Provider == nil {
				t.Errorf("format_version %q and provider block %s must be kept", doc.FormatVersion, p.Provider)
			}
			if got := keys(p.Resources); !reflect.DeepEqual(got, tc.resources) {
				t.Errorf("resources = %v, want %v", got, tc.resources)
			}
			if got := keys(p.DataSources); !reflect.DeepEqual(got, tc.dataSources) {
				t.Errorf("data sources = %v, want %v", got, tc.dataSources)
			}
		})
	}
}

func TestRunNamesTheSourcesFoundWhenTheSourceIsMissing(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "schema.json")
	if err := os.WriteFile(in, []byte(`{"format_version":"1.0","provider_schemas":{"registry.terraform.io/hashicorp/outreach":{}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(in, source, dir)
	if err == nil || !containsAll(err.Error(), source, "registry.terraform.io/hashicorp/outreach") {
		t.Fatalf("want an error naming both sources, got %v", err)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
