package sandbox

import "github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"

// DataverseStats returns the emulated org's own counters: publishes, tables with unpublished
// changes, reads served from the lagging metadata cache, faults fired. Stats has only the
// request totals.
func (s *Server) DataverseStats() dataverse.OrgStats { return s.org.Stats() }
