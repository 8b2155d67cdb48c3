import {
  to = outreach_dynamics_sync_condition.no_opted_out_contacts_inbound
  id = "17"
}
