#!/usr/bin/env bash
# The project's test command (`make test`): unit tests and acceptance tests (TF_ACC=1, the real
# terraform CLI from PATH, the sandbox in-process), then the `terraform test` suites of the
# example configurations against a sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The environment may point TF_CLI_CONFIG_FILE at a missing file; give Terraform a real, empty one.
: > "$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_ACC=1
TF_ACC_TERRAFORM_PATH=$(command -v terraform)
export TF_ACC_TERRAFORM_PATH
export CHECKPOINT_DISABLE=1
unset TF_ACC_TERRAFORM_VERSION
go test -count=1 -timeout 14m ./...
if [ -x scripts/tftest.sh ]; then
  bash scripts/tftest.sh
fi
