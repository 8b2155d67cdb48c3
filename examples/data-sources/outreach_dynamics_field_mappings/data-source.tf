# Every mapping of the lead object, whether Terraform manages it or not.
data "outreach_dynamics_field_mappings" "lead" {
  object = "lead"
}

# Which Dynamics columns receive Outreach's opt-out flags?
output "lead_opt_out_mappings" {
  value = {
    for m in data.outreach_dynamics_field_mappings.lead.mappings : m.outreach_field => m.dynamics_field
    if contains(["optedOut", "emailOptedOut", "callOptedOut", "smsOptedOut"], m.outreach_field)
  }
}
