variable "objects" {
  description = "The Dynamics tables whose records sync with Outreach prospects: contact, lead or both."
  type        = list(string)
  default     = ["contact", "lead"]

  validation {
    condition     = length(var.objects) > 0 && alltrue([for o in var.objects : contains(["contact", "lead"], o)])
    error_message = "objects must list \"contact\", \"lead\" or both."
  }
}

variable "polling_frequency" {
  description = "Minutes between polls of Dynamics: how long a marketing opt-out takes to reach Outreach."
  type        = number
  default     = 15
}
