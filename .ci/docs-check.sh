#!/usr/bin/env bash
# CI: the documentation and the examples are current and valid.
#   1. `make generate`, then docs/ must be unchanged (no diff, no new or deleted page);
#   2. `terraform fmt -check` of examples/;
#   3. `terraform validate` of every example module, with the provider from bin/ through
#      dev_overrides (no init: it would query the registry). The per-type snippets under
#      examples/resources/ and examples/data-sources/ have no terraform block (the registry pages
#      show the resource alone), so they are validated in a copy with one added.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/sandbox-lib.sh
. scripts/sandbox-lib.sh
sbx_init
cd "$SBX_ROOT"

fail=0

sbx_log "make generate"
make --no-print-directory generate
if ! git diff --exit-code --stat -- docs/ || [ -n "$(git status --porcelain -- docs/)" ]; then
  git status --short -- docs/ >&2
  echo "FAIL: docs/ is stale: run \`make generate\` and commit the result." >&2
  fail=1
fi

sbx_cli_config # after make generate: the same provider binary, now current

sbx_log "terraform fmt -check -recursive examples/"
if ! "$TF_CLI" fmt -check -recursive -diff examples/; then
  echo "FAIL: examples/ is not formatted: run \`terraform fmt -recursive examples/\`." >&2
  fail=1
fi

sbx_log "terraform validate of every example module"
n=0
while IFS= read -r dir; do
  n=$((n + 1))
  work="$SBX_WORK/validate/$n"
  mkdir -p "$work"
  cp -R "$dir"/. "$work/"
  rm -rf "$work/.terraform" "$work/.terraform.lock.hcl"
  if ! grep -qs required_providers "$work"/*.tf; then
    cat >"$work/zz_docs_check_providers.tf" <<'TF'
terraform {
  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}
TF
  fi
  # `get` installs the local helper modules that test files use; it needs no network.
  if "$TF_CLI" -chdir="$work" get -no-color >"$work.log" 2>&1 &&
    "$TF_CLI" -chdir="$work" validate -no-color >>"$work.log" 2>&1; then
    echo "  ok    $dir"
  else
    echo "  FAIL  $dir" >&2
    sed 's/^/        /' "$work.log" >&2
    fail=1
  fi
done < <(find examples -name '*.tf' -not -path '*/.terraform/*' -exec dirname {} \; | sort -u)

if [ "$fail" -ne 0 ]; then
  echo "docs check FAILED" >&2
  exit 1
fi
echo "docs check passed: docs/ current, examples formatted, $n example modules valid."
