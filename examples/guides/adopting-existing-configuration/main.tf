# Step 1 of adopting an existing plugin configuration: list what the plugin holds today, with the
# import id of every mapping. `terraform apply` of this file changes nothing (it only reads).

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

provider "outreach" {}

data "outreach_dynamics_field_mappings" "all" {
  for_each = toset(["contact", "lead"])
  object   = each.key
}

output "mappings" {
  description = "Every mapping, keyed by its import id (<object>/<outreach field>)."
  value = merge([
    for o, d in data.outreach_dynamics_field_mappings.all : {
      for m in d.mappings : "${o}/${m.outreach_field}" => "${m.dynamics_field} (${m.direction}, id ${m.id})"
    }
  ]...)
}

# Ready-to-paste import blocks, one per mapping (config generation needs one block per resource,
# not a for_each).
output "import_blocks" {
  value = join("\n", flatten([
    for o, d in data.outreach_dynamics_field_mappings.all : [
      for m in d.mappings : <<-EOT
        import {
          to = outreach_dynamics_field_mapping.${o}_${lower(m.outreach_field)}
          id = "${o}/${m.outreach_field}"
        }
      EOT
    ]
  ]))
}
