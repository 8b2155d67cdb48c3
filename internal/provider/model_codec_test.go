package provider

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// randomValue is a null, unknown or known framework value of the field's type.
func randomValue(t *testing.T, rnd *rand.Rand, typ reflect.Type) reflect.Value {
	t.Helper()
	kind := rnd.IntN(5) // 0 null, 1 unknown, else known
	var v attr.Value
	switch typ {
	case reflect.TypeFor[types.String]():
		switch kind {
		case 0:
			v = types.StringNull()
		case 1:
			v = types.StringUnknown()
		default:
			v = types.StringValue([]string{"", "lead", "optedOut", "new_salesoptout", "ünïcode ✓", "a\"b"}[rnd.IntN(6)])
		}
	case reflect.TypeFor[types.Int64]():
		switch kind {
		case 0:
			v = types.Int64Null()
		case 1:
			v = types.Int64Unknown()
		default:
			v = types.Int64Value(rnd.Int64N(1<<40) - 1<<39)
		}
	case reflect.TypeFor[types.Bool]():
		switch kind {
		case 0:
			v = types.BoolNull()
		case 1:
			v = types.BoolUnknown()
		default:
			v = types.BoolValue(rnd.IntN(2) == 1)
		}
	case reflect.TypeFor[types.List]():
		switch kind {
		case 0:
			v = types.ListNull(types.StringType)
		case 1:
			v = types.ListUnknown(types.StringType)
		default:
			var elems []attr.Value
			for i := range rnd.IntN(4) {
				if rnd.IntN(6) == 0 {
					elems = append(elems, types.StringNull())
				} else {
					elems = append(elems, types.StringValue(fmt.Sprintf("v%d", i)))
				}
			}
			v = types.ListValueMust(types.StringType, elems)
		}
	default:
		t.Fatalf("randomValue: no generator for %s; add one so that the model is covered", typ)
	}
	return reflect.ValueOf(v)
}

// modelsEqual compares two models field by field with the values' own Equal.
func modelsEqual[T any](a, b T) bool {
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range ra.NumField() {
		va, okA := ra.Field(i).Interface().(attr.Value)
		vb, okB := rb.Field(i).Interface().(attr.Value)
		if !okA || !okB || !va.Equal(vb) {
			return false
		}
	}
	return true
}

func randomModel[T any](t *testing.T, rnd *rand.Rand) T {
	var m T
	rv := reflect.ValueOf(&m).Elem()
	for i := range rv.NumField() {
		rv.Field(i).Set(randomValue(t, rnd, rv.Field(i).Type()))
	}
	return m
}

// checkCodec compares codec against the framework's reflection on random models of T: the
// value written, and the model read back from state, plan and config, must be the same.
func checkCodec[T any](t *testing.T, codec *modelCodec[T], r resource.Resource) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	if sr.Diagnostics.HasError() {
		t.Fatal(sr.Diagnostics)
	}
	if !codec.prepare(ctx, sr.Schema) {
		t.Fatalf("the codec of %T does not take the resource's schema: it would fall back to reflection on every call", *new(T))
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		m := randomModel[T](t, rnd)

		byFramework := tfsdk.State{Schema: sr.Schema}
		if d := byFramework.Set(ctx, &m); d.HasError() {
			t.Fatalf("case %d: framework Set: %v", i, d)
		}
		byCodec := tfsdk.State{Schema: sr.Schema}
		if d := codec.SetState(ctx, &byCodec, &m); d.HasError() {
			t.Fatalf("case %d: codec Set: %v", i, d)
		}
		if !byCodec.Raw.Equal(byFramework.Raw) {
			t.Fatalf("case %d: written values differ\ncodec:     %s\nframework: %s", i, byCodec.Raw, byFramework.Raw)
		}

		raw := byFramework.Raw
		var want T
		if d := (tfsdk.State{Schema: sr.Schema, Raw: raw}).Get(ctx, &want); d.HasError() {
			t.Fatalf("case %d: framework Get: %v", i, d)
		}
		if !modelsEqual(want, m) {
			t.Fatalf("case %d: the framework does not read back what it wrote: %+v vs %+v", i, want, m)
		}
		for name, get := range map[string]func(*T) bool{
			"state": func(out *T) bool {
				return !codec.FromState(ctx, tfsdk.State{Schema: sr.Schema, Raw: raw}, out).HasError()
			},
			"plan": func(out *T) bool {
				return !codec.FromPlan(ctx, tfsdk.Plan{Schema: sr.Schema, Raw: raw}, out).HasError()
			},
			"config": func(out *T) bool {
				return !codec.FromConfig(ctx, tfsdk.Config{Schema: sr.Schema, Raw: raw}, out).HasError()
			},
		} {
			var got T
			if !get(&got) {
				t.Fatalf("case %d: codec read from %s failed", i, name)
			}
			if !modelsEqual(got, want) {
				t.Fatalf("case %d: read from %s differs\ncodec:     %+v\nframework: %+v", i, name, got, want)
			}
		}
		// The codec itself decoded it (a fallback would make this comparison the framework's
		// against itself).
		var direct T
		if !codec.decode(ctx, raw, &direct) || !modelsEqual(direct, want) {
			t.Fatalf("case %d: the codec did not decode the value itself", i)
		}
	}
}

