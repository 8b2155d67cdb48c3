package outreach_test

import (
	"context"
	"testing"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// TestFieldMappingPagesIsLazy proves that a page is requested only when the caller asks for it:
// stopping after the first of three pages costs one request, reading on costs one per page.
func TestFieldMappingPagesIsLazy(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	srv.LoadSyntheticFieldMappings(2500)
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()

	before := srv.Stats().OutreachRequests
	for page, err := range c.FieldMappingPages(ctx, outreach.MappingFilter{PluginID: sbPluginID}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1000 {
			t.Errorf("first page has %d mappings, want 1000", len(page))
		}
		break
	}
	if reqs := srv.Stats().OutreachRequests - before; reqs != 1 {
		t.Errorf("stopping after the first page took %d requests, want 1", reqs)
	}

	before = srv.Stats().OutreachRequests
	var sizes []int
	for page, err := range c.FieldMappingPages(ctx, outreach.MappingFilter{PluginID: sbPluginID}) {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page))
	}
	if reqs := srv.Stats().OutreachRequests - before; reqs != 3 || len(sizes) != 3 || sizes[2] != 500 {
		t.Errorf("reading every page: %d requests, page sizes %v; want 3 requests and pages of 1000, 1000, 500", reqs, sizes)
	}
}

// TestFieldMappingPagesEndsWithError proves that a failed page request ends the sequence with
// the error, after the pages that were read.
func TestFieldMappingPagesEndsWithError(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	srv.LoadSyntheticFieldMappings(1500)
	c := staticClient(t, srv, sbToken, nil)
	var good int
	var errs []error
	for page, err := range c.FieldMappingPages(context.Background(), outreach.MappingFilter{PluginID: sbPluginID}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		good += len(page)
		// The next request meets maintenance for longer than the client retries (its sleeps
		// are recorded, not slept).
		srv.SetFaults(sandbox.Faults{Outreach503: 10})
	}
	if good != 1000 || len(errs) != 1 {
		t.Fatalf("got %d mappings and errors %v; want the first page of 1000, then one error", good, errs)
	}
	if apiErr, ok := outreach.AsAPIError(errs[0]); !ok || apiErr.StatusCode != 503 {
		t.Errorf("error = %v, want the 503 of the second page", errs[0])
	}
}
