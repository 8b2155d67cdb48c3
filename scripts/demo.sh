#!/usr/bin/env bash
# `make demo`: the provider against the local sandbox, no cloud account and no network. Starts the
# sandbox, applies examples/demo (the Sales Opt Out configuration through both halves: a Dataverse
# column and the Outreach mapping to it) in a temporary copy, prints the opt-out coverage and
# checks a simulated opt-out, then requires that a second `terraform plan -detailed-exitcode`
# finds nothing to change, and stops the sandbox.
set -euo pipefail
# shellcheck source=scripts/sandbox-lib.sh
. "$(dirname "$0")/sandbox-lib.sh"
sbx_init
cd "$SBX_ROOT"

sbx_build_provider
sbx_build_sandbox
sbx_cli_config
sbx_start

# A temporary copy keeps state and lock files out of the repository.
work="$SBX_WORK/demo"
mkdir -p "$work"
cp -R examples/demo/. "$work/"
rm -rf "$work/.terraform" "$work"/terraform.tfstate*

sbx_log "terraform apply (examples/demo)"
terraform -chdir="$work" apply -auto-approve -input=false

# --- Opt-out coverage and a simulated opt-out (issue #11) ------------------------------------
# The coverage Terraform read after the apply, then one person's opt-out through the plugin's
# runtime: internal/tools/optoutdemo checks that the sync round set the Sales Opt Out column in
# Dynamics and left donotemail as it was, and fails the demo otherwise.
sbx_log "opt-out coverage, then a prospect opts out in Outreach and the plugin syncs once"
terraform -chdir="$work" output -json optout_coverage >"$SBX_WORK/optout-coverage.json"
if ! go run ./internal/tools/optoutdemo -coverage "$SBX_WORK/optout-coverage.json" -column new_salesoptout; then
  echo >&2
  echo "DEMO FAILED: the opt-out coverage or the simulated opt-out is not what the Sales Opt Out configuration promises (see above)." >&2
  exit 1
fi
# --- end of the opt-out block ----------------------------------------------------------------

sbx_log "terraform plan -detailed-exitcode: must find nothing to change"
set +e
terraform -chdir="$work" plan -detailed-exitcode -input=false
rc=$?
set -e
case $rc in
0)
  echo
  echo "DEMO PASSED: applied against the sandbox, and the second plan is clean."
  ;;
2)
  echo >&2
  echo "DEMO FAILED: the plan after apply is not empty (exit 2): the provider does not converge. See the plan above." >&2
  exit 1
  ;;
*)
  echo >&2
  echo "DEMO FAILED: terraform plan exited $rc. See the errors above." >&2
  exit 1
  ;;
esac
