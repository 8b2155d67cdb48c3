# `provider = outreach` is needed here too: with `terraform plan -generate-config-out` there is no
# resource block yet to say which provider serves the type.
import {
  to       = dynamics_sales_optout_field.contact
  id       = "contact/new_salesoptout"
  provider = outreach
}
