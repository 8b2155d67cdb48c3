output "condition_ids" {
  description = "Outreach ids of the sync conditions, per trigger and object."
  value = {
    inbound_create  = { for o, c in outreach_dynamics_sync_condition.inbound_create_not_opted_out : o => c.id }
    outbound_create = { for o, c in outreach_dynamics_sync_condition.outbound_create_not_opted_out : o => c.id }
  }
}

output "opt_out_mappings" {
  description = "Opt-out fields mapped in the plugin (should be empty)."
  value       = local.opt_out_mappings
}
