package outreach_test

import (
	"context"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// TestSandboxPagingAcrossFieldMappings lists 2,500 field mappings: three pages of 1,000, each
// id exactly once. The mappings are loaded as a sandbox fixture because no plugin catalog has
// 2,500 distinct (object, Outreach field) pairs to map through the API.
func TestSandboxPagingAcrossFieldMappings(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	want := srv.LoadSyntheticFieldMappings(2500)
	c := staticClient(t, srv, sbToken, nil)

	before := srv.Stats().OutreachRequests
	got, err := c.ListFieldMappings(context.Background(), outreach.MappingFilter{PluginID: sbPluginID})
	if err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Stats().OutreachRequests - before; reqs != 3 {
		t.Errorf("listing 2,500 mappings took %d requests, want 3 (page[size]=1000)", reqs)
	}
	seen := make(map[int64]int, len(got))
	for _, m := range got {
		seen[m.ID]++
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("mapping %d listed %d times, want once", id, seen[id])
		}
	}
	if len(got) != len(want) {
		t.Errorf("listed %d mappings, want %d", len(got), len(want))
	}
}

// BenchmarkListFieldMappings2500 measures one full listing of 2,500 mappings (3 pages) through
// the client, the JSON:API codec and the sandbox on loopback.
func BenchmarkListFieldMappings2500(b *testing.B) {
	srv, err := sandbox.Start(sandbox.Options{Logf: b.Logf})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.LoadSyntheticFieldMappings(2500)
	c, err := outreach.New(outreach.Config{BaseURL: srv.OutreachURL(), Policy: policy(nil), Auth: outreach.StaticToken(sbToken)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		// Move the sandbox clock past the hourly rate-limit window, so that a long run measures
		// paging and not throttling.
		srv.AdvanceClock(time.Hour)
		got, err := c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: sbPluginID})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 2500 {
			b.Fatalf("listed %d mappings", len(got))
		}
	}
}
