# Reads the plugin's mappings back from Outreach after the configuration was applied.

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
  description = "Every mapping of an Outreach opt-out field, as \"<object>.<outreach field>\" => \"<dynamics column> (<direction>)\"."
  value = merge([
    for o, d in data.outreach_dynamics_field_mappings.this : {
      for m in d.mappings : "${o}.${m.outreach_field}" => "${m.dynamics_field} (${m.direction})"
      if contains(["optedOut", "emailOptedOut", "callOptedOut", "smsOptedOut"], m.outreach_field)
    }
  ]...)
}

# The opt-out coverage of the live plugin: every mapping, condition and object setting.
data "outreach_dynamics_optout_coverage" "this" {
  objects = var.objects
}

output "coverage" {
  description = "Per object, the opt-out coverage."
  value       = data.outreach_dynamics_optout_coverage.this.coverage
}
