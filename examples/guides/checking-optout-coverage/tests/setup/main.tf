# The shared-field configuration with one direction per object taken from a variable, so that
# the test can break it the way a colleague in the Outreach UI would, and read the coverage back.

terraform {
  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

variable "directions" {
  type = map(string)
}

resource "outreach_dynamics_field_mapping" "opted_out" {
  for_each = var.directions

  object         = each.key
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
  direction      = each.value
}

data "outreach_dynamics_optout_coverage" "after" {
  objects    = keys(var.directions)
  depends_on = [outreach_dynamics_field_mapping.opted_out]
}

output "coverage" {
  value = data.outreach_dynamics_optout_coverage.after.coverage
}
