package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

func TestAccSequencesDataSource_transactionalListedAndFiltered(t *testing.T) {
	env := acctest.NewEnv(t)
	// Seeded: 1 "Spring nurture" (enabled), 2 "Order receipts" (enabled, transactional),
	// 3 "Legacy renewal notices" (disabled, transactional).
	added := env.Sandbox.AddSequence("Password resets", true, true, "shared")
	names := func(ns ...string) knownvalue.Check {
		checks := make([]knownvalue.Check, len(ns))
		for i, n := range ns {
			checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)})
		}
		return knownvalue.ListExact(checks)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: oversightConfig(env, `
data "outreach_sequences" "all" {}

data "outreach_sequences" "ignoring_opt_outs" {
  transactional = true
  enabled       = true
}

data "outreach_sequences" "transactional" {
  transactional = true
}

data "outreach_sequences" "respecting_disabled" {
  transactional = false
  enabled       = false
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.outreach_sequences.all", tfjsonpath.New("sequences"),
					names("Spring nurture", "Order receipts", "Legacy renewal notices", "Password resets")),
				statecheck.ExpectKnownValue("data.outreach_sequences.ignoring_opt_outs", tfjsonpath.New("sequences"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.Int64Exact(2), "name": knownvalue.StringExact("Order receipts"), "enabled": knownvalue.Bool(true),
						"transactional": knownvalue.Bool(true), "share_type": knownvalue.StringExact("private"), "updated_at": knownvalue.NotNull(),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.Int64Exact(added), "share_type": knownvalue.StringExact("shared")}),
				})),
				statecheck.ExpectKnownValue("data.outreach_sequences.transactional", tfjsonpath.New("sequences"),
					names("Order receipts", "Legacy renewal notices", "Password resets")),
				statecheck.ExpectKnownValue("data.outreach_sequences.respecting_disabled", tfjsonpath.New("sequences"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}
