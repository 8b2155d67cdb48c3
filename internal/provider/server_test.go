package provider

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type payloadKey struct{}

// contextKeptAfter sends one request of each kind the provider answers by the thousand, each with
// a context that carries a 1 MiB value, and reports for each whether the server still holds that
// context after the request returned.
func contextKeptAfter(t *testing.T, srv tfprotov6.ProviderServer) map[string]bool {
	t.Helper()
	calls := map[string]func(context.Context){
		"ReadResource": func(ctx context.Context) {
			_, _ = srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "outreach_dynamics_field_mapping"})
		},
		"UpgradeResourceState": func(ctx context.Context) {
			_, _ = srv.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: "outreach_dynamics_field_mapping",
				RawState: &tfprotov6.RawState{JSON: []byte(`{"id":"1"}`)}})
		},
		"ValidateResourceConfig": func(ctx context.Context) {
			_, _ = srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "outreach_dynamics_sync_condition"})
		},
		"PlanResourceChange": func(ctx context.Context) {
			_, _ = srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: "outreach_dynamics_field_mapping"})
		},
		"ReadDataSource": func(ctx context.Context) {
			_, _ = srv.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "outreach_dynamics_field_mappings"})
		},
	}
	kept := map[string]bool{}
	for name, call := range calls {
		payload := new([1 << 20]byte)
		held := weak.Make(payload)
		func() {
			ctx, cancel := context.WithCancel(context.WithValue(context.Background(), payloadKey{}, payload))
			call(ctx)
			cancel() // as gRPC cancels a request's context once it has answered
		}()
		payload = nil
		runtime.GC()
		runtime.GC()
		kept[name] = held.Value() != nil
	}
	return kept
}

func TestProtocolServerReleasesRequestContexts(t *testing.T) {
	// The framework's own server keeps every request's context (until StopProvider). If this
	// starts failing, a framework release has fixed that, and ProtocolServer's wrapping can go.
	for name, kept := range contextKeptAfter(t, providerserver.NewProtocol6(New("test")())()) {
		if !kept {
			t.Errorf("framework server: the context of %s was released; the workaround in ProtocolServer may no longer be needed", name)
		}
	}
	for name, kept := range contextKeptAfter(t, ProtocolServer("test")()) {
		if kept {
			t.Errorf("ProtocolServer: the context of %s is still held after the request returned", name)
		}
	}
}

func TestProtocolServerOffersListResourcesAndActions(t *testing.T) {
	srv := ProtocolServer("test")()
	if _, ok := srv.(tfprotov6.ListResourceServer); !ok {
		t.Error("the wrapped server hides the framework's list resources from tf6server")
	}
	if _, ok := srv.(tfprotov6.ActionServer); !ok {
		t.Error("the wrapped server hides the framework's actions from tf6server")
	}
}

func TestReleasingContext(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancelParent := context.WithDeadline(context.WithValue(context.Background(), payloadKey{}, "v"), deadline)
	defer cancelParent()
	rc := &releasingContext{}
	rc.parent.Store(&parent)

	if got := rc.Value(payloadKey{}); got != "v" {
		t.Errorf("Value before release = %v, want the parent's", got)
	}
	if d, ok := rc.Deadline(); !ok || !d.Equal(deadline) {
		t.Errorf("Deadline before release = %v %v, want the parent's", d, ok)
	}
	if rc.Err() != nil {
		t.Errorf("Err before release = %v", rc.Err())
	}

	// What the framework derives from the request's context is cancelled with it.
	derived, cancelDerived := context.WithCancel(rc)
	defer cancelDerived()
	cancelParent()
	select {
	case <-derived.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the request's context did not reach a context derived from the releasing one")
	}
	if !errors.Is(derived.Err(), context.Canceled) {
		t.Errorf("derived Err = %v", derived.Err())
	}

	rc.release()
	if rc.Value(payloadKey{}) != nil {
		t.Error("Value after release still answers from the parent")
	}
	if _, ok := rc.Deadline(); ok {
		t.Error("Deadline after release still answers from the parent")
	}
	if !errors.Is(rc.Err(), context.Canceled) {
		t.Errorf("Err after release = %v, want context.Canceled", rc.Err())
	}
	select {
	case <-rc.Done():
	default:
		t.Error("Done after release is not closed")
	}
}
