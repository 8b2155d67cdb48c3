# Terraform 1.14 and later, in a *.tfquery.hcl file: every field mapping of lead, for
# `terraform query`. Leave out object to list the mappings of every object.
list "outreach_dynamics_field_mapping" "lead" {
  provider = outreach

  config {
    object = "lead"
  }
}
