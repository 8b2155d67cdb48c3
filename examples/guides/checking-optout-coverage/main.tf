# Checking opt-out coverage on every plan: add this to the configuration that manages your
# opt-out setup (or keep it as a root module of its own). The check reads the live plugin, every
# mapping, condition and object setting, whether Terraform manages it or someone made it in the
# Outreach UI, and warns on every `terraform plan` and `terraform apply` when opt-outs no longer
# reach where they must. It only reads: an Outreach token with plugins.read is enough.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# Credentials come from the environment: OUTREACH_* and, to check that mapped columns exist,
# DYNAMICS_* / AZURE_* (optional).
provider "outreach" {}

check "optout_coverage" {
  # A data source inside a check block is read on every plan, and a failure to read it is a
  # warning too, so the check never blocks an unrelated change.
  data "outreach_dynamics_optout_coverage" "this" {
    objects = keys(var.expected)
  }

  assert {
    condition     = alltrue([for o, want in var.expected : data.outreach_dynamics_optout_coverage.this.coverage[o].configuration == want])
    error_message = "The opt-out configuration is not the agreed one: ${join(", ", [for o, want in var.expected : "${o} is ${data.outreach_dynamics_optout_coverage.this.coverage[o].configuration} (agreed: ${want})"])}."
  }

  assert {
    condition     = length(data.outreach_dynamics_optout_coverage.this.findings) == 0
    error_message = "Opt-outs no longer reach where they must:\n- ${join("\n- ", data.outreach_dynamics_optout_coverage.this.findings)}"
  }
}

# The same read as a gate for CI: with fail_on_findings = true a finding fails `terraform plan`
# with an error instead of a warning.
data "outreach_dynamics_optout_coverage" "gate" {
  count   = var.fail_on_findings ? 1 : 0
  objects = keys(var.expected)

  lifecycle {
    postcondition {
      condition     = length(self.findings) == 0 && alltrue([for o, want in var.expected : self.coverage[o].configuration == want])
      error_message = "Opt-out coverage check failed (agreed: ${jsonencode(var.expected)}; in effect: ${jsonencode({ for o, c in self.coverage : o => c.configuration })}):\n- ${join("\n- ", self.findings)}"
    }
  }
}
