# Terraform and OpenTofu 1.12 and later: adopt the condition by its identity. plugin_id may be
# left out; when given, the import checks that the condition belongs to that plugin.
import {
  to = outreach_dynamics_sync_condition.lead_not_opted_out
  identity = {
    id        = "42"
    plugin_id = 1
  }
}
