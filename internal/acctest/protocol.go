package acctest

import (
	"context"
	"fmt"
	"iter"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/optout-sync/terraform-provider-outreach/internal/provider"
)

// Protocol is the provider behind its protocol server, configured for one sandbox, as Terraform
// drives it over gRPC. Tests use it for what no CLI on this machine can drive: list resources
// and actions need Terraform 1.14, and the identity a Read returns for state written without one
// is invisible to a CLI older than 1.12. Going through the protocol server rather than calling
// the Go methods also runs the framework's own checks (a list result without identity, a list
// type with no resource).
type Protocol struct {
	t       testing.TB
	Server  tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
	ids     *tfprotov6.GetResourceIdentitySchemasResponse
}

// Protocol serves a new provider instance and configures it for this sandbox with static
// tokens, plugin 1 as the default and no retries (a failure shows at once, with no real sleep).
func (e *Env) Protocol() *Protocol {
	e.t.Helper()
	ctx := context.Background()
	srv := provider.ProtocolServer("test")()
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		e.t.Fatal(err)
	}
	failOnDiagnostics(e.t, "GetProviderSchema", schemas.Diagnostics)
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		e.t.Fatal(err)
	}
	failOnDiagnostics(e.t, "GetResourceIdentitySchemas", ids.Diagnostics)
	p := &Protocol{t: e.t, Server: srv, schemas: schemas, ids: ids}
	cfg := p.DynamicValue(schemas.Provider.ValueType(), map[string]any{
		"outreach":    map[string]any{"base_url": e.Sandbox.OutreachURL(), "access_token": OutreachToken, "plugin_id": 1},
		"dynamics":    map[string]any{"url": e.Sandbox.DynamicsURL(), "access_token": DynamicsToken, "solution": "OptOutSync"},
		"max_retries": 0,
	})
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: cfg})
	if err != nil {
		e.t.Fatal(err)
	}
	failOnDiagnostics(e.t, "ConfigureProvider", resp.Diagnostics)
	return p
}

// ResourceType is the value type of a managed resource's state.
func (p *Protocol) ResourceType(typeName string) tftypes.Type {
	s, ok := p.schemas.ResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("the provider has no resource %s", typeName)
	}
	return s.ValueType()
}

// IdentityType is the value type of a managed resource's identity.
func (p *Protocol) IdentityType(typeName string) tftypes.Type {
	s, ok := p.ids.IdentitySchemas[typeName]
	if !ok {
		p.t.Fatalf("the provider has no identity schema for %s", typeName)
	}
	return s.ValueType()
}

// ListStream starts a ListResource call with config (attribute name → Go value, see Value) and
// returns its results, read lazily: the provider sends a request only when the caller reads on.
func (p *Protocol) ListStream(typeName string, config map[string]any, includeResource bool, limit int64) iter.Seq[tfprotov6.ListResourceResult] {
	p.t.Helper()
	s, ok := p.schemas.ListResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("the provider has no list resource %s", typeName)
	}
	lister := p.lister()
	stream, err := lister.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: typeName, Config: p.DynamicValue(s.ValueType(), config), IncludeResource: includeResource, Limit: limit,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return stream.Results
}

// List is ListStream read to the end.
func (p *Protocol) List(typeName string, config map[string]any, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	return slices.Collect(p.ListStream(typeName, config, includeResource, limit))
}

// Read sends ReadResource with state and identity (nil: state written without identity, as by
// an older provider or a CLI before 1.12) and returns the response.
func (p *Protocol) Read(typeName string, state, identity map[string]any) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	req := &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: p.DynamicValue(p.ResourceType(typeName), state)}
	if identity != nil {
		req.CurrentIdentity = &tfprotov6.ResourceIdentityData{IdentityData: p.DynamicValue(p.IdentityType(typeName), identity)}
	}
	resp, err := p.Server.ReadResource(context.Background(), req)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// ImportByIdentity sends ImportResourceState with an identity, as an `import { identity = ... }`
