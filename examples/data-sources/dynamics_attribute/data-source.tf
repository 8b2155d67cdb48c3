# Check that the column exists and can be written before mapping it. `provider = outreach` is
# required: the type name does not start with "outreach_".
data "dynamics_attribute" "donotemail" {
  provider = outreach

  entity       = "contact"
  logical_name = "donotemail"
}

output "donotemail_writable" {
  value = data.dynamics_attribute.donotemail.valid_for_update
}
