# Terraform 1.14 and later. Refresh the plugin's field catalog as soon as the column exists, so
# that the Outreach UI (and anything else that maps it) sees it at once.
action "outreach_dynamics_refresh_fields" "catalog" {
  config {
    plugin_id = 1 # optional: default the provider's plugin
  }
}

resource "dynamics_sales_optout_field" "contact" {
  provider    = outreach
  entity      = "contact"
  schema_name = "new_SalesOptOut"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.outreach_dynamics_refresh_fields.catalog]
    }
  }
}

# Or run it by hand:
#   terraform apply -invoke=action.outreach_dynamics_refresh_fields.catalog
