# The `make demo` configuration: the Sales Opt Out configuration through both halves of the
# provider, against the local sandbox (scripts/demo.sh starts it and exports OUTREACH_* and
# DYNAMICS_*). It creates a custom Yes/No column in Dataverse on contact and lead, then maps
# Outreach's opt-out flag to it in the Outreach Dynamics plugin, and reads both systems back.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# Everything comes from the environment the sandbox prints.
provider "outreach" {}

locals {
  objects = toset(["contact", "lead"])
}

# The plugin the mappings go to: the provider's default (OUTREACH_PLUGIN_ID).
data "outreach_dynamics_plugin" "this" {}

# The marketing team's column, which this configuration leaves alone.
data "dynamics_attribute" "donotemail" {
  provider = outreach
  for_each = local.objects

  entity       = each.key
  logical_name = "donotemail"
}

resource "dynamics_sales_optout_field" "sales_optout" {
  provider = outreach
  for_each = local.objects

  entity       = each.key
  schema_name  = "new_SalesOptOut"
  display_name = "Sales Opt Out"
  description  = "Yes when the person opted out of sales email in Outreach."

  # The demo runs against a sandbox that is reset on every run, and its columns must be
  # removable with `terraform destroy` when you try it by hand. Real configurations keep the
  # default (true): deleting a column deletes its value in every record.
  deletion_protection = false
}

resource "outreach_dynamics_field_mapping" "sales_optout" {
  for_each = local.objects

  plugin_id      = data.outreach_dynamics_plugin.this.id
  object         = each.key
  outreach_field = "optedOut"
  dynamics_field = dynamics_sales_optout_field.sales_optout[each.key].logical_name
  direction      = "bidirectional"
}

# The new column as Dataverse reports it, read after it was created.
data "dynamics_attribute" "sales_optout" {
  provider = outreach
  for_each = local.objects

  entity       = each.key
  logical_name = dynamics_sales_optout_field.sales_optout[each.key].logical_name
}

# The opt-out coverage of the plugin once the mappings exist: which configuration is in effect on
# lead and contact, whether opt-outs reach both sides, and what is wrong (nothing, here).
data "outreach_dynamics_optout_coverage" "this" {
  plugin_id  = data.outreach_dynamics_plugin.this.id
  depends_on = [outreach_dynamics_field_mapping.sales_optout]
}
