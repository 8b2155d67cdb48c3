output "mappings" {
  description = "Every opt-out mapping, as \"<object>.<outreach field>\" => \"<dynamics column>\"."
  value = merge(
    { for k, m in outreach_dynamics_field_mapping.standard : k => m.dynamics_field },
    { for o, m in outreach_dynamics_field_mapping.sms : "${o}.smsOptedOut" => m.dynamics_field },
  )
}
