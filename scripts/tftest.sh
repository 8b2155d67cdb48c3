#!/usr/bin/env bash
# Runs the `terraform test` suites of the configurations under examples/configurations/ (each must
# have one) and of the guides' modules under examples/guides/ (those that have one) against one
# local sandbox; part of `make test`. Each module starts from the sandbox's seed
# (POST /_sandbox/reset) and runs in a temporary copy, so no state or .terraform is left in the
# repository. The provider comes from bin/ through dev_overrides, so no `terraform init` is run
# (it would query the registry and fail offline); `terraform get` installs the tests' local
# helper modules, which needs no network.
set -euo pipefail
# shellcheck source=scripts/sandbox-lib.sh
. "$(dirname "$0")/sandbox-lib.sh"
sbx_init
cd "$SBX_ROOT"

sbx_build_provider
sbx_build_sandbox
sbx_cli_config
sbx_start

passed=()
failed=()
# Every configuration must have tests; a guide's module is tested when it has some.
for dir in examples/configurations/*/ examples/guides/*/; do
  name=${dir#examples/}
  name=${name%/}
  if ! compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then
    case $dir in
    examples/configurations/*) failed+=("$name (no tests/*.tftest.hcl)") ;;
    esac
    continue
  fi
  sbx_reset
  work="$SBX_WORK/tftest/${name//\//_}"
  mkdir -p "$work"
  cp -R "$dir". "$work/"
  rm -rf "$work/.terraform" "$work"/terraform.tfstate*
  sbx_log "$TF_CLI_KIND test: $dir"
  start=$SECONDS
  # `terraform get` records the local helper modules the tests use (offline, unlike `init`).
  if "$TF_CLI" -chdir="$work" get -no-color >/dev/null && "$TF_CLI" -chdir="$work" test -no-color; then
    passed+=("$name ($((SECONDS - start)) s)")
  else
    failed+=("$name")
  fi
done

echo
echo "tftest: ${#passed[@]} passed, ${#failed[@]} failed"
for p in "${passed[@]}"; do echo "  PASS  $p"; done
for f in "${failed[@]+"${failed[@]}"}"; do echo "  FAIL  $f"; done
[ ${#failed[@]} -eq 0 ]
