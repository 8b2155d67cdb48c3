# Runs against the sandbox (scripts/tftest.sh exports its OUTREACH_* and DYNAMICS_* variables).

variables {
  objects = ["contact", "lead"]
  # Lets `terraform test` remove the columns again when it tears down. Real configurations keep
  # the default (true).
  deletion_protection = false
}

run "apply" {
  assert {
    condition     = alltrue([for f in dynamics_sales_optout_field.sales_optout : f.logical_name == "new_salesoptout" && f.attribute_type == "Boolean"])
    error_message = "Expected a Boolean column new_salesoptout on every table."
  }

  assert {
    condition     = alltrue([for o, m in outreach_dynamics_field_mapping.sales_optout : m.dynamics_field == "new_salesoptout" && m.direction == "bidirectional"])
    error_message = "Every mapping must be optedOut ↔ new_salesoptout, in both directions."
  }
}

run "plugin_state" {
  module {
    source = "./tests/plugin_state"
  }

  variables {
    logical_name = "new_salesoptout"
  }

  # Dataverse: the column exists, is custom, Boolean and writable.
  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      output.columns[o].attribute_type == "Boolean" && output.columns[o].is_custom && output.columns[o].valid_for_update &&
      output.columns[o].display_name == "Sales Opt Out" && output.columns[o].metadata_id == run.apply.column_metadata_ids[o]
    ])
    error_message = "The Sales Opt Out column is missing or wrong in Dataverse: ${jsonencode(output.columns)}"
  }

  # Outreach: the plugin's catalog knows the new column (its fields were refreshed) ...
  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      output.catalog_column[o] != null ? output.catalog_column[o].type == "boolean" && output.catalog_column[o].writable : false
    ])
    error_message = "The plugin's field catalog does not list a writable boolean new_salesoptout: ${jsonencode(output.catalog_column)}"
  }

  # ... and optedOut is mapped to it, not to the marketing column donotemail.
  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      length(output.opt_out_mappings[o]) == 1 &&
      output.opt_out_mappings[o][0].outreach_field == "optedOut" &&
      output.opt_out_mappings[o][0].dynamics_field == "new_salesoptout" &&
      output.opt_out_mappings[o][0].direction == "bidirectional" &&
      output.opt_out_mappings[o][0].id == run.apply.mapping_ids[o]
    ])
    error_message = "The plugin must hold exactly one opt-out mapping per object: optedOut ↔ new_salesoptout. Got: ${jsonencode(output.opt_out_mappings)}"
  }
}

# The coverage of the live plugin names the configuration on both objects and finds nothing.
run "coverage" {
  module {
    source = "./tests/plugin_state"
  }

  variables {
    logical_name = "new_salesoptout"
  }

  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      output.coverage[o].configuration == "sales_field" && output.coverage[o].outreach_to_dynamics && output.coverage[o].dynamics_to_outreach &&
      output.coverage[o].dynamics_columns == tolist(["new_salesoptout"])
    ])
    error_message = "Both objects must be sales_field, with opt-outs reaching both sides through new_salesoptout alone: ${jsonencode(output.coverage)}"
  }

  assert {
    condition     = length(output.findings) == 0
    error_message = "The Sales Opt Out column must have no finding: ${jsonencode(output.findings)}"
  }
}
