# By the condition's Outreach id (the `id` attribute):
terraform import outreach_dynamics_sync_condition.no_opted_out_contacts_inbound 17
