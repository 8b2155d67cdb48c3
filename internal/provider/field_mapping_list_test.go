package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

const fmType = "outreach_dynamics_field_mapping"

// listIdentity decodes a list result's identity.
func listIdentity(t *testing.T, p *acctest.Protocol, typeName string, r tfprotov6.ListResourceResult) map[string]any {
	t.Helper()
	if r.Identity == nil {
		t.Fatalf("result %q has no identity: %s", r.DisplayName, acctest.DiagnosticsText(r.Diagnostics))
	}
	m, _ := p.Decode(p.IdentityType(typeName), r.Identity.IdentityData).(map[string]any)
	return m
}

// listResource decodes a list result's resource, nil when there is none.
func listResource(t *testing.T, p *acctest.Protocol, typeName string, r tfprotov6.ListResourceResult) map[string]any {
	t.Helper()
	m, _ := p.Decode(p.ResourceType(typeName), r.Resource).(map[string]any)
	return m
}

// requireNoErrors fails the test when a result carries an error.
func requireNoErrors(t *testing.T, results []tfprotov6.ListResourceResult) {
	t.Helper()
	for _, r := range results {
		if acctest.HasError(r.Diagnostics) {
			t.Fatalf("result %q: %s", r.DisplayName, acctest.DiagnosticsText(r.Diagnostics))
		}
	}
}

// Every mapping of the plugin is listed with a readable name and its identity; the object filter
// narrows the list; the full resource comes only when asked for.
func TestListFieldMappings_resultsIdentityAndFilter(t *testing.T) {
	env := acctest.NewEnv(t)
	leadID := fmCreateMappingOutOfBand(env, "lead", "optedOut", "donotemail")
	contactID := fmCreateMappingOutOfBand(env, "contact", "optedOut", "donotemail")
	p := env.Protocol()

	all := p.List(fmType, nil, false, 0)
	requireNoErrors(t, all)
	if len(all) != 2 {
		t.Fatalf("listed %d mappings, want 2", len(all))
	}
	byName := map[string]tfprotov6.ListResourceResult{}
	for _, r := range all {
		byName[r.DisplayName] = r
		if r.Resource != nil {
			t.Errorf("%q carries a resource although include_resource is false", r.DisplayName)
		}
	}
	lead, ok := byName["lead: optedOut ↔ donotemail (bidirectional)"]
	if !ok {
		t.Fatalf("no result named %q among %v", "lead: optedOut ↔ donotemail (bidirectional)", keys(byName))
	}
	want := map[string]any{"object": "lead", "outreach_field": "optedOut", "plugin_id": int64(1)}
	if got := listIdentity(t, p, fmType, lead); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("identity = %v, want %v", got, want)
	}

	contact := p.List(fmType, map[string]any{"object": "contact"}, true, 0)
	requireNoErrors(t, contact)
	if len(contact) != 1 {
		t.Fatalf("object = contact listed %d mappings, want 1", len(contact))
	}
	res := listResource(t, p, fmType, contact[0])
	for k, v := range map[string]any{"id": fmt.Sprint(contactID), "plugin_id": int64(1), "object": "contact",
		"outreach_field": "optedOut", "dynamics_field": "donotemail", "direction": "bidirectional", "skip_empty_to_dynamics": false} {
		if res[k] != v {
			t.Errorf("resource %s = %#v, want %#v", k, res[k], v)
		}
	}
	if res["created_at"] == nil {
		t.Error("resource created_at is null")
	}
	if got := listResource(t, p, fmType, lead); got != nil {
		t.Errorf("lead (mapping %d) carries a resource without include_resource: %v", leadID, got)
	}
}

// 2,500 mappings are three pages: every one is listed once, with one request per page; a limit
// or a consumer that stops early costs only the pages it reads.
func TestListFieldMappings_pagingLimitAndEarlyStop(t *testing.T) {
	env := acctest.NewEnv(t)
	ids := env.Sandbox.LoadSyntheticFieldMappings(2500)
	p := env.Protocol()
	requests := func(f func()) int64 {
		before := env.Sandbox.Stats().OutreachRequests
		f()
		return env.Sandbox.Stats().OutreachRequests - before
	}

	var all []tfprotov6.ListResourceResult
	if n := requests(func() { all = p.List(fmType, nil, false, 0) }); n != 3 {
		t.Errorf("listing 2,500 mappings took %d requests, want 3", n)
	}
	requireNoErrors(t, all)
	seen := map[string]int{}
	for _, r := range all {
		id := listIdentity(t, p, fmType, r)
		seen[fmt.Sprint(id["object"], "/", id["outreach_field"])]++
	}
	if len(all) != len(ids) || len(seen) != len(ids) {
		t.Errorf("listed %d results with %d distinct identities, want %d", len(all), len(seen), len(ids))
	}

	var limited []tfprotov6.ListResourceResult
	if n := requests(func() { limited = p.List(fmType, nil, false, 5) }); n != 1 {
		t.Errorf("limit 5 took %d requests, want 1", n)
	}
	if len(limited) != 5 {
		t.Errorf("limit 5 listed %d results", len(limited))
	}

	var read int
	n := requests(func() {
		for range p.ListStream(fmType, nil, false, 0) {
			if read++; read == 1001 {
				break
			}
		}
	})
	if n != 2 {
		t.Errorf("stopping after 1,001 results took %d requests, want 2 (the third page is never asked for)", n)
	}
}

// A page that fails after others were listed ends the list with an error result, not silently.
func TestListFieldMappings_errorIsAResult(t *testing.T) {
	env := acctest.NewEnv(t)
	env.Sandbox.LoadSyntheticFieldMappings(1500)
	p := env.Protocol()
	var good int
	var failures []tfprotov6.ListResourceResult
	for r := range p.ListStream(fmType, nil, false, 0) {
		if acctest.HasError(r.Diagnostics) {
			failures = append(failures, r)
			continue
		}
		if good++; good == 1000 {
			// The second page meets maintenance; the provider is configured with no retries.
			env.Sandbox.SetFaults(sandbox.Faults{Outreach503: 1})
		}
	}
	if good != 1000 || len(failures) != 1 {
		t.Fatalf("got %d results and %d error results, want the first page of 1000 then one error", good, len(failures))
	}
	if text := acctest.DiagnosticsText(failures[0].Diagnostics); !strings.Contains(text, "Cannot list the plugin's field mappings") || !strings.Contains(text, "503") {
		t.Errorf("error result = %s", text)
	}
}

// The filters are validated before anything is listed: Terraform validates a list block with
// ValidateListResourceConfig, which runs the schema's validators.
func TestListFieldMappings_invalidFilter(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	resp := p.ValidateList(fmType, map[string]any{"object": "leed"})
	if text := acctest.DiagnosticsText(resp); !acctest.HasError(resp) || !strings.Contains(text, `"lead"`) {
		t.Errorf("object = leed: diagnostics %q, want an error listing the valid objects", text)
	}
	if resp := p.ValidateList(fmType, map[string]any{"object": "lead", "plugin_id": 1}); acctest.HasError(resp) {
		t.Errorf("a valid filter was refused: %s", acctest.DiagnosticsText(resp))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
