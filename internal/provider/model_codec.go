package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// modelCodec converts a resource model (a struct whose fields are framework values tagged
// `tfsdk:"name"`, one per top-level attribute) to and from the Terraform value of its schema,
// with what reflection can tell once, worked out once.
//
// Why not tfsdk.State.Get and Set: the framework re-derives a struct's layout on every call and
// compiles a regular expression for every field while doing so
// (hashicorp/terraform-plugin-framework#725). Profiled at 1,000 field mappings and 200
// conditions, those conversions were a fifth of the provider's CPU time in a refresh and a
// fifth of what it allocated in a plan, for a handful of string fields per resource; the
// allocations also drove the garbage collector. The codec keeps the framework's semantics: each
// field is made by the schema attribute type's own ValueFromTerraform and written with the
// value's own ToTerraformValue, the result goes through State.Set's tftypes.Value path (which
// checks the type), and anything it was not built for (a struct that does not match the schema,
// a value that is not an object) goes to the framework's reflection as before, so its
// diagnostics stay the framework's. TestModelCodecMatchesFrameworkReflection proves the two
// agree on every model that uses a codec.
type modelCodec[T any] struct {
	once    sync.Once
	ok      bool // false: the struct and the schema do not match; fall back to reflection
	objType tftypes.Type
	fields  []codecField
}

type codecField struct {
	name  string
	index int
	typ   attr.Type
}

// schemaTyper is the part of a framework schema the codec needs (tfsdk.State.Schema and friends
// are of an internal interface type that has it).
type schemaTyper interface {
	Type() attr.Type
}

// prepare works out the field layout from the struct and the schema, once.
func (c *modelCodec[T]) prepare(ctx context.Context, s schemaTyper) bool {
	c.once.Do(func() {
		if s == nil {
			return
		}
		obj, isObj := s.Type().(attr.TypeWithAttributeTypes)
		if !isObj {
			return
		}
		attrTypes := obj.AttributeTypes()
		rt := reflect.TypeFor[T]()
		if rt.Kind() != reflect.Struct || rt.NumField() != len(attrTypes) {
			return
		}
		valueType := reflect.TypeFor[attr.Value]()
		fields := make([]codecField, 0, rt.NumField())
		for i := range rt.NumField() {
			f := rt.Field(i)
			name := f.Tag.Get("tfsdk")
			typ, known := attrTypes[name]
			if !f.IsExported() || !known || !f.Type.Implements(valueType) {
				return
			}
			// The attribute type must produce exactly the field's Go type, as the framework's
			// reflection would assign it.
			zero, err := typ.ValueFromTerraform(ctx, tftypes.NewValue(typ.TerraformType(ctx), nil))
			if err != nil || reflect.TypeOf(zero) != f.Type {
				return
			}
			fields = append(fields, codecField{name: name, index: i, typ: typ})
		}
		c.objType = s.Type().TerraformType(ctx)
		c.fields = fields
		c.ok = true
	})
	return c.ok
}

// decode fills out from an object value; false when raw is not a known, non-null object of the
// schema's type (the caller then lets the framework report it).
func (c *modelCodec[T]) decode(ctx context.Context, raw tftypes.Value, out *T) bool {
	if raw.IsNull() || !raw.IsKnown() || !raw.Type().Equal(c.objType) {
		return false
	}
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		return false
	}
	var m T
	rv := reflect.ValueOf(&m).Elem()
	for _, f := range c.fields {
		v, err := f.typ.ValueFromTerraform(ctx, attrs[f.name])
		if err != nil {
			return false
		}
		rv.Field(f.index).Set(reflect.ValueOf(v))
	}
	*out = m
	return true
}

// encode is the object value of in.
func (c *modelCodec[T]) encode(ctx context.Context, in *T) (tftypes.Value, error) {
	rv := reflect.ValueOf(in).Elem()
	attrs := make(map[string]tftypes.Value, len(c.fields))
	for _, f := range c.fields {
		av, ok := rv.Field(f.index).Interface().(attr.Value)
		if !ok { // prepare admitted only attr.Value fields
			return tftypes.Value{}, fmt.Errorf("attribute %s: not a framework value", f.name)
		}
		v, err := av.ToTerraformValue(ctx)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("attribute %s: %w", f.name, err)
		}
		attrs[f.name] = v
	}
	return tftypes.NewValue(c.objType, attrs), nil
}

// FromState is State.Get for T.
func (c *modelCodec[T]) FromState(ctx context.Context, st tfsdk.State, out *T) diag.Diagnostics {
	if c.prepare(ctx, st.Schema) && c.decode(ctx, st.Raw, out) {
		return nil
	}
	return st.Get(ctx, out)
}

// FromPlan is Plan.Get for T.
func (c *modelCodec[T]) FromPlan(ctx context.Context, p tfsdk.Plan, out *T) diag.Diagnostics {
	if c.prepare(ctx, p.Schema) && c.decode(ctx, p.Raw, out) {
		return nil
	}
	return p.Get(ctx, out)
}

// FromConfig is Config.Get for T.
func (c *modelCodec[T]) FromConfig(ctx context.Context, cfg tfsdk.Config, out *T) diag.Diagnostics {
	if c.prepare(ctx, cfg.Schema) && c.decode(ctx, cfg.Raw, out) {
		return nil
	}
	return cfg.Get(ctx, out)
}

// SetState is State.Set for T.
func (c *modelCodec[T]) SetState(ctx context.Context, st *tfsdk.State, in *T) diag.Diagnostics {
	if !c.prepare(ctx, st.Schema) {
		return st.Set(ctx, in)
	}
	v, err := c.encode(ctx, in)
	if err != nil {
		return st.Set(ctx, in) // the framework words the error
	}
	return st.Set(ctx, v)
}

// The codecs of the resources refreshed and planned by the thousand.
var (
	fieldMappingCodec  modelCodec[fieldMappingModel]
	syncConditionCodec modelCodec[syncConditionResourceModel]
)
