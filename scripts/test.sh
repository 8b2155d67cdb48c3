#!/usr/bin/env bash
# The project's test command (`make test`): unit and acceptance tests (TF_ACC=1, the real CLI, the
# sandbox in-process) under the race detector, a short run of every fuzz target, then the
# `terraform test` suites of the example configurations against a sandbox (scripts/tftest.sh).
# Each part ends with one "<part>: N passed, M failed" line.
#
# The CLI is the one scripts/tf-cli.sh picks: TF_CLI, else terraform on PATH, else tofu on PATH,
# else the pinned OpenTofu built once from the Go module proxy. On OpenTofu the acceptance tests
# address the provider as OpenTofu does (registry.opentofu.org/hashicorp/outreach).
#
# Knobs (environment), for narrowed runs and for `make test-tofu`:
#   TEST_PKGS      all (default): ./...; acc: only the packages whose tests drive the CLI
#                  (they import terraform-plugin-testing)
#   TEST_RUN       a `go test -run` pattern (default: every test)
#   TEST_RACE      auto (default: -race when cgo works, else a warning), 1 (required), 0 (off)
#   TEST_FUZZTIME  how long each fuzz target runs, as go test's -fuzztime (default 10000x, a count
#                  of inputs; 0 skips the fuzz run)
#   TEST_TFTEST    1 (default) runs scripts/tftest.sh afterwards; 0 skips it
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/tf-cli.sh
. scripts/tf-cli.sh
tf_cli_resolve
printf '==> CLI: %s (%s, %s)\n' "$TF_CLI_VERSION" "$TF_CLI" "$TF_CLI_HOW" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The environment may point TF_CLI_CONFIG_FILE at a missing file; give the CLI a real, empty one.
: > "$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_ACC=1 CHECKPOINT_DISABLE=1 TF_ACC_TERRAFORM_PATH="$TF_CLI"
unset TF_ACC_TERRAFORM_VERSION # never download a CLI
if [ "$TF_CLI_KIND" = tofu ]; then
  # OpenTofu resolves the implied provider "outreach" to registry.opentofu.org/hashicorp/outreach;
  # the test harness must reattach the in-process provider under that address.
  export TF_ACC_PROVIDER_NAMESPACE=hashicorp TF_ACC_PROVIDER_HOST=registry.opentofu.org
fi

case ${TEST_PKGS:-all} in
all) pkgs=(./...) ;;
acc)
  mapfile -t pkgs < <(go list -f '{{.ImportPath}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}' ./... |
    awk '/ github.com\/hashicorp\/terraform-plugin-testing\// { print $1 }')
  [ ${#pkgs[@]} -gt 0 ] || { echo "error: no package has tests that import terraform-plugin-testing" >&2; exit 1; }
  ;;
*)
  echo "error: TEST_PKGS=${TEST_PKGS} (want all or acc)" >&2
  exit 1
  ;;
esac

flags=(-count=1 -v)
case ${TEST_RACE:-auto} in
0) flags+=(-timeout 15m) ;;
1) flags+=(-race -timeout 25m) ;;
auto)
  if [ "$(go env CGO_ENABLED)" = 1 ]; then
    flags+=(-race -timeout 25m)
  else
    echo "warning: the race detector needs cgo (a C compiler such as gcc); running the tests without -race" >&2
    flags+=(-timeout 15m)
  fi
  ;;
*)
  echo "error: TEST_RACE=${TEST_RACE} (want auto, 1 or 0)" >&2
  exit 1
  ;;
esac
if [ -n "${TEST_RUN:-}" ]; then
  flags+=(-run "$TEST_RUN")
fi

echo "==> go test ${flags[*]} ${pkgs[*]}" >&2
start=$SECONDS
status=0
go test "${flags[@]}" "${pkgs[@]}" > "$work/go-test.log" 2>&1 || status=$?
# Show what matters: failures in full, then one line per package.
if [ "$status" -ne 0 ]; then
  grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|--- PASS|PASS$)' "$work/go-test.log" | grep -v -E '^\s+--- PASS' || true
else
  grep -E '^(ok|FAIL|\?)\s' "$work/go-test.log" || true
fi
passed=$(grep -c -E '^\s*--- PASS' "$work/go-test.log" || true)
failed=$(grep -c -E '^\s*--- FAIL' "$work/go-test.log" || true)
skipped=$(grep -c -E '^\s*--- SKIP' "$work/go-test.log" || true)
echo "tests: $passed passed, $failed failed, $skipped skipped ($((SECONDS - start)) s)"
if [ "$status" -ne 0 ]; then
  exit "$status"
fi

# Fuzz: every Fuzz* target of every package in the run, a few seconds each. The targets are
# discovered, so new ones join without a change here. A failure leaves its input under the
# package's testdata/fuzz/, which `go test` then replays as a regression test.
# The budget is a count of inputs, not a duration: with a duration, Go 1.26's fuzz coordinator can
# report its own deadline as a failure ("context deadline exceeded", no failing input) when a
# worker is mid-input as time runs out on a loaded machine (golang/go#75804, fixed in Go 1.27).
fuzz_failed=0
fuzztime=${TEST_FUZZTIME:-10000x}
if [ "$fuzztime" != 0 ]; then
  start=$SECONDS
  fuzz_passed=0
  go test -list '^Fuzz' "${pkgs[@]}" > "$work/fuzz-list.log" 2>&1 || {
    cat "$work/fuzz-list.log" >&2
    echo "error: go test -list '^Fuzz' failed" >&2
    exit 1
  }
  # -list prints a package's target names, then "ok <package> <time>".
  targets=()
  names=()
  while read -r first second _; do
    case $first in
    Fuzz*) names+=("$first") ;;
    ok)
      for n in "${names[@]+"${names[@]}"}"; do targets+=("$second $n"); done
      names=()
      ;;
    *) names=() ;;
    esac
  done < "$work/fuzz-list.log"
  for t in "${targets[@]+"${targets[@]}"}"; do
    pkg=${t% *}
    name=${t#* }
    echo "==> fuzz $name ($pkg, $fuzztime)" >&2
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" > "$work/fuzz.log" 2>&1; then
      fuzz_passed=$((fuzz_passed + 1))
    else
      cat "$work/fuzz.log"
      fuzz_failed=$((fuzz_failed + 1))
    fi
  done
  echo "fuzz: $fuzz_passed passed, $fuzz_failed failed ($((SECONDS - start)) s)"
fi

if [ "${TEST_TFTEST:-1}" != 0 ]; then
  bash scripts/tftest.sh
fi
[ "$fuzz_failed" -eq 0 ]
