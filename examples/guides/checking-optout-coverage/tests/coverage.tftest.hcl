# Runs against the sandbox (scripts/tftest.sh exports its OUTREACH_* and DYNAMICS_* variables).

variables {
  expected = {
    contact = "shared_field"
    lead    = "shared_field"
  }
}

# The agreed configuration: the check passes and the CI gate lets the plan through.
run "sound_setup" {
  module {
    source = "./tests/setup"
  }

  variables {
    directions = { contact = "bidirectional", lead = "bidirectional" }
  }

  assert {
    condition     = alltrue([for o, c in output.coverage : c.configuration == "shared_field" && c.outreach_to_dynamics && c.dynamics_to_outreach && length(c.findings) == 0])
    error_message = "The shared field in both directions must be sound: ${jsonencode(output.coverage)}"
  }
}

run "sound_gate" {
  command = plan

  variables {
    fail_on_findings = true
  }
}

# Someone switches the contact mapping to Dynamics → Outreach only.
run "wrong_direction" {
  module {
    source = "./tests/setup"
  }

  variables {
    directions = { contact = "dynamics_to_outreach", lead = "bidirectional" }
  }

  assert {
    condition     = output.coverage.contact.configuration == "shared_field" && !output.coverage.contact.outreach_to_dynamics && output.coverage.contact.dynamics_to_outreach
    error_message = "contact must still be shared_field, with opt-outs no longer reaching Dynamics: ${jsonencode(output.coverage.contact)}"
  }

  assert {
    condition     = output.coverage.contact.findings == tolist(["contact: optedOut is mapped to donotemail in one direction only (dynamics_to_outreach), so opt-outs made in Outreach never reach Dynamics"])
    error_message = "Expected the one-way finding on contact: ${jsonencode(output.coverage.contact.findings)}"
  }

  assert {
    condition     = length(output.coverage.lead.findings) == 0 && output.coverage.lead.outreach_to_dynamics
    error_message = "lead is untouched and must stay sound: ${jsonencode(output.coverage.lead)}"
  }
}

# The check block warns on the plan ...
run "check_warns" {
  command = plan

  expect_failures = [check.optout_coverage]
}

# ... and the CI gate fails it (the check warns there too).
run "gate_fails" {
  command = plan

  variables {
    fail_on_findings = true
  }

  expect_failures = [data.outreach_dynamics_optout_coverage.gate, check.optout_coverage]
}
