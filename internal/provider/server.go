package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ProtocolServer is the provider's protocol 6 server: the framework's, except that the context of
// each resource, data source, list and action request is let go of when the request returns.
//
// Why: the framework's server keeps the cancel function of every request's context until
// Terraform stops the provider (proto6server's registerContext appends it to a slice that only
// StopProvider clears), and with it the whole context: the plugin SDK's per-request loggers, the
// gRPC stream, about 14 KiB a request. A plan of 1,000 field mappings and 200 conditions makes
// about 6,000 such requests in one provider process; measured, that was 67 MiB of the provider's
// live heap at the end of the plan (and about 55 MiB for a provider that does nothing at all),
// which a soft memory limit then turned into a garbage collector that never stopped. Handing the
// framework a context that forgets its parent once the request is over keeps what the framework
// holds to a few hundred bytes a request. TestProtocolServerReleasesRequestContexts shows the
// framework's server keeping a request's context and this one not.
//
// Streams (ListResource, InvokeAction) are answered after the call returns, so their contexts are
// left as they are; a query or an action is one request, not thousands.
func ProtocolServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		fw := providerserver.NewProtocol6(New(version)())()
		if s, ok := fw.(frameworkServer); ok {
			return releasingServer{s}
		}
		return fw // a framework without list resources or actions: nothing to wrap safely
	}
}

// frameworkServer is what the framework's server implements and Terraform may ask for.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

type releasingServer struct {
	frameworkServer
}

// released calls fn with a context that answers like ctx until fn returns and is detached after.
func released[Req, Resp any](ctx context.Context, req Req, fn func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := &releasingContext{}
	rc.parent.Store(&ctx)
	defer rc.release()
	return fn(rc, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceIdentity)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.MoveResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadDataSource)
}

func (s releasingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateListResourceConfig)
}

func (s releasingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateActionConfig)
}

func (s releasingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanAction)
}

// releasingContext is a request's context that can let go of it. Until release it answers
// exactly like its parent (deadline, cancellation, values); after release it is a cancelled
// context with no values, as the request's own context is once gRPC has finished the request,
// and whatever still holds it no longer holds the request.
type releasingContext struct {
	parent atomic.Pointer[context.Context]
}

var closedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (c *releasingContext) get() context.Context {
	if p := c.parent.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *releasingContext) release() { c.parent.Store(nil) }

func (c *releasingContext) Deadline() (time.Time, bool) {
	if p := c.get(); p != nil {
		return p.Deadline()
	}
	return time.Time{}, false
}

func (c *releasingContext) Done() <-chan struct{} {
	if p := c.get(); p != nil {
		return p.Done()
	}
	return closedDone
}

func (c *releasingContext) Err() error {
	if p := c.get(); p != nil {
		return p.Err()
	}
	return context.Canceled
}

func (c *releasingContext) Value(key any) any {
	if p := c.get(); p != nil {
		return p.Value(key)
	}
	return nil
}
