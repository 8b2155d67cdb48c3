# Adopt the mapping that already exists in the plugin settings. Any of the forms accepted by
# `terraform import` works as the id: "42", "contact/optedOut" or "1/contact/optedOut".
import {
  to = outreach_dynamics_field_mapping.contact_opted_out
  id = "contact/optedOut"
}
