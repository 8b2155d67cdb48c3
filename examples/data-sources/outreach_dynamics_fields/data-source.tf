# The Dynamics columns of the lead object that a mapping can write to and that hold a Yes/No
# value: the candidates for an opt-out mapping.
data "outreach_dynamics_fields" "lead_dynamics" {
  object = "lead"
  side   = "dynamics"
}

output "lead_writable_booleans" {
  value = [
    for f in data.outreach_dynamics_fields.lead_dynamics.fields : f.name
    if f.type == "boolean" && f.writable
  ]
}
