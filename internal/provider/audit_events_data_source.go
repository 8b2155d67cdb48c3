package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ datasource.DataSource                   = &AuditEventsDataSource{}
	_ datasource.DataSourceWithConfigure      = &AuditEventsDataSource{}
	_ datasource.DataSourceWithValidateConfig = &AuditEventsDataSource{}
)

func init() { dataSourceConstructors = append(dataSourceConstructors, NewAuditEventsDataSource) }

// NewAuditEventsDataSource returns the outreach_audit_events data source.
func NewAuditEventsDataSource() datasource.DataSource { return &AuditEventsDataSource{} }

// AuditEventsDataSource reads the organization's audit log through the public API: by default
// the changes made to the CRM plugin, its field mappings and its type mappings, wherever they were
// made (the Outreach UI included).
type AuditEventsDataSource struct{ data *providerData }

type auditEventsDataSourceModel struct {
	EventNames types.List        `tfsdk:"event_names"`
	Actions    types.List        `tfsdk:"actions"`
	Since      types.String      `tfsdk:"since"`
	Limit      types.Int64       `tfsdk:"limit"`
	Events     []auditEventModel `tfsdk:"events"`
}

type auditEventModel struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	Action    types.String `tfsdk:"action"`
	Result    types.String `tfsdk:"result"`
	Timestamp types.String `tfsdk:"timestamp"`
	RequestID types.String `tfsdk:"request_id"`
	Agent     types.String `tfsdk:"agent"`
	Changes   types.String `tfsdk:"changes"`
}

// auditRetention is how long Outreach usually keeps audit entries; a longer window is allowed
// but cannot show more.
const auditRetention = 90 * 24 * time.Hour

// Metadata names the data source.
func (d *AuditEventsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit_events"
}

// Schema describes the data source.
func (d *AuditEventsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the Outreach organization's audit log (`GET /api/v2/auditLogs` of the public API), newest " +
			"first. By default it lists the changes made to the CRM plugin, its field mappings and its type mappings — " +
			"including changes made by hand in the Outreach UI — so that a `check` block can warn about them in every plan. " +
			"Needs the `auditLogs.read` scope, and only that. Outreach usually keeps audit entries for 90 days.",
		Attributes: map[string]schema.Attribute{
			"event_names": schema.ListAttribute{
				ElementType: types.StringType, Optional: true, Computed: true,
				MarkdownDescription: "Event names to list. Defaults to the plugin events: `" + strings.Join(outreach.PluginEventNames, "`, `") + "`.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(eventNamePattern,
						"must be an audit event name in snake_case, such as plugin_updated")),
				},
			},
			"actions": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Only events with one of these actions: `create`, `update`, `delete`. All when unset.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(outreach.AuditActions...)),
				},
			},
			"since": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only events at or after this time: an RFC 3339 time (`2026-01-02T15:04:05Z`) or a duration " +
					"back from now in Go syntax (`24h`, `168h` for a week; there is no day unit). The window is applied " +
					"by Outreach (`filter[timestamp]=<time>..inf`). All retained events when unset.",
			},
			"limit": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Read at most this many events (the newest). All matching events when unset.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"events": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching events, newest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":         str("Id of the audit entry."),
					"name":       str("Event name, e.g. `plugin_field_mapping_updated`."),
					"action":     str("`create`, `update` or `delete`."),
					"result":     str("`completed`, `pending` or `failed`."),
					"timestamp":  str("When it happened (RFC 3339, UTC)."),
					"request_id": str("UUID shared by the events of one request."),
					"agent": str("Who acted, as the JSON text Outreach sent (`null` when absent). Its shape is not documented: " +
						"show it, or read it with `try(jsondecode(...), ...)`, but do not rely on its members."),
					"changes": str("What changed, as the JSON text Outreach sent (usually an array; `null` when absent). " +
						"Its shape is not documented either."),
				}},
			},
		},
	}
}

// eventNamePattern refuses commas (the API reads a comma as a list separator) and anything else
// that cannot be an event name.
var eventNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Configure receives the provider data.
func (d *AuditEventsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks since before anything is read.
func (d *AuditEventsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var since types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("since"), &since)...)
	if since.IsNull() || since.IsUnknown() {
		return
	}
	t, err := parseSince(since.ValueString(), time.Now())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("since"), "Invalid since", err.Error())
		return
	}
	if time.Since(t) > auditRetention {
		resp.Diagnostics.AddAttributeWarning(path.Root("since"), "since reaches past the audit log's retention",
			fmt.Sprintf("Outreach usually keeps audit entries for 90 days, so events before %s are probably gone; the window "+
				"%q cannot show more than the last 90 days.", time.Now().Add(-auditRetention).UTC().Format(time.RFC3339), since.ValueString()))
	}
}

// parseSince reads an RFC 3339 time, or a positive Go duration counted back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("since must be an RFC 3339 time such as 2026-01-02T15:04:05Z, or a positive duration "+
			"back from now such as 24h or 168h (Go syntax: h, m, s; there is no day unit); got %q", s)
	}
	return now.Add(-d), nil
}

// Read lists the events.
func (d *AuditEventsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m auditEventsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	f := outreach.AuditEventFilter{EventNames: outreach.PluginEventNames}
	if !m.EventNames.IsNull() {
		resp.Diagnostics.Append(m.EventNames.ElementsAs(ctx, &f.EventNames, false)...)
	}
	if !m.Actions.IsNull() {
		resp.Diagnostics.Append(m.Actions.ElementsAs(ctx, &f.Actions, false)...)
	}
	if !m.Since.IsNull() {
		t, err := parseSince(m.Since.ValueString(), time.Now())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("since"), "Invalid since", err.Error())
		}
		f.Since = t
	}
	if !m.Limit.IsNull() {
		f.Limit = int(m.Limit.ValueInt64())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	events, err := c.ListAuditEvents(ctx, f)
	if err != nil {
		addPublicAPIError(&resp.Diagnostics, "outreach_audit_events", outreach.ScopeAuditLogsRead, "Cannot read the Outreach audit log", err)
		return
	}
	names, diags := types.ListValueFrom(ctx, types.StringType, f.EventNames)
	resp.Diagnostics.Append(diags...)
	m.EventNames = names
	m.Events = make([]auditEventModel, 0, len(events))
	for _, e := range events {
		m.Events = append(m.Events, auditEventModel{
			ID: types.StringValue(e.ID), Name: types.StringValue(e.Name), Action: types.StringValue(e.Action),
			Result: types.StringValue(e.Result), Timestamp: timeValue(e.Timestamp), RequestID: types.StringValue(e.RequestID),
			Agent: jsonText(e.Agent), Changes: jsonText(e.Changes),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// jsonText renders raw JSON compactly, null when there is none: the text is the same whatever
// whitespace the API used, so an unchanged event never shows as a diff.
func jsonText(raw json.RawMessage) types.String {
	if len(raw) == 0 {
		return types.StringNull()
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return types.StringValue(string(raw))
	}
	return types.StringValue(b.String())
}
