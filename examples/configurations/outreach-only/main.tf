# Outreach only: opt-outs are tracked in Outreach and not synced with Dynamics. No opt-out field
# is mapped, so Outreach's opt-out flag and Dynamics' opt-out columns live independently, and sync
# conditions keep opted-out people from crossing over: a Dynamics lead or contact that does not
# allow email is not created in Outreach, and a prospect opted out in Outreach is not created in
# Dynamics. Only the Outreach plugin settings change; nothing is written to Dynamics.
#
# Outreach users without a Dynamics integration track opted-out prospects in Outreach's Sequences
# and Reports instead; this configuration is for organizations that keep the integration.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# Credentials come from the environment (OUTREACH_*). No Dynamics credentials are needed.
provider "outreach" {}

locals {
  objects = toset(var.objects)
  # The Outreach fields that carry an opt-out; none of them may be mapped in this configuration.
  opt_out_fields = ["optedOut", "emailOptedOut", "callOptedOut", "smsOptedOut"]
}

# Dynamics → Outreach: only records that allow email become prospects.
resource "outreach_dynamics_sync_condition" "inbound_create_not_opted_out" {
  for_each = local.objects

  object   = each.key
  trigger  = "inbound_create"
  field    = "donotemail"
  operator = "equals"
  value    = "false"
}

# Outreach → Dynamics: opted-out prospects do not become leads or contacts.
resource "outreach_dynamics_sync_condition" "outbound_create_not_opted_out" {
  for_each = local.objects

  object   = each.key
  trigger  = "outbound_create"
  field    = "optedOut"
  operator = "equals"
  value    = "false"
}

# Reads every mapping, including those made in the Outreach UI, for the check below.
data "outreach_dynamics_field_mappings" "this" {
  for_each = local.objects
  object   = each.key
}

# Warns on every plan if someone maps an opt-out field by hand, which would start syncing
# opt-outs after all.
check "opt_outs_stay_in_outreach" {
  assert {
    condition     = length(local.opt_out_mappings) == 0
    error_message = "Opt-out fields are mapped in the Dynamics plugin, so opt-outs sync with Dynamics: ${join(", ", local.opt_out_mappings)}. Remove these mappings in Outreach, or choose the shared-field or Sales Opt Out configuration."
  }
}

locals {
  opt_out_mappings = flatten([
    for o, d in data.outreach_dynamics_field_mappings.this : [
      for m in d.mappings : "${o}.${m.outreach_field} ↔ ${m.dynamics_field}" if contains(local.opt_out_fields, m.outreach_field)
    ]
  ])
}
