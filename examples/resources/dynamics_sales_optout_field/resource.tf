# A "Sales Opt Out" Yes/No column on the contact table, created in Dataverse and published.
# `provider = outreach` is required: the type name does not start with "outreach_", so without
# it Terraform would look for a provider named "dynamics".
resource "dynamics_sales_optout_field" "contact" {
  provider = outreach

  entity       = "contact"
  schema_name  = "new_SalesOptOut"
  display_name = "Sales Opt Out"
  description  = "Set when the person opted out of sales emails in Outreach. Marketing opt-outs are separate."
  true_label   = "Opted Out"
  false_label  = "Allow"
  solution     = "OptOutSync"

  timeouts {
    create = "10m"
  }
}

# Map it to Outreach's opt-out flag.
resource "outreach_dynamics_field_mapping" "contact_sales_optout" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = dynamics_sales_optout_field.contact.logical_name
}
