# Warns on every plan when someone weakens the opt-out setup by hand, in the Outreach UI or in
# Dynamics: here the agreed configuration is the Sales Opt Out column on lead and contact.
check "optout_coverage" {
  data "outreach_dynamics_optout_coverage" "this" {}

  assert {
    condition     = alltrue([for o, c in data.outreach_dynamics_optout_coverage.this.coverage : c.configuration == "sales_field"])
    error_message = "The opt-out configuration changed: ${jsonencode({ for o, c in data.outreach_dynamics_optout_coverage.this.coverage : o => c.configuration })}."
  }

  assert {
    condition     = length(data.outreach_dynamics_optout_coverage.this.findings) == 0
    error_message = "Opt-outs no longer reach where they must:\n- ${join("\n- ", data.outreach_dynamics_optout_coverage.this.findings)}"
  }
}
