import {
  to = outreach_dynamics_object_settings.contact
  id = "contact"
}
