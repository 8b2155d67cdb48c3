# Terraform 1.14 and later, in a *.tfquery.hcl file: the polling conditions of lead. Both
# filters are optional.
list "outreach_dynamics_sync_condition" "lead_polling" {
  provider = outreach

  config {
    object  = "lead"
    trigger = "polling"
  }
}
