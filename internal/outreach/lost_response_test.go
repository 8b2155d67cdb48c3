package outreach_test

// Writes whose answer is lost, against the sandbox's outreach_lose_response fault: the write is
// applied, then a 502 Bad Gateway comes back instead of its answer.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

func TestSandboxLostCreateAnswerOfAFieldMappingIsReconciled(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()
	srv.SetFaults(sandbox.Faults{OutreachLoseResponse: 1})
	before := srv.Stats().OutreachWrites

	m, err := c.CreateFieldMapping(ctx, outreach.FieldMapping{PluginID: sbPluginID, CRMObject: "lead",
		OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats().OutreachWrites - before; n != 1 {
		t.Errorf("%d writes, want 1: the create was sent again", n)
	}
	list, err := c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: sbPluginID, CRMObject: "lead"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != m.ID || m.CRMField != "donotemail" || m.UpdatesIn || !m.UpdatesOut {
		t.Fatalf("returned %+v; the sandbox holds %+v", m, list)
	}
}

func TestSandboxLostCreateAnswerOfASyncConditionIsReconciled(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()
	srv.SetFaults(sandbox.Faults{OutreachLoseResponse: 1})

	s, err := c.CreateSyncCondition(ctx, outreach.SyncCondition{PluginID: sbPluginID, CRMObject: "lead", Trigger: "polling",
		Field: "donotemail", Operator: "equals", Value: json.RawMessage(`false`)})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListSyncConditions(ctx, outreach.ConditionFilter{PluginID: sbPluginID, CRMObject: "lead", Trigger: "polling"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != s.ID || string(s.Value) != "false" {
		t.Fatalf("returned %+v; the sandbox holds %+v", s, list)
	}
}

// TestSandboxLostUpdateAnswerIsReplayed: a PATCH sets values, so httpx sends it again and the
// second answer arrives.
func TestSandboxLostUpdateAnswerIsReplayed(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	rec := &sleepRecorder{}
	c := staticClient(t, srv, sbToken, rec)
	ctx := context.Background()
	m, err := c.CreateFieldMapping(ctx, outreach.FieldMapping{PluginID: sbPluginID, CRMObject: "lead",
		OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(sandbox.Faults{OutreachLoseResponse: 1})
	m.SkipEmptyOut = true
	up, err := c.UpdateFieldMapping(ctx, *m)
	if err != nil {
		t.Fatal(err)
	}
	if !up.SkipEmptyOut || len(rec.Delays()) != 1 {
		t.Fatalf("updated %+v after %d retries", up, len(rec.Delays()))
	}
}

// TestSandboxLostDeleteAnswerEndsInNotFound: the replayed DELETE finds the mapping gone and gets a
// 404, which IsNotFound recognises, so a caller can count it as done.
func TestSandboxLostDeleteAnswerEndsInNotFound(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	c := staticClient(t, srv, sbToken, nil)
	ctx := context.Background()
	m, err := c.CreateFieldMapping(ctx, outreach.FieldMapping{PluginID: sbPluginID, CRMObject: "lead",
		OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(sandbox.Faults{OutreachLoseResponse: 1})
	if err := c.DeleteFieldMapping(ctx, m.ID); !outreach.IsNotFound(err) {
		t.Fatalf("delete = %v, want the replay's 404", err)
	}
	if _, err := c.GetFieldMapping(ctx, m.ID); !outreach.IsNotFound(err) {
		t.Fatalf("the mapping is still there: %v", err)
	}
}

// TestSandboxMaintenanceAnswerToACreateIsSentAgain: a 503 scheduledServerMaintenance means the
// create was not processed (contract 1), so it is sent again after Retry-After, more often than
// the policy's MaxRetries (3 here) while the context lasts, and creates exactly one resource.
func TestSandboxMaintenanceAnswerToACreateIsSentAgain(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	rec := &sleepRecorder{advance: srv.AdvanceClock}
	c := staticClient(t, srv, sbToken, rec)
	ctx := context.Background()
	srv.SetFaults(sandbox.Faults{Outreach503: 5, Outreach503RetryAfter: "7"})

	s, err := c.CreateSyncCondition(ctx, outreach.SyncCondition{PluginID: sbPluginID, CRMObject: "lead", Trigger: "polling",
		Field: "donotemail", Operator: "equals", Value: json.RawMessage(`false`)})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListSyncConditions(ctx, outreach.ConditionFilter{PluginID: sbPluginID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != s.ID {
		t.Fatalf("returned %+v; the sandbox holds %+v", s, list)
	}
	d := rec.Delays()
	if len(d) != 5 {
		t.Fatalf("waited %v, want five waits of the 7s Retry-After", d)
	}
	for _, w := range d {
		if w != 7*time.Second {
			t.Fatalf("waited %v, want five waits of the 7s Retry-After", d)
		}
	}
}

// TestSandboxMaintenanceAnswerToACreateStopsWithTheContext: the re-sends end with the caller's
// context, and the error says the create was not applied.
func TestSandboxMaintenanceAnswerToACreateStopsWithTheContext(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waits := 0
	rec := &sleepRecorder{advance: func(time.Duration) {
		if waits++; waits == 3 {
			cancel()
		}
	}}
	c := staticClient(t, srv, sbToken, rec)
	srv.SetFaults(sandbox.Faults{Outreach503: 1000})
	_, err := c.CreateFieldMapping(ctx, outreach.FieldMapping{PluginID: sbPluginID, CRMObject: "lead",
		OutreachField: "optedOut", CRMField: "donotemail", UpdatesOut: true})
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "not created") {
		t.Fatalf("got %v, want the 503 and that nothing was created", err)
	}
	if waits != 3 {
		t.Fatalf("%d waits, want 3 (the third ended the context)", waits)
	}
	srv.SetFaults(sandbox.Faults{})
	if list, err := c.ListFieldMappings(context.Background(), outreach.MappingFilter{PluginID: sbPluginID}); err != nil || len(list) != 0 {
		t.Fatalf("mappings %+v, %v; want none", list, err)
	}
}

// dropPosts is a transport that fails the next n POSTs without sending them, as a connection
// reset before the request reached Outreach would: the create is ambiguous to the client but was
// never applied.
type dropPosts struct{ n atomic.Int32 }

func (d *dropPosts) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && d.n.Add(-1) >= 0 {
		return nil, errors.New("read: connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestSandboxLostConditionCreateNeverAdoptsAnotherCondition: identical conditions cannot be told
// apart by their attributes, so a reconcile after a lost create adopts only a condition created at
// or after the request and not already held by this client. Adopting another resource's would
// make destroying one delete the other's.
func TestSandboxLostConditionCreateNeverAdoptsAnotherCondition(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	drop := &dropPosts{}
	p := policy(nil)
	p.Now = srv.Now // createdAt is the server's clock; the client compares with the same one
	c, err := outreach.New(outreach.Config{BaseURL: srv.OutreachURL(), HTTPClient: &http.Client{Transport: drop}, Policy: p, Auth: outreach.StaticToken(sbToken)})
	if err != nil {
		t.Fatal(err)
	}
	same := outreach.SyncCondition{PluginID: sbPluginID, CRMObject: "lead", Trigger: "polling",
		Field: "donotemail", Operator: "equals", Value: json.RawMessage(`false`)}

	// Someone else's identical condition, created an hour before.
	other, err := staticClient(t, srv, sbToken, nil).CreateSyncCondition(ctx, same)
	if err != nil {
		t.Fatal(err)
	}
	srv.AdvanceClock(time.Hour)
	drop.n.Store(1)
	if got, err := c.CreateSyncCondition(ctx, same); err == nil || !strings.Contains(err.Error(), "not created") {
		t.Fatalf("a create that never reached Outreach returned %+v, %v; want \"not created\" (condition %d is someone else's)", got, err, other.ID)
	}

	// This client's own condition, created just now: known, so not adopted either.
	mine, err := c.CreateSyncCondition(ctx, same)
	if err != nil {
		t.Fatal(err)
	}
	drop.n.Store(1)
	if got, err := c.CreateSyncCondition(ctx, same); err == nil || !strings.Contains(err.Error(), "not created") {
		t.Fatalf("a create that never reached Outreach returned %+v, %v; want \"not created\" (condition %d belongs to another resource)", got, err, mine.ID)
	}

	// A create that was applied and whose answer was lost is still found: the new condition.
	srv.SetFaults(sandbox.Faults{OutreachLoseResponse: 1})
	got, err := c.CreateSyncCondition(ctx, same)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == other.ID || got.ID == mine.ID {
		t.Fatalf("the lost create adopted condition %d, not the one it created", got.ID)
	}
	list, err := c.ListSyncConditions(ctx, outreach.ConditionFilter{PluginID: sbPluginID})
	if err != nil || len(list) != 3 {
		t.Fatalf("conditions %+v, %v; want 3", list, err)
	}
}
