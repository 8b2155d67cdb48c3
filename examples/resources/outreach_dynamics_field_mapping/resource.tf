# Shared field: Outreach's opt-out flag and Dynamics' "Do not allow Emails" column follow each
# other in both directions.
resource "outreach_dynamics_field_mapping" "contact_opted_out" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
  direction      = "bidirectional"
}

# One-way: Outreach writes the prospect's title to Dynamics and never reads it back; an empty
# Outreach value does not clear the Dynamics column.
resource "outreach_dynamics_field_mapping" "lead_title" {
  object                 = "lead"
  outreach_field         = "title"
  dynamics_field         = "jobtitle"
  direction              = "outreach_to_dynamics"
  skip_empty_to_dynamics = true
}
