# Reads the opt-out coverage of the live plugin after the configuration was applied: every
# mapping, condition and object setting, whoever made them.

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
