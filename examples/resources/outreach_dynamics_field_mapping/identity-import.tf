# Terraform and OpenTofu 1.12 and later: adopt the mapping by its identity. plugin_id may be left
# out; the provider's plugin is then used.
import {
  to = outreach_dynamics_field_mapping.contact_opted_out
  identity = {
    object         = "contact"
    outreach_field = "optedOut"
    plugin_id      = 1
  }
}
