terraform {
  required_version = ">= 1.5"
  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}

# A token with auditLogs.read and sequences.read is all these checks need
# (OUTREACH_ACCESS_TOKEN, or the OAuth / S2S settings of the provider).
provider "outreach" {}
