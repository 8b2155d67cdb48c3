# Terraform 1.14 and later, in a *.tfquery.hcl file: the sync settings of every object of the
# provider's plugin.
list "outreach_dynamics_object_settings" "all" {
  provider = outreach
}
