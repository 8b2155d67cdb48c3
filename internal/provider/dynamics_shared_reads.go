package provider

import (
	"context"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
)

// dynamicsSharedReads reports whether reads of Boolean columns are served from one list per
// table: the same OUTREACH_PROVIDER_SHARED_READS switch as the Outreach lists (shared_reads.go),
// read on every use so that a test can switch it. A malformed value is reported by Configure.
func dynamicsSharedReads() bool {
	on, _ := sharedReadsEnabled()
	return on
}

// readBooleanColumn reads a Boolean column for a refresh: from the table's shared list when
// shared reads are on and the column is in it, else on its own (strong says how). found is false
// only when the shared list was used and does not have the column.
func readBooleanColumn(ctx context.Context, c *dynamics.Client, entity, logical string) (*dynamics.BooleanAttribute, bool, error) {
	if !dynamicsSharedReads() {
		return nil, false, nil
	}
	return c.SharedBooleanAttribute(ctx, entity, logical)
}
