# Terraform and OpenTofu 1.12 and later: adopt the column by its identity. The import block
# names the provider, as every dynamics_* block does.
import {
  provider = outreach
  to       = dynamics_sales_optout_field.contact
  identity = {
    entity       = "contact"
    logical_name = "new_salesoptout"
  }
}
