# By object, in the provider's default plugin:
terraform import outreach_dynamics_object_settings.contact contact

# By plugin id and object:
terraform import outreach_dynamics_object_settings.contact 1/contact
