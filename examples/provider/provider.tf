terraform {
  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# Every attribute can come from an environment variable instead (OUTREACH_ACCESS_TOKEN,
# AZURE_CLIENT_SECRET, ...), which keeps secrets out of the configuration. Configure only the
# blocks you need: a configuration that manages Outreach mappings alone needs no `dynamics` block.
provider "outreach" {
  outreach = {
    # Refresh-token flow; the provider keeps the newest (rotated) refresh token in its cache.
    client_id     = var.outreach_client_id
    client_secret = var.outreach_client_secret
    refresh_token = var.outreach_refresh_token
    redirect_uri  = "https://localhost/callback"
    plugin_id     = 1
  }

  dynamics = {
    url       = "https://contoso.crm.dynamics.com"
    tenant_id = "00000000-0000-0000-0000-000000000000"
    client_id = "11111111-1111-1111-1111-111111111111"
    # client_secret from AZURE_CLIENT_SECRET
    solution = "OptOutSync"
  }
}

variable "outreach_client_id" {
  type = string
}

variable "outreach_client_secret" {
  type      = string
  sensitive = true
}

variable "outreach_refresh_token" {
  type      = string
  sensitive = true
}
