# By the mapping's Outreach id:
terraform import outreach_dynamics_field_mapping.contact_opted_out 42

# By object and Outreach field, in the provider's default plugin:
terraform import outreach_dynamics_field_mapping.contact_opted_out contact/optedOut

# By plugin id, object and Outreach field:
terraform import outreach_dynamics_field_mapping.contact_opted_out 1/contact/optedOut