func TestModelCodecMatchesFrameworkReflection(t *testing.T) {
	t.Run("field mapping", func(t *testing.T) {
		checkCodec(t, &modelCodec[fieldMappingModel]{}, NewFieldMappingResource())
	})
	t.Run("sync condition", func(t *testing.T) {
		checkCodec(t, &modelCodec[syncConditionResourceModel]{}, NewSyncConditionResource())
	})
}

// A state that is not an object of the schema's type (null here, as in Create's prior state) is
// the framework's to report: the codec gives the same diagnostics, not a silent zero model.
func TestModelCodecLeavesOddValuesToTheFramework(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewFieldMappingResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	var codec modelCodec[fieldMappingModel]
	for name, raw := range map[string]tftypes.Value{
		"null":       tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil),
		"wrong type": tftypes.NewValue(tftypes.String, "x"),
	} {
		var byCodec, byFramework fieldMappingModel
		got := codec.FromState(ctx, tfsdk.State{Schema: sr.Schema, Raw: raw}, &byCodec)
		want := (tfsdk.State{Schema: sr.Schema, Raw: raw}).Get(ctx, &byFramework)
		if !want.HasError() {
			t.Fatalf("%s: the framework accepted the value; the case tests nothing", name)
		}
		if !got.Equal(want) {
			t.Errorf("%s: diagnostics differ\ncodec:     %v\nframework: %v", name, got, want)
		}
	}

	// A struct that does not match the schema is never handled by the codec.
	type partial struct {
		ID types.String `tfsdk:"id"`
	}
	var pc modelCodec[partial]
	if pc.prepare(ctx, sr.Schema) {
		t.Error("the codec took a struct with one field for a schema with many")
	}
}

// BenchmarkFieldMappingStateConversion is a Read's state conversion (read the prior state, write
// the new one), by the codec and by the framework's reflection.
func BenchmarkFieldMappingStateConversion(b *testing.B) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewFieldMappingResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	m := fieldMappingModel{
		ID: types.StringValue("42"), PluginID: types.Int64Value(1), Object: types.StringValue("lead"),
		OutreachField: types.StringValue("optedOut"), DynamicsField: types.StringValue("new_salesoptout"),
		Direction: types.StringValue("bidirectional"), SkipEmptyToDynamics: types.BoolValue(false),
		SkipEmptyFromDynamics: types.BoolValue(true), EmptyPlaceholder: types.StringNull(), LookupType: types.StringNull(),
		CreatedAt: types.StringValue("2026-01-01T00:00:00Z"), UpdatedAt: types.StringValue("2026-01-02T00:00:00Z"),
	}
	prior := tfsdk.State{Schema: sr.Schema}
	if d := prior.Set(ctx, &m); d.HasError() {
		b.Fatal(d)
	}
	b.Run("codec", func(b *testing.B) {
		var codec modelCodec[fieldMappingModel]
		b.ReportAllocs()
		for b.Loop() {
			var got fieldMappingModel
			next := tfsdk.State{Schema: sr.Schema}
			if d := codec.FromState(ctx, prior, &got); d.HasError() {
				b.Fatal(d)
			}
			if d := codec.SetState(ctx, &next, &got); d.HasError() {
				b.Fatal(d)
			}
		}
	})
	b.Run("framework", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got fieldMappingModel
			next := tfsdk.State{Schema: sr.Schema}
			if d := prior.Get(ctx, &got); d.HasError() {
				b.Fatal(d)
			}
			if d := next.Set(ctx, &got); d.HasError() {
				b.Fatal(d)
			}
		}
	})
}
