output "mapping_ids" {
  description = "Outreach ids of the optedOut ↔ donotemail mappings, per object."
  value       = { for o, m in outreach_dynamics_field_mapping.opted_out : o => m.id }
}

output "polling_frequency" {
  description = "Minutes between polls, per object."
  value       = { for o, s in outreach_dynamics_object_settings.this : o => s.polling_frequency }
}
