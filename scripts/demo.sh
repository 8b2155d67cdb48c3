#!/usr/bin/env bash
# `make demo`: the provider against the local sandbox, no cloud account and no network. Starts the
# sandbox, applies examples/demo (the Sales Opt Out configuration through both halves: a Dataverse
# column and the Outreach mapping to it) in a temporary copy, then requires that a second
# `terraform plan -detailed-exitcode` finds nothing to change, and stops the sandbox.
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
"$TF_CLI" -chdir="$work" apply -auto-approve -input=false

sbx_log "terraform plan -detailed-exitcode: must find nothing to change"
set +e
"$TF_CLI" -chdir="$work" plan -detailed-exitcode -input=false
rc=$?
set -e
case $rc in
0)
  echo
  echo "DEMO PASSED with $TF_CLI_VERSION: applied against the sandbox, and the second plan is clean."
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
