variable "objects" {
  description = "The Dynamics tables whose records sync with Outreach prospects: contact, lead or both."
  type        = list(string)
  default     = ["contact", "lead"]

  validation {
    condition     = length(var.objects) > 0 && alltrue([for o in var.objects : contains(["contact", "lead"], o)])
    error_message = "objects must list \"contact\", \"lead\" or both."
  }
}

variable "deletion_protection" {
  description = "Refuse to destroy or replace the SMS column (deleting it deletes its value in every record)."
  type        = bool
  default     = true
}
