# Warns when the audit log shows changes to the CRM plugin in the last day: who, what, when.
check "no_plugin_changes_outside_terraform" {
  data "outreach_audit_events" "last_day" {
    since = "24h"
  }

  assert {
    condition = length(data.outreach_audit_events.last_day.events) == 0
    error_message = join("\n", concat(
      ["The Outreach plugin changed in the last 24 hours; review these changes and bring them into Terraform or undo them:"],
      [
        for e in data.outreach_audit_events.last_day.events :
        "- ${coalesce(e.timestamp, "unknown time")} ${e.name} (${e.result}) by ${coalesce(e.agent, "unknown agent")}: ${coalesce(e.changes, "no details")}"
      ],
    ))
  }
}

# Warns about enabled sequences that ignore opt-outs.
check "no_enabled_transactional_sequences" {
  data "outreach_sequences" "ignoring_opt_outs" {
    transactional = true
    enabled       = true
  }

  assert {
    condition = length(data.outreach_sequences.ignoring_opt_outs.sequences) == 0
    error_message = join("\n", concat(
      ["These enabled sequences are transactional and email prospects who opted out; make sure each is non-marketing:"],
      [for s in data.outreach_sequences.ignoring_opt_outs.sequences : "- ${s.id} ${s.name} (${s.share_type}, updated ${coalesce(s.updated_at, "never")})"],
    ))
  }
}
