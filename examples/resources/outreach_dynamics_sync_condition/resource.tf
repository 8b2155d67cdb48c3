# Do not create Outreach prospects from Dynamics contacts that do not allow emails.
resource "outreach_dynamics_sync_condition" "no_opted_out_contacts_inbound" {
  object   = "contact"
  trigger  = "inbound_create"
  field    = "donotemail"
  operator = "equals"
  value    = "false"
}

# Do not create Dynamics leads from prospects who opted out in Outreach.
resource "outreach_dynamics_sync_condition" "no_opted_out_leads_outbound" {
  object   = "lead"
  trigger  = "outbound_create"
  field    = "optedOut"
  operator = "equals"
  value    = "false"
}

# Poll only leads whose job title is one of a list.
resource "outreach_dynamics_sync_condition" "lead_titles" {
  object   = "lead"
  trigger  = "polling"
  field    = "jobtitle"
  operator = "in"
  values   = ["CEO", "CFO", "CTO"]
}
