package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

var (
	_ datasource.DataSource              = &SequencesDataSource{}
	_ datasource.DataSourceWithConfigure = &SequencesDataSource{}
)

func init() { dataSourceConstructors = append(dataSourceConstructors, NewSequencesDataSource) }

// NewSequencesDataSource returns the outreach_sequences data source.
func NewSequencesDataSource() datasource.DataSource { return &SequencesDataSource{} }

// SequencesDataSource lists the organization's sequences through the public API, with the flag
// that matters for opt-outs: a transactional sequence ignores them.
type SequencesDataSource struct{ data *providerData }

type sequencesDataSourceModel struct {
	Transactional types.Bool      `tfsdk:"transactional"`
	Enabled       types.Bool      `tfsdk:"enabled"`
	Sequences     []sequenceModel `tfsdk:"sequences"`
}

type sequenceModel struct {
	ID            types.Int64  `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Enabled       types.Bool   `tfsdk:"enabled"`
	Transactional types.Bool   `tfsdk:"transactional"`
	ShareType     types.String `tfsdk:"share_type"`
	UpdatedAt     types.String `tfsdk:"updated_at"`
}

// Metadata names the data source.
func (d *SequencesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sequences"
}

// Schema describes the data source.
func (d *SequencesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Outreach organization's sequences (`GET /api/v2/sequences` of the public API). A " +
			"*transactional* sequence does not respect prospects' opt-out preferences (Outreach: \"intended only for " +
			"non-marketing sequences\"): it emails people who opted out, so an enabled one deserves a look. Needs the " +
			"`sequences.read` scope, and only that.",
		Attributes: map[string]schema.Attribute{
			"transactional": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Only sequences whose `transactional` flag has this value. All when unset.",
			},
			"enabled": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Only sequences that are (`true`) or are not (`false`) enabled. All when unset.",
			},
			"sequences": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching sequences, by id.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":            schema.Int64Attribute{Computed: true, MarkdownDescription: "Sequence id."},
					"name":          schema.StringAttribute{Computed: true, MarkdownDescription: "Sequence name."},
					"enabled":       schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the sequence is enabled."},
					"transactional": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the sequence ignores opt-outs."},
					"share_type":    schema.StringAttribute{Computed: true, MarkdownDescription: "Who may use it, e.g. `private`, `read_only` or `shared`."},
					"updated_at":    schema.StringAttribute{Computed: true, MarkdownDescription: "Last update (RFC 3339)."},
				}},
			},
		},
	}
}

// Configure receives the provider data.
func (d *SequencesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// Read lists the sequences.
func (d *SequencesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m sequencesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.data.outreachClient(&resp.Diagnostics)
	if c == nil {
		return
	}
	seqs, err := c.ListSequences(ctx, outreach.SequenceFilter{Transactional: m.Transactional.ValueBoolPointer(), Enabled: m.Enabled.ValueBoolPointer()})
	if err != nil {
		addPublicAPIError(&resp.Diagnostics, "outreach_sequences", outreach.ScopeSequencesRead, "Cannot list the Outreach sequences", err)
		return
	}
	m.Sequences = make([]sequenceModel, 0, len(seqs))
	for _, s := range seqs {
		m.Sequences = append(m.Sequences, sequenceModel{
			ID: types.Int64Value(s.ID), Name: types.StringValue(s.Name), Enabled: types.BoolValue(s.Enabled),
			Transactional: types.BoolValue(s.Transactional), ShareType: types.StringValue(s.ShareType), UpdatedAt: timeValue(s.UpdatedAt),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
