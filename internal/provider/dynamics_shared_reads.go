package provider

import (
	"context"
	"os"
	"strings"

	"github.com/optout-sync/terraform-provider-outreach/internal/dynamics"
)

// dynamicsSharedReadsEnv turns the shared Dataverse reads off when set to false (or 0, no, off):
// every dynamics_sales_optout_field and dynamics_attribute then reads its own column.
const dynamicsSharedReadsEnv = "OUTREACH_PROVIDER_SHARED_READS"

// dynamicsSharedReads reports whether reads of Boolean columns are served from one list per
// table. It is read on every use, so that a test can switch it.
func dynamicsSharedReads() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(dynamicsSharedReadsEnv))) {
	case "false", "0", "no", "off":
		return false
	}
	return true
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
