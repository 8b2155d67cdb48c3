# Terraform 1.14 and later, in a *.tfquery.hcl file: the custom Boolean columns of contact, the
# columns dynamics_sales_optout_field can manage.
list "dynamics_sales_optout_field" "contact" {
  provider = outreach

  config {
    entity = "contact"
  }
}
