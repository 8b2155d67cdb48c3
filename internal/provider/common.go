package provider

import (
	"context"

	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// crmObjects are the Dynamics objects the plugin syncs, in the contract's words.
var crmObjects = []string{"lead", "contact", "account", "opportunity", "task", "appointment", "systemuser"}

// configureData extracts the provider data in a resource's or data source's Configure.
func configureData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil // the provider is not configured yet (validation); Configure runs again later
	}
	d, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", raw))
		return nil
	}
	return d
}

// addClientError turns a client error into a diagnostic with a summary a user can scan and the
// API's own words in the detail. Every resource reports API errors through here.
func addClientError(diags *diag.Diagnostics, attr path.Path, summary string, err error) {
	detail := err.Error()
	if apiErr, ok := outreach.AsAPIError(err); ok {
		switch apiErr.StatusCode {
		case 401:
			detail += "\n\nThe Outreach credentials were refused: check outreach.access_token or the OAuth/S2S settings."
		case 403:
			detail += "\n\nThe token lacks a scope: managing the plugin needs plugins.read, plugins.write and plugins.delete (or plugins.all)."
		}
	}
	if dvErr, ok := dynamics.AsError(err); ok {
		switch dvErr.StatusCode {
		case 401:
			detail += "\n\nDataverse refused the credentials: check the dynamics block, and that the app registration has an application user in the organization."
		case 403:
			detail += "\n\nThe Dataverse user lacks a privilege: managing columns needs the System Customizer role (or prvCreateAttribute, prvWriteAttribute, prvDeleteAttribute, prvPublishCustomizations)."
		}
	}
	if attr.Equal(path.Empty()) {
		diags.AddError(summary, detail)
		return
	}
	diags.AddAttributeError(attr, summary, detail)
}

// resolvePluginID returns the plugin a resource works on: its own plugin_id, else the provider's,
// else the organization's only Dynamics plugin.
func (d *providerData) resolvePluginID(ctx context.Context, configured types.Int64, diags *diag.Diagnostics) int64 {
	if !configured.IsNull() && !configured.IsUnknown() {
		return configured.ValueInt64()
	}
	if d.pluginID != 0 {
		return d.pluginID
	}
	c := d.outreachClient(diags)
	if c == nil {
		return 0
	}
	return d.catalog.onlyDynamicsPlugin(ctx, c, diags)
}

// findField looks a field up by side and name.
func findField(fields []outreach.Field, side, name string) (outreach.Field, bool) {
	for _, f := range fields {
		if f.Side == side && f.Name == name {
			return f, true
		}
	}
	return outreach.Field{}, false
}

// suggest returns up to three names closest to name, for "did you mean" hints.
func suggest(name string, candidates []string) []string {
	type scored struct {
		name string
		d    int
	}
	var s []scored
	lower := strings.ToLower(name)
	for _, c := range candidates {
		d := levenshtein(lower, strings.ToLower(c))
		if strings.Contains(strings.ToLower(c), lower) || strings.Contains(lower, strings.ToLower(c)) {
			d = min(d, 2)
		}
		if d <= max(3, len(name)/2) {
			s = append(s, scored{c, d})
		}
	}
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].d != s[j].d {
			return s[i].d < s[j].d
		}
		return s[i].name < s[j].name
	})
	var out []string
	for i := 0; i < len(s) && i < 3; i++ {
		out = append(out, s[i].name)
	}
	return out
}

// didYouMean formats suggestions as a sentence, or "" when there are none.
func didYouMean(name string, candidates []string) string {
	s := suggest(name, candidates)
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf(" Did you mean %s?", quoteJoin(s, " or "))
}

func quoteJoin(items []string, sep string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, sep)
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func sortStrings(s []string) { slices.Sort(s) }

// pluginIDAttribute is the plugin_id attribute of every resource that lives in a plugin. An unset
// plugin_id resolves at plan time and then stays with the resource (UseStateForUnknown), so a
// later change of the provider default never moves existing resources; a configured value that
// changes replaces the resource (what stays is described by moves).
func pluginIDAttribute(moves string) rschema.Int64Attribute {
	return rschema.Int64Attribute{
		Optional: true,
		Computed: true,
		MarkdownDescription: "Id of the Outreach Dynamics plugin. Defaults to the provider's `outreach.plugin_id`, else the " +
			"organization's only Dynamics plugin (several plugins and none given is an error that names them). " + moves,
		Validators:    []validator.Int64{int64validator.AtLeast(1)},
		PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown(), int64planmodifier.RequiresReplace()},
	}
}

// planPluginID makes the plugin of a resource being created known in its plan, so that the plan
// shows it instead of "(known after apply)". It returns the plugin id of the plan, or 0 when it
// is not known (yet) or a diagnostic was added.
func (d *providerData) planPluginID(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) int64 {
	var planned, configured types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("plugin_id"), &planned)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("plugin_id"), &configured)...)
	if resp.Diagnostics.HasError() {
		return 0
	}
	if !planned.IsUnknown() {
		return planned.ValueInt64()
	}
	if !req.State.Raw.IsNull() || configured.IsUnknown() {
		return 0 // an existing resource keeps its plugin; an unknown config value resolves on apply
	}
	if d.outreach == nil && configUnknown(d.outreachErr) {
		return 0 // the provider connects on apply, once its own configuration is known
	}
	id := d.resolvePluginID(ctx, configured, &resp.Diagnostics)
	if id == 0 {
		return 0
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("plugin_id"), types.Int64Value(id))...)
	return id
}
