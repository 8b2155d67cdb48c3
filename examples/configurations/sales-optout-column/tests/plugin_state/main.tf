# Reads both systems back after the configuration was applied: the plugin's mappings and field
# catalog from Outreach, and the column definition from Dataverse.

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

variable "logical_name" {
  type = string
}

data "outreach_dynamics_field_mappings" "this" {
  for_each = toset(var.objects)
  object   = each.key
}

data "outreach_dynamics_fields" "dynamics" {
  for_each = toset(var.objects)
  object   = each.key
  side     = "dynamics"
}

data "dynamics_attribute" "column" {
  provider = outreach
  for_each = toset(var.objects)

  entity       = each.key
  logical_name = var.logical_name
}

output "opt_out_mappings" {
  description = "Per object, every mapping of an Outreach opt-out field."
  value = {
    for o, d in data.outreach_dynamics_field_mappings.this : o => [
      for m in d.mappings : m if contains(["optedOut", "emailOptedOut", "callOptedOut", "smsOptedOut"], m.outreach_field)
    ]
  }
}

output "catalog_column" {
  description = "Per object, the column as the plugin's field catalog lists it (null when missing)."
  value = {
    for o, d in data.outreach_dynamics_fields.dynamics : o => one([for f in d.fields : f if f.name == var.logical_name])
  }
}

output "columns" {
  description = "Per table, the column's Dataverse definition."
  value       = data.dynamics_attribute.column
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
