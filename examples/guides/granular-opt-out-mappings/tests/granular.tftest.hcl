# Runs against the sandbox (scripts/tftest.sh exports its OUTREACH_* and DYNAMICS_* variables).

variables {
  objects = ["contact", "lead"]
  # Lets `terraform test` remove the SMS columns when it tears down.
  deletion_protection = false
}

run "apply" {
  assert {
    condition     = alltrue([for f in dynamics_sales_optout_field.sms : f.logical_name == "new_donotsms"])
    error_message = "Expected the SMS column new_donotsms on every table."
  }
}

run "plugin_state" {
  module {
    source = "./tests/plugin_state"
  }

  assert {
    condition = output.opt_out_mappings == {
      "contact.emailOptedOut" = "donotemail (bidirectional)"
      "contact.callOptedOut"  = "donotphone (bidirectional)"
      "contact.smsOptedOut"   = "new_donotsms (bidirectional)"
      "lead.emailOptedOut"    = "donotemail (bidirectional)"
      "lead.callOptedOut"     = "donotphone (bidirectional)"
      "lead.smsOptedOut"      = "new_donotsms (bidirectional)"
    }
    error_message = "The plugin must map exactly the three channels on both objects, and not optedOut. Got: ${jsonencode(output.opt_out_mappings)}"
  }

  assert {
    condition = alltrue([
      for o in ["contact", "lead"] :
      output.coverage[o].configuration == "granular" && output.coverage[o].outreach_to_dynamics && output.coverage[o].dynamics_to_outreach &&
      output.coverage[o].dynamics_columns == tolist(["donotemail", "donotphone", "new_donotsms"]) && length(output.coverage[o].findings) == 0
    ])
    error_message = "Both objects must be granular, each channel reaching both sides, with no finding: ${jsonencode(output.coverage)}"
  }
}
