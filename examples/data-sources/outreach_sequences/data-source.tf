# Enabled sequences that ignore opt-outs: they email prospects who opted out.
data "outreach_sequences" "ignoring_opt_outs" {
  transactional = true
  enabled       = true
}

output "sequences_ignoring_opt_outs" {
  value = [for s in data.outreach_sequences.ignoring_opt_outs.sequences : "${s.id} ${s.name} (${s.share_type})"]
}
