#!/usr/bin/env bash
# The project's test command (`make test`): unit tests and acceptance tests (TF_ACC=1, the real
# terraform CLI from PATH, the sandbox in-process), then the `terraform test` suites of the
# example configurations against a sandbox. Ends with one "N passed, M failed" line.
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

status=0
go test -count=1 -timeout 14m -v ./... > "$work/go-test.log" 2>&1 || status=$?
# Show what matters: failures in full, then one line per package.
if [ "$status" -ne 0 ]; then
  grep -v -E '^(=== (RUN|PAUSE|CONT)|--- PASS|PASS$)' "$work/go-test.log" | grep -v -E '^\s+--- PASS' || true
else
  grep -E '^(ok|FAIL|\?)\s' "$work/go-test.log" || true
fi
passed=$(grep -c -E '^\s*--- PASS' "$work/go-test.log" || true)
failed=$(grep -c -E '^\s*--- FAIL' "$work/go-test.log" || true)
skipped=$(grep -c -E '^\s*--- SKIP' "$work/go-test.log" || true)
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
bash scripts/tftest.sh
