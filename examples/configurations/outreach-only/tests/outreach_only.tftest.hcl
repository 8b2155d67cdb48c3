# Runs against the sandbox (scripts/tftest.sh exports its OUTREACH_* variables).

variables {
  objects = ["contact", "lead"]
}

run "apply" {
  # The conditions as Outreach stored them (Create records the API's answer).
  assert {
    condition = alltrue([
      for c in outreach_dynamics_sync_condition.inbound_create_not_opted_out :
      c.trigger == "inbound_create" && c.field == "donotemail" && c.operator == "equals" && c.value == "false"
    ])
    error_message = "Inbound creates must require donotemail = false."
  }

  assert {
    condition = alltrue([
      for c in outreach_dynamics_sync_condition.outbound_create_not_opted_out :
      c.trigger == "outbound_create" && c.field == "optedOut" && c.operator == "equals" && c.value == "false"
    ])
    error_message = "Outbound creates must require optedOut = false."
  }

  assert {
    condition     = toset(keys(outreach_dynamics_sync_condition.inbound_create_not_opted_out)) == toset(["contact", "lead"]) && toset(keys(outreach_dynamics_sync_condition.outbound_create_not_opted_out)) == toset(["contact", "lead"])
    error_message = "Expected both conditions on contact and lead."
  }
}

# A second run re-reads the plugin: the conditions are still there, unchanged, and no opt-out
# field is mapped.
run "plugin_state" {
  command = plan

  assert {
    condition     = output.condition_ids.inbound_create == run.apply.condition_ids.inbound_create && output.condition_ids.outbound_create == run.apply.condition_ids.outbound_create
    error_message = "The conditions were replaced or lost in the plugin."
  }

  assert {
    condition     = length(output.opt_out_mappings) == 0 && alltrue([for d in data.outreach_dynamics_field_mappings.this : length(d.mappings) == 0])
    error_message = "The plugin must map no opt-out field (and, in the sandbox, nothing at all): ${jsonencode(output.opt_out_mappings)}"
  }
}

# The coverage of the live plugin names the configuration on both objects and finds nothing:
# no opt-out crosses, and the conditions keep opted-out people out.
run "coverage" {
  module {
    source = "./tests/plugin_state"
  }

  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      output.coverage[o].configuration == "outreach_only" && !output.coverage[o].outreach_to_dynamics && !output.coverage[o].dynamics_to_outreach &&
      length(output.coverage[o].conditions) == 2
    ])
    error_message = "Both objects must be outreach_only, with the two conditions: ${jsonencode(output.coverage)}"
  }

  assert {
    condition     = length(output.findings) == 0
    error_message = "Outreach only must have no finding: ${jsonencode(output.findings)}"
  }
}
