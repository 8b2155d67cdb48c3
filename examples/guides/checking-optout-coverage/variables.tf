variable "expected" {
  description = "The opt-out configuration agreed with marketing, per object: shared_field, sales_field, outreach_only or granular."
  type        = map(string)

  validation {
    condition     = length(var.expected) > 0 && alltrue([for c in values(var.expected) : contains(["shared_field", "sales_field", "outreach_only", "granular"], c)])
    error_message = "expected maps objects (lead, contact) to shared_field, sales_field, outreach_only or granular."
  }
}

variable "fail_on_findings" {
  description = "Fail the plan (an error, not a warning) when the coverage has a finding or another configuration is in effect: for CI."
  type        = bool
  default     = false
}
