# Changes to the CRM plugin, its field mappings and its type mappings in the last week,
# wherever they were made (the Outreach UI included), newest first.
data "outreach_audit_events" "plugin_week" {
  since = "168h"
}

# Only deleted field mappings, the newest 20.
data "outreach_audit_events" "deleted_mappings" {
  event_names = ["plugin_field_mapping_destroyed"]
  since       = "2026-01-01T00:00:00Z"
  limit       = 20
}

output "plugin_changes_this_week" {
  value = [
    for e in data.outreach_audit_events.plugin_week.events :
    "${e.timestamp} ${e.name} by ${e.agent}"
  ]
}
