output "column_logical_names" {
  description = "Logical name of the Sales Opt Out column, per table."
  value       = { for o, f in dynamics_sales_optout_field.sales_optout : o => f.logical_name }
}

output "column_metadata_ids" {
  description = "Dataverse MetadataId of the column, per table."
  value       = { for o, f in dynamics_sales_optout_field.sales_optout : o => f.metadata_id }
}

output "mapping_ids" {
  description = "Outreach ids of the optedOut ↔ Sales Opt Out mappings, per object."
  value       = { for o, m in outreach_dynamics_field_mapping.sales_optout : o => m.id }
}
