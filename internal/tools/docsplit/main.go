// Command docsplit prepares the output of `terraform providers schema -json` for tfplugindocs.
//
// tfplugindocs maps a page back to its schema by prefixing the provider name, so it cannot render
// the `dynamics_*` types that the outreach provider serves under names of their own. docsplit
// writes three files from one exported schema, each keyed by the short provider name that
// tfplugindocs looks up:
//
//   - schema-outreach.json: keyed "outreach", every type except the dynamics_* ones;
//   - schema-dynamics.json: keyed "dynamics", only the dynamics_* types (for a second
//     `tfplugindocs generate --provider-name dynamics --rendered-provider-name outreach`);
//   - schema-all.json: keyed "outreach", every type (for `tfplugindocs validate`).
//
// It is a Go program rather than a jq filter so that `make generate` needs nothing beyond Go and
// the terraform CLI on a fresh machine. Output is deterministic: encoding/json sorts map keys.
//
// Usage: go run ./internal/tools/docsplit -in schema.json -source registry.terraform.io/optout-sync/outreach -out-dir DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// foreignPrefix marks the types that carry no "outreach_" prefix.
const foreignPrefix = "dynamics_"

func main() {
	in := flag.String("in", "", "output of `terraform providers schema -json`")
	source := flag.String("source", "registry.terraform.io/optout-sync/outreach", "provider source address in the schema")
	outDir := flag.String("out-dir", ".", "directory for schema-outreach.json, schema-dynamics.json and schema-all.json")
	flag.Parse()
	if err := run(*in, *source, *outDir); err != nil {
		fmt.Fprintln(os.Stderr, "docsplit:", err)
		os.Exit(1)
	}
}

func run(in, source, outDir string) error {
	if in == "" {
		return fmt.Errorf("-in is required")
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var doc struct {
		FormatVersion   string                                `json:"format_version"`
		ProviderSchemas map[string]map[string]json.RawMessage `json:"provider_schemas"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s is not a providers schema document: %w", in, err)
	}
	provider, ok := doc.ProviderSchemas[source]
	if !ok {
		keys := make([]string, 0, len(doc.ProviderSchemas))
		for k := range doc.ProviderSchemas {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Errorf("no schema for %q in %s (found: %s); does the export configuration require that source?", source, in, strings.Join(keys, ", "))
	}

	outreach, err := filtered(provider, func(name string) bool { return !strings.HasPrefix(name, foreignPrefix) })
	if err != nil {
		return err
	}
	dynamics, err := filtered(provider, func(name string) bool { return strings.HasPrefix(name, foreignPrefix) })
	if err != nil {
		return err
	}
	files := []struct {
		name, key string
		schema    map[string]json.RawMessage
	}{
		{"schema-outreach.json", "outreach", outreach},
		{"schema-dynamics.json", "dynamics", dynamics},
		{"schema-all.json", "outreach", provider},
	}
	for _, f := range files {
		out, err := json.MarshalIndent(map[string]any{
			"format_version":   doc.FormatVersion,
			"provider_schemas": map[string]any{f.key: f.schema},
		}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outDir, f.name), append(out, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// filtered copies a provider schema, keeping in every "<kind>_schemas" map (resources, data
// sources, identities, ephemeral and list resources, actions) only the type names that keep
// accepts. The provider block and functions are kept as they are.
func filtered(provider map[string]json.RawMessage, keep func(string) bool) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(provider))
	for kind, v := range provider {
		if !strings.HasSuffix(kind, "_schemas") {
			out[kind] = v
			continue
		}
		var types map[string]json.RawMessage
		if err := json.Unmarshal(v, &types); err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		kept := make(map[string]json.RawMessage, len(types))
		for name, s := range types {
			if keep(name) {
				kept[name] = s
			}
		}
		b, err := json.Marshal(kept)
		if err != nil {
			return nil, err
		}
		out[kind] = b
	}
	return out, nil
}
