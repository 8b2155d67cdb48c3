output "plugin" {
  description = "The Outreach Dynamics plugin the mappings belong to."
  value = {
    id           = data.outreach_dynamics_plugin.this.id
    name         = data.outreach_dynamics_plugin.this.name
    instance_url = data.outreach_dynamics_plugin.this.instance_url
    sync_status  = data.outreach_dynamics_plugin.this.sync_status
  }
}

output "sales_optout_columns" {
  description = "The Sales Opt Out column per table, as Dataverse reports it."
  value = {
    for o, a in data.dynamics_attribute.sales_optout : o => {
      logical_name     = a.logical_name
      attribute_type   = a.attribute_type
      is_custom        = a.is_custom
      valid_for_update = a.valid_for_update
    }
  }
}

output "marketing_column_untouched" {
  description = "donotemail stays the marketing team's column: standard, not mapped by this configuration."
  value       = { for o, a in data.dynamics_attribute.donotemail : o => a.display_name }
}

output "mappings" {
  description = "The Outreach mappings, per object."
  value = {
    for o, m in outreach_dynamics_field_mapping.sales_optout : o => "${m.outreach_field} ↔ ${m.dynamics_field} (${m.direction}, id ${m.id})"
  }
}

output "optout_coverage" {
  description = "The opt-out coverage per object, read from the live plugin after the apply."
  value = {
    for o, c in data.outreach_dynamics_optout_coverage.this.coverage : o => {
      configuration        = c.configuration
      outreach_to_dynamics = c.outreach_to_dynamics
      dynamics_to_outreach = c.dynamics_to_outreach
      dynamics_columns     = c.dynamics_columns
      findings             = c.findings
    }
  }
}
