# Runs against the sandbox (scripts/tftest.sh exports its OUTREACH_* and DYNAMICS_* variables).

variables {
  objects = ["contact", "lead"]
}

run "apply" {
  assert {
    condition     = length(outreach_dynamics_field_mapping.opted_out) == 2
    error_message = "Expected one mapping per object."
  }

  assert {
    condition     = alltrue([for m in outreach_dynamics_field_mapping.opted_out : m.dynamics_field == "donotemail" && m.direction == "bidirectional"])
    error_message = "Every mapping must be optedOut ↔ donotemail, in both directions."
  }

  assert {
    condition     = alltrue([for s in outreach_dynamics_object_settings.this : s.polling && s.pushing && s.polling_frequency == 15])
    error_message = "Polling (every 15 minutes) and pushing must be on for both objects."
  }
}

run "plugin_state" {
  module {
    source = "./tests/plugin_state"
  }

  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      length(output.opt_out_mappings[o]) == 1 &&
      output.opt_out_mappings[o][0].outreach_field == "optedOut" &&
      output.opt_out_mappings[o][0].dynamics_field == "donotemail" &&
      output.opt_out_mappings[o][0].direction == "bidirectional"
    ])
    error_message = "The plugin must hold exactly one opt-out mapping per object: optedOut ↔ donotemail, bidirectional. Got: ${jsonencode(output.opt_out_mappings)}"
  }

  assert {
    condition = alltrue([
      for o in ["contact", "lead"] : output.opt_out_mappings[o][0].id == run.apply.mapping_ids[o]
    ])
    error_message = "The plugin's mappings are not the ones Terraform created."
  }
}

# The coverage of the live plugin names the configuration on both objects and finds nothing.
run "coverage" {
  module {
    source = "./tests/plugin_state"
  }

  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      output.coverage[o].configuration == "shared_field" && output.coverage[o].outreach_to_dynamics && output.coverage[o].dynamics_to_outreach &&
      contains(output.coverage[o].dynamics_columns, "donotphone") && output.coverage[o].outreach_fields == tolist(["optedOut"])
    ])
    error_message = "Both objects must be shared_field, with opt-outs reaching both sides (and every opt-out column set from Outreach): ${jsonencode(output.coverage)}"
  }

  assert {
    condition     = length(output.findings) == 0
    error_message = "The shared field must have no finding: ${jsonencode(output.findings)}"
  }
}
