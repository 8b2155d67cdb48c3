package outreach_test

import (
	"context"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// TestSandboxAuditEventsPagesAndWindow reads 1,500 entries across two full pages, newest first,
// and checks that the server-side window leaves out what is older.
func TestSandboxAuditEventsPagesAndWindow(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	now := srv.Now()
	srv.LoadSyntheticAuditEvents(1500, now) // one a minute, the oldest 1499 minutes ago
	c := staticClient(t, srv, sandbox.OversightAccessToken, nil)
	before := srv.Stats().OutreachRequests
	all, err := c.ListAuditEvents(context.Background(), outreach.AuditEventFilter{EventNames: outreach.PluginEventNames})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1500 {
		t.Fatalf("%d events, want 1500", len(all))
	}
	if n := srv.Stats().OutreachRequests - before; n != 2 {
		t.Errorf("%d requests, want 2 pages of at most 1000", n)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Timestamp.After(all[i-1].Timestamp) {
			t.Fatalf("event %d is newer than event %d: not newest first", i, i-1)
		}
	}
	recent, err := c.ListAuditEvents(context.Background(), outreach.AuditEventFilter{Since: now.Add(-10*time.Minute - time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 11 {
		t.Fatalf("%d events in the last ten minutes, want 11", len(recent))
	}
	limited, err := c.ListAuditEvents(context.Background(), outreach.AuditEventFilter{Limit: 1200})
	if err != nil {
		t.Fatal(err)
	}
	if len(limited) != 1200 || !limited[0].Timestamp.Equal(all[0].Timestamp) {
		t.Fatalf("limit 1200: %d events", len(limited))
	}
}

func TestSandboxSequencesNeedTheirScope(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	yes := true
	for token, wantErr := range map[string]bool{sandbox.OversightAccessToken: false, sandbox.StaticAccessToken: true} {
		c := staticClient(t, srv, token, nil)
		got, err := c.ListSequences(context.Background(), outreach.SequenceFilter{Transactional: &yes, Enabled: &yes})
		if wantErr {
			if e, ok := outreach.AsAPIError(err); !ok || e.StatusCode != 403 || e.ID != "unauthorizedOauthScope" {
				t.Errorf("plugins.all token: err = %v, want 403 unauthorizedOauthScope", err)
			}
			continue
		}
		if err != nil || len(got) != 1 || got[0].Name != "Order receipts" {
			t.Errorf("enabled transactional = %+v, %v; want the seeded Order receipts", got, err)
		}
	}
}
