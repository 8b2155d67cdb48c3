# Granular opt-outs: one mapping per communication channel instead of one global opt-out.
#   email ↔ "Do not allow Emails"      (emailOptedOut ↔ donotemail)
#   call  ↔ "Do not allow Phone Calls" (callOptedOut  ↔ donotphone)
#   SMS   ↔ a custom column            (smsOptedOut   ↔ new_donotsms): Dynamics has no standard
#                                       SMS opt-out column, so this configuration creates one.
# A person who asks not to be called can still be emailed, in both tools.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# Credentials come from the environment: OUTREACH_* and DYNAMICS_* / AZURE_*.
provider "outreach" {}

locals {
  objects = toset(var.objects)

  # Outreach field => Dynamics column, for the standard columns.
  standard_channels = {
    emailOptedOut = "donotemail"
    callOptedOut  = "donotphone"
  }

  standard_mappings = merge([
    for o in local.objects : {
      for of, df in local.standard_channels : "${o}.${of}" => { object = o, outreach_field = of, dynamics_field = df }
    }
  ]...)
}

# The SMS opt-out column. dynamics_sales_optout_field manages any custom Yes/No opt-out column,
# not only "Sales Opt Out".
resource "dynamics_sales_optout_field" "sms" {
  provider = outreach
  for_each = local.objects

  entity       = each.key
  schema_name  = "new_DoNotSMS"
  display_name = "Do not allow SMS"
  description  = "Yes when the person opted out of text messages (synced with Outreach's SMS opt-out)."
  true_label   = "Do Not Allow"
  false_label  = "Allow"

  deletion_protection = var.deletion_protection
}

resource "outreach_dynamics_field_mapping" "standard" {
  for_each = local.standard_mappings

  object         = each.value.object
  outreach_field = each.value.outreach_field
  dynamics_field = each.value.dynamics_field
  direction      = "bidirectional"
}

resource "outreach_dynamics_field_mapping" "sms" {
  for_each = local.objects

  object         = each.key
  outreach_field = "smsOptedOut"
  dynamics_field = dynamics_sales_optout_field.sms[each.key].logical_name
  direction      = "bidirectional"
}
