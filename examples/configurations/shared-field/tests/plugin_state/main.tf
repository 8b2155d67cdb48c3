# Reads the plugin's settings back from Outreach after the configuration was applied, so that
# the test asserts on what the plugin holds, not on what Terraform remembers.

terraform {
  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

variable "objects" {
  type = list(string)
}

data "outreach_dynamics_field_mappings" "this" {
  for_each = toset(var.objects)
  object   = each.key
}

output "opt_out_mappings" {
  description = "Per object, every mapping of an Outreach opt-out field."
  value = {
    for o, d in data.outreach_dynamics_field_mappings.this : o => [
      for m in d.mappings : m if contains(["optedOut", "emailOptedOut", "callOptedOut", "smsOptedOut"], m.outreach_field)
    ]
  }
}

# The opt-out coverage of the live plugin: every mapping, condition and object setting.
data "outreach_dynamics_optout_coverage" "this" {
  objects = var.objects
}

output "coverage" {
  description = "Per object, the opt-out coverage."
  value       = data.outreach_dynamics_optout_coverage.this.coverage
}

output "findings" {
  description = "Every finding of the coverage."
  value       = data.outreach_dynamics_optout_coverage.this.findings
}
