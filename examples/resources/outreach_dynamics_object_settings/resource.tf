# Sync settings of the contact object. The settings always exist in Outreach: creating this
# resource adopts them, and destroying it only stops Terraform from managing them.
resource "outreach_dynamics_object_settings" "contact" {
  object            = "contact"
  polling           = true
  polling_frequency = 15
  pushing           = true
  inbound_create    = true
  inbound_update    = true
  outbound_create   = false
  outbound_update   = true
}
