# Sales Opt Out column: sales and marketing opt-outs stay apart. A custom Yes/No column
# "Sales Opt Out" on the Dynamics contact and/or lead table carries Outreach's opt-out flag, so a
# prospect who opts out of sales email in Outreach can still receive marketing email (and the
# other way round), while transactional email between sales and the person continues. Marketing
# keeps "Do not allow Emails" (donotemail) for itself.
#
# One apply changes both systems: it creates and publishes the column in Dataverse (solution
# var.solution), refreshes the plugin's field catalog, and maps optedOut to the new column.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# Credentials come from the environment: OUTREACH_* for the plugin, DYNAMICS_* / AZURE_* for
# Dataverse (see the provider documentation).
provider "outreach" {}

resource "dynamics_sales_optout_field" "sales_optout" {
  # dynamics_* types are served by the outreach provider; Terraform would otherwise look for a
  # provider named "dynamics".
  provider = outreach
  for_each = toset(var.objects)

  entity       = each.key
  schema_name  = var.schema_name
  display_name = "Sales Opt Out"
  description  = "Yes when the person opted out of sales email in Outreach. Marketing opt-outs use \"Do not allow Emails\"."
  solution     = var.solution

  # Deleting the column would delete its value in every record: keep it protected (the default)
  # unless you really mean to remove it.
  deletion_protection = var.deletion_protection
}

resource "outreach_dynamics_field_mapping" "sales_optout" {
  for_each = toset(var.objects)

  object         = each.key
  outreach_field = "optedOut"
  dynamics_field = dynamics_sales_optout_field.sales_optout[each.key].logical_name
  direction      = "bidirectional"
}
