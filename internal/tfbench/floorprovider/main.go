// Command floorprovider is the benchmark's plugin floor: the least a provider plugin can do for
// Terraform. It serves one resource type, floor_thing, straight on terraform-plugin-go (no
// framework, no API): a read answers with the state it was sent, a plan with the proposed state,
// an apply with the plan. Terraform's cost for N of these is what any plugin provider pays for N
// resources (process start, gRPC, msgpack, state upgrade) before doing any work of its own;
// make bench reports it beside the terraform_data floor, which runs inside Terraform.
//
// It is a benchmark tool, not a provider: a request it has no use for panics.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Address is the floor provider's source address in the benchmark's dev_overrides.
const address = "registry.terraform.io/optout-sync/floor"

// thingType has the shape of a field mapping's required attributes and id.
var thingType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"id": tftypes.String, "object": tftypes.String, "outreach_field": tftypes.String, "dynamics_field": tftypes.String,
}}

type server struct {
	tfprotov6.ProviderServer // nil: what the floor does not answer panics
}

func (server) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return &tfprotov6.GetMetadataResponse{
		ServerCapabilities: &tfprotov6.ServerCapabilities{GetProviderSchemaOptional: true},
		Resources:          []tfprotov6.ResourceMetadata{{TypeName: "floor_thing"}},
	}, nil
}

func (server) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	attr := func(name string, required bool) *tfprotov6.SchemaAttribute {
		return &tfprotov6.SchemaAttribute{Name: name, Type: tftypes.String, Required: required, Computed: !required}
	}
	return &tfprotov6.GetProviderSchemaResponse{
		ServerCapabilities: &tfprotov6.ServerCapabilities{GetProviderSchemaOptional: true},
		Provider:           &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{}},
		ResourceSchemas: map[string]*tfprotov6.Schema{"floor_thing": {Block: &tfprotov6.SchemaBlock{Attributes: []*tfprotov6.SchemaAttribute{
			attr("id", false), attr("object", true), attr("outreach_field", true), attr("dynamics_field", true),
		}}}},
		DataSourceSchemas: map[string]*tfprotov6.Schema{},
	}, nil
}

func (server) GetResourceIdentitySchemas(context.Context, *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov6.GetResourceIdentitySchemasResponse{}, nil
}

func (server) ValidateProviderConfig(_ context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return &tfprotov6.ValidateProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (server) ConfigureProvider(context.Context, *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return &tfprotov6.ConfigureProviderResponse{}, nil
}

func (server) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

func (server) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (server) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	v, err := req.RawState.UnmarshalWithOpts(thingType, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(thingType, v)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (server) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

// thingAttrs is the attributes of a floor_thing value; nil for a null one (a destroy).
func thingAttrs(dv *tfprotov6.DynamicValue) (map[string]tftypes.Value, error) {
	v, err := dv.Unmarshal(thingType)
	if err != nil || v.IsNull() {
		return nil, err
	}
	var attrs map[string]tftypes.Value
	return attrs, v.As(&attrs)
}

func (server) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	attrs, err := thingAttrs(req.ProposedNewState)
	if err != nil || attrs == nil {
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState}, err
	}
	if attrs["id"].IsNull() {
		attrs["id"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	}
	planned, err := tfprotov6.NewDynamicValue(thingType, tftypes.NewValue(thingType, attrs))
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: &planned}, err
}

func (server) ApplyResourceChange(_ context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	attrs, err := thingAttrs(req.PlannedState)
	if err != nil || attrs == nil {
		return &tfprotov6.ApplyResourceChangeResponse{NewState: req.PlannedState}, err
	}
	if !attrs["id"].IsKnown() {
		var object, field string
		_ = attrs["object"].As(&object)
		_ = attrs["outreach_field"].As(&field)
		attrs["id"] = tftypes.NewValue(tftypes.String, object+"/"+field)
	}
	state, err := tfprotov6.NewDynamicValue(thingType, tftypes.NewValue(thingType, attrs))
	return &tfprotov6.ApplyResourceChangeResponse{NewState: &state}, err
}

func main() {
	if err := tf6server.Serve(address, func() tfprotov6.ProviderServer { return server{} }); err != nil {
		log.Fatal(err)
	}
}
