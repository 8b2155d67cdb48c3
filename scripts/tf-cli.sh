#!/usr/bin/env bash
# The one place that decides which Terraform-compatible CLI the scripts run. In order:
#   1. TF_CLI, when set: a path or a command name on PATH (`make test TF_CLI=tofu`);
#   2. `terraform` on PATH;
#   3. `tofu` on PATH;
#   4. the pinned OpenTofu, built once from the Go module proxy into the project's cache
#      (scripts/install-tofu.sh), so that a machine with nothing but Go runs everything.
#
# Sourced (scripts/sandbox-lib.sh, scripts/test.sh): `tf_cli_resolve` exports
#   TF_CLI          absolute path of the CLI
#   TF_CLI_KIND     terraform | tofu
#   TF_CLI_VERSION  its version line, e.g. "Terraform v1.11.4" or "OpenTofu v1.12.6"
# and every script runs "$TF_CLI" instead of a hard-coded name. Child scripts inherit the
# exported values, so the choice (and a build) happens once per command.
# Run as a script (`make tf-cli`): resolves, then prints the path on stdout and what it chose on stderr.

# tf_cli_resolve sets TF_CLI, TF_CLI_KIND and TF_CLI_VERSION, or exits with a message.
tf_cli_resolve() {
  local cli="${TF_CLI:-}" how
  if [ -n "$cli" ]; then
    how="TF_CLI"
    if [[ $cli != */* ]]; then
      command -v "$cli" >/dev/null 2>&1 || {
        printf 'error: TF_CLI=%s is not a command on PATH; give a path or a command name on PATH\n' "$cli" >&2
        exit 1
      }
      cli=$(command -v "$cli")
    fi
  elif cli=$(command -v terraform 2>/dev/null); then
    how="terraform on PATH"
  elif cli=$(command -v tofu 2>/dev/null); then
    how="tofu on PATH"
  else
    printf '==> %s\n' "neither terraform nor tofu is on PATH (and TF_CLI is not set): using the pinned OpenTofu, built from the Go module proxy" >&2
    cli=$(bash "$(dirname "${BASH_SOURCE[0]}")/install-tofu.sh") || exit 1
    how="the pinned OpenTofu from scripts/install-tofu.sh"
  fi
  if [ ! -x "$cli" ]; then
    printf 'error: %s (%s) is not an executable file\n' "$cli" "$how" >&2
    exit 1
  fi
  case $cli in
  /*) ;;
  *) cli="$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")" ;;
  esac
  local out line
  # A CLI configuration problem (a missing TF_CLI_CONFIG_FILE) is printed before the version line.
  out=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null) || out=""
  line=$(grep -m 1 -E '^(Terraform|OpenTofu) v' <<<"$out") || line=""
  case $line in
  "Terraform v"*) TF_CLI_KIND=terraform ;;
  "OpenTofu v"*) TF_CLI_KIND=tofu ;;
  *)
    printf 'error: %s (%s) does not answer `version` as Terraform or OpenTofu does (got %q)\n' "$cli" "$how" "$line" >&2
    exit 1
    ;;
  esac
  TF_CLI=$cli
  TF_CLI_VERSION=$line
  TF_CLI_HOW=$how
  export TF_CLI TF_CLI_KIND TF_CLI_VERSION TF_CLI_HOW
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  tf_cli_resolve
  printf '==> CLI: %s (%s, %s)\n' "$TF_CLI_VERSION" "$TF_CLI" "$TF_CLI_HOW" >&2
  printf '%s\n' "$TF_CLI"
fi
