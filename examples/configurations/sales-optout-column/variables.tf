variable "objects" {
  description = "The Dynamics tables that get the column and the mapping: contact, lead or both."
  type        = list(string)
  default     = ["contact", "lead"]

  validation {
    condition     = length(var.objects) > 0 && alltrue([for o in var.objects : contains(["contact", "lead"], o)])
    error_message = "objects must list \"contact\", \"lead\" or both."
  }
}

variable "schema_name" {
  description = "Schema name of the column, with your solution publisher's prefix."
  type        = string
  default     = "new_SalesOptOut"
}

variable "solution" {
  description = "Unique name of the unmanaged solution the column is added to; null uses the provider's dynamics.solution."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse to destroy or replace the column (deleting it deletes its value in every record)."
  type        = bool
  default     = true
}