// block does, and returns the response.
func (p *Protocol) ImportByIdentity(typeName string, identity map[string]any) *tfprotov6.ImportResourceStateResponse {
	p.t.Helper()
	resp, err := p.Server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: typeName,
		Identity: &tfprotov6.ResourceIdentityData{IdentityData: p.DynamicValue(p.IdentityType(typeName), identity)},
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// lister is the server's list resource half. The list and action calls are not part of
// tfprotov6.ProviderServer yet; the interfaces that carry them are deprecated only in favour of
// moving them there.
func (p *Protocol) lister() tfprotov6.ProviderServerWithListResource { //nolint:staticcheck // see above
	p.t.Helper()
	lister, ok := p.Server.(tfprotov6.ProviderServerWithListResource) //nolint:staticcheck // see above
	if !ok {
		p.t.Fatal("the protocol server does not serve list resources")
	}
	return lister
}

// ValidateList validates a list block's configuration and returns the diagnostics.
func (p *Protocol) ValidateList(typeName string, config map[string]any) []*tfprotov6.Diagnostic {
	p.t.Helper()
	lister := p.lister()
	resp, err := lister.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: typeName, Config: p.DynamicValue(p.schemas.ListResourceSchemas[typeName].ValueType(), config),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// Invoke runs an action with config and returns its events, the completion last.
func (p *Protocol) Invoke(actionType string, config map[string]any) []tfprotov6.InvokeActionEvent {
	p.t.Helper()
	s, ok := p.schemas.ActionSchemas[actionType]
	if !ok {
		p.t.Fatalf("the provider has no action %s", actionType)
	}
	invoker, ok := p.Server.(tfprotov6.ProviderServerWithActions) //nolint:staticcheck // not in ProviderServer yet
	if !ok {
		p.t.Fatal("the protocol server does not serve actions")
	}
	stream, err := invoker.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{
		ActionType: actionType, Config: p.DynamicValue(s.Schema.ValueType(), config),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return slices.Collect(stream.Events)
}

// DynamicValue encodes v (see Value) as msgpack of type typ, as Terraform sends values.
func (p *Protocol) DynamicValue(typ tftypes.Type, v any) *tfprotov6.DynamicValue {
	p.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, Value(typ, v))
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// Decode decodes a DynamicValue of type typ into Go values (see Native).
func (p *Protocol) Decode(typ tftypes.Type, dv *tfprotov6.DynamicValue) any {
	p.t.Helper()
	if dv == nil {
		return nil
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	return Native(v)
}

// Value builds a value of typ from Go values: a map for an object (attributes it leaves out are
// null), a slice for a list or set, string, bool, int, int64 or float64 for primitives, nil for
// null.
func Value(typ tftypes.Type, v any) tftypes.Value {
	if v == nil {
		return tftypes.NewValue(typ, nil)
	}
	switch t := typ.(type) {
	case tftypes.Object:
		m, ok := v.(map[string]any)
		if !ok {
			panic(fmt.Sprintf("acctest.Value: %T for an object", v))
		}
		for k := range m {
			if _, ok := t.AttributeTypes[k]; !ok {
				panic(fmt.Sprintf("acctest.Value: the object has no attribute %q", k))
			}
		}
		attrs := map[string]tftypes.Value{}
		for name, at := range t.AttributeTypes {
			attrs[name] = Value(at, m[name])
		}
		return tftypes.NewValue(t, attrs)
	case tftypes.List:
		return tftypes.NewValue(t, elements(t.ElementType, v))
	case tftypes.Set:
		return tftypes.NewValue(t, elements(t.ElementType, v))
	}
	switch n := v.(type) {
	case int:
		return tftypes.NewValue(typ, big.NewFloat(float64(n)))
	case int64:
		return tftypes.NewValue(typ, new(big.Float).SetInt64(n))
	case float64:
		return tftypes.NewValue(typ, big.NewFloat(n))
	}
	return tftypes.NewValue(typ, v)
}

// elements builds the elements of a list or set from a slice.
func elements(elem tftypes.Type, v any) []tftypes.Value {
	var items []tftypes.Value
	switch s := v.(type) {
	case []string:
		for _, e := range s {
			items = append(items, Value(elem, e))
		}
	case []any:
		for _, e := range s {
			items = append(items, Value(elem, e))
		}
	default:
		panic(fmt.Sprintf("acctest.Value: %T for a list", v))
	}
	return items
}

// Native turns a value into Go values: map[string]any for objects, []any for lists and sets,
// string, bool, int64 (whole numbers) or *big.Float for primitives, nil for null.
func Native(v tftypes.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	switch {
	case v.Type().Is(tftypes.Object{}) || v.Type().Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := map[string]any{}
		for k, e := range m {
			out[k] = Native(e)
		}
		return out
	case v.Type().Is(tftypes.List{}) || v.Type().Is(tftypes.Set{}) || v.Type().Is(tftypes.Tuple{}):
		var l []tftypes.Value
		_ = v.As(&l)
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = Native(e)
		}
		return out
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case v.Type().Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case v.Type().Is(tftypes.Number):
		f := new(big.Float)
		_ = v.As(&f)
		if i, acc := f.Int64(); acc == big.Exact {
			return i
		}
		return f
	}
	return v.String()
}

// DiagnosticsText joins diagnostics into one string for messages and matching.
func DiagnosticsText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%v] %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

// HasError reports whether diags hold an error.
func HasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func failOnDiagnostics(t testing.TB, call string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	if HasError(diags) {
		t.Fatalf("%s: %s", call, DiagnosticsText(diags))
	}
}
