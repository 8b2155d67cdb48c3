# Shared field: Outreach and the marketing automation tool share Dynamics' "Do not allow Emails"
# column (donotemail). Outreach's opt-out flag and that column follow each other in both
# directions, so an opt-out in either tool unsubscribes the person from sales and marketing email.
# When Outreach opts a prospect out, the plugin also sets the other Dynamics opt-out columns
# (bulk email, phone, fax, mail) of the linked lead or contact.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# Credentials come from the environment: OUTREACH_* for the plugin settings, DYNAMICS_* / AZURE_*
# for the column check below (see the provider documentation).
provider "outreach" {}

# The shared column must exist and be writable, or opt-outs made in Outreach cannot reach it.
data "dynamics_attribute" "donotemail" {
  provider = outreach
  for_each = toset(var.objects)

  entity       = each.key
  logical_name = "donotemail"
}

resource "outreach_dynamics_field_mapping" "opted_out" {
  for_each = toset(var.objects)

  object         = each.key
  outreach_field = "optedOut"
  dynamics_field = data.dynamics_attribute.donotemail[each.key].logical_name
  direction      = "bidirectional"

  lifecycle {
    precondition {
      condition     = data.dynamics_attribute.donotemail[each.key].valid_for_update
      error_message = "The ${each.key}.donotemail column cannot be written in this Dynamics organization."
    }
  }
}

# A mapping only moves values while the object syncs: polling brings marketing's opt-outs from
# Dynamics to Outreach, pushing sends Outreach's opt-outs to Dynamics.
resource "outreach_dynamics_object_settings" "this" {
  for_each = toset(var.objects)

  object            = each.key
  polling           = true
  polling_frequency = var.polling_frequency
  pushing           = true
  inbound_update    = true
  outbound_update   = true
}
