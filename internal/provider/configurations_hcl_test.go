package provider_test

// Two of the guide's opt-out configurations as the acceptance tests apply them, shared by the
// runtime tests (which drive the sandbox's sync through them) and the coverage tests (which read
// their outreach_dynamics_optout_coverage). Each is the body of a configuration, after the
// provider block.

// sharedFieldHCL maps optedOut to donotemail in both directions on contact and lead, with
// polling and pushing of updates on.
const sharedFieldHCL = `
# The guide's configurations use for_each over the objects; the test harness cannot read
# string-keyed instances from state, so the test uses count over the same list.
locals {
  objects = ["contact", "lead"]
}

data "dynamics_attribute" "donotemail" {
  provider     = outreach
  count        = length(local.objects)
  entity       = local.objects[count.index]
  logical_name = "donotemail"
}

resource "outreach_dynamics_field_mapping" "opted_out" {
  count          = length(local.objects)
  object         = local.objects[count.index]
  outreach_field = "optedOut"
  dynamics_field = data.dynamics_attribute.donotemail[count.index].logical_name
  direction      = "bidirectional"
}

resource "outreach_dynamics_object_settings" "this" {
  count             = length(local.objects)
  object            = local.objects[count.index]
  polling           = true
  polling_frequency = 15
  pushing           = true
  inbound_update    = true
  outbound_update   = true
}
`

// outreachOnlyHCL maps no opt-out field; sync conditions keep opted-out people from being
// created on either side, with creates on in both directions.
const outreachOnlyHCL = `
# The guide's configurations use for_each over the objects; the test harness cannot read
# string-keyed instances from state, so the test uses count over the same list.
locals {
  objects = ["contact", "lead"]
}

resource "outreach_dynamics_sync_condition" "inbound_create_not_opted_out" {
  count    = length(local.objects)
  object   = local.objects[count.index]
  trigger  = "inbound_create"
  field    = "donotemail"
  operator = "equals"
  value    = "false"
}

resource "outreach_dynamics_sync_condition" "outbound_create_not_opted_out" {
  count    = length(local.objects)
  object   = local.objects[count.index]
  trigger  = "outbound_create"
  field    = "optedOut"
  operator = "equals"
  value    = "false"
}

resource "outreach_dynamics_object_settings" "this" {
  count           = length(local.objects)
  object          = local.objects[count.index]
  polling         = true
  inbound_create  = true
  pushing         = true
  outbound_create = true
}
`

// newContactColumnHCL creates the contact Sales Opt Out column (new_salesoptout) in the same apply
// as what uses it; newContactColumnMappingHCL maps optedOut to it.
const newContactColumnHCL = `
resource "dynamics_sales_optout_field" "contact" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  display_name        = "Sales Opt Out"
  deletion_protection = false
}
`

const newContactColumnMappingHCL = `
resource "outreach_dynamics_field_mapping" "contact" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = dynamics_sales_optout_field.contact.logical_name
}
`
