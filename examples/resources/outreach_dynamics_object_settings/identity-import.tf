# Terraform and OpenTofu 1.12 and later: adopt the settings of an object by their identity.
# plugin_id may be left out; the provider's plugin is then used.
import {
  to = outreach_dynamics_object_settings.contact
  identity = {
    object    = "contact"
    plugin_id = 1
  }
}
