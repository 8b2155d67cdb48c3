package provider

import (
	"context"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
)

// readBooleanColumn reads a Boolean column for a refresh: from the table's shared list when
// shared reads are on (the OUTREACH_PROVIDER_SHARED_READS switch of the Outreach lists, read once
// by Configure into sharedReads) and the column is in it, else on its own (strong says how).
// found is false only when the shared list was used and does not have the column.
func readBooleanColumn(ctx context.Context, shared bool, c *dynamics.Client, entity, logical string) (*dynamics.BooleanAttribute, bool, error) {
	if !shared {
		return nil, false, nil
	}
	return c.SharedBooleanAttribute(ctx, entity, logical)
}
