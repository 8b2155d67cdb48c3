# Find the plugin connected to a Dynamics organization.
data "outreach_dynamics_plugin" "contoso" {
  instance_url = "https://contoso.crm.dynamics.com"
}

# Or by its id.
data "outreach_dynamics_plugin" "by_id" {
  id = 1
}

output "plugin" {
  value = {
    id          = data.outreach_dynamics_plugin.contoso.id
    sync_status = data.outreach_dynamics_plugin.contoso.sync_status
  }
}
