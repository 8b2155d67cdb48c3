package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// listEmitter pushes the results of one List call. It is used inside the results iterator, so
// that every request happens while Terraform reads: it stops when Terraform stops reading and at
// the request's limit, and reports a failure as an error result (the framework ignores a
// Results reassigned inside the iterator).
type listEmitter struct {
	req  list.ListRequest
	push func(list.ListResult) bool
	sent int64
}

// emit pushes one object: its display name, its identity and, when the request includes
// resources, the full resource that resource builds. It returns false when no further result is
// wanted.
func (e *listEmitter) emit(ctx context.Context, displayName string, identity any, resource func(*diag.Diagnostics) any) bool {
	r := e.req.NewListResult(ctx)
	r.DisplayName = displayName
	r.Diagnostics.Append(r.Identity.Set(ctx, identity)...)
	if e.req.IncludeResource && !r.Diagnostics.HasError() {
		if v := resource(&r.Diagnostics); !r.Diagnostics.HasError() {
			r.Diagnostics.Append(r.Resource.Set(ctx, v)...)
		}
	}
	e.sent++
	if !e.push(r) || r.Diagnostics.HasError() {
		return false
	}
	return e.req.Limit <= 0 || e.sent < e.req.Limit
}

// fail pushes an API error as the last result.
func (e *listEmitter) fail(attr path.Path, summary string, err error) {
	var r list.ListResult
	addClientError(&r.Diagnostics, attr, summary, err)
	e.push(r)
}

// failed pushes diags as a result when they hold an error and reports whether they did.
func (e *listEmitter) failed(diags diag.Diagnostics) bool {
	if !diags.HasError() {
		return false
	}
	e.push(list.ListResult{Diagnostics: diags})
	return true
}

// listStream sets stream.Results to an iterator that runs list with an emitter. Nothing is
// requested before Terraform reads the first result.
func listStream(req list.ListRequest, stream *list.ListResultsStream, run func(*listEmitter)) {
	stream.Results = func(push func(list.ListResult) bool) {
		run(&listEmitter{req: req, push: push})
	}
}

// outreachPlugin returns the Outreach client and the plugin a list of plugin objects reads
// (plugin_id, else the provider's, else the only Dynamics plugin), or pushes the error that
// prevents listing (config diagnostics passed in included) and returns nil.
func (e *listEmitter) outreachPlugin(ctx context.Context, data *providerData, typeName string, pluginID types.Int64, diags diag.Diagnostics) (*outreach.Client, int64) {
	if data == nil && !diags.HasError() {
		diags.AddError("Provider not configured",
			fmt.Sprintf("The provider was not configured before %s was listed. Please report this issue to the provider developers.", typeName))
	}
	if e.failed(diags) {
		return nil, 0
	}
	c := data.outreachClient(&diags)
	if e.failed(diags) {
		return nil, 0
	}
	id := data.resolvePluginID(ctx, pluginID, &diags)
	if e.failed(diags) {
		return nil, 0
	}
	return c, id
}

// listPluginIDAttribute is the plugin_id filter of the list resources of plugin objects.
func listPluginIDAttribute() listschema.Int64Attribute {
	return listschema.Int64Attribute{
		Optional: true,
		MarkdownDescription: "Id of the Outreach Dynamics plugin. Defaults to the provider's `outreach.plugin_id`, else " +
			"the organization's only Dynamics plugin.",
		Validators: []validator.Int64{int64validator.AtLeast(1)},
	}
}

// listObjectAttribute is the optional CRM object filter; what names what is listed.
func listObjectAttribute(what string) listschema.StringAttribute {
	return listschema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Only the " + what + " of this CRM object: one of " + quoteJoin(crmObjects, ", ") + ". Default: every object.",
		Validators:          []validator.String{stringvalidator.OneOf(crmObjects...)},
	}
}
