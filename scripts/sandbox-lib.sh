#!/usr/bin/env bash
# Shared functions for the scripts that run the real terraform CLI against the built provider and
# the local sandbox: `make demo` (scripts/demo.sh), the `terraform test` suites of the example
# configurations (scripts/tftest.sh), `make generate` (scripts/generate-docs.sh) and
# .ci/docs-check.sh. Source it; do not run it.
#
#   sbx_init                 repo root in $SBX_ROOT, a private temp dir in $SBX_WORK (removed on EXIT)
#   sbx_build_provider       bin/terraform-provider-outreach (same flags as `make build`: no relink when current)
#   sbx_build_sandbox        bin/outreach-sandbox
#   sbx_cli_config           a CLI config with dev_overrides for the provider; exports TF_CLI_CONFIG_FILE
#   sbx_start                start the sandbox on free loopback ports, wait for it, export its variables
#   sbx_reset                POST /_sandbox/reset: back to the seeded state
#   sbx_admin METHOD PATH    any other admin API call (/_sandbox/stats, ...)
#   sbx_stop                 stop the sandbox (also done on EXIT)
#
# Nothing here needs a network beyond loopback: the provider comes from dev_overrides, so no
# `terraform init` is run (it would query the registry and fail offline).

SBX_SOURCE="registry.terraform.io/optout-sync/outreach"
SBX_PID=""
SBX_WORK=""

sbx_log() { printf '==> %s\n' "$*" >&2; }
sbx_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# sbx_init prepares the environment every script needs. Call it once, first.
sbx_init() {
  SBX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  SBX_BIN="$SBX_ROOT/bin"
  SBX_WORK=$(mktemp -d "${TMPDIR:-/tmp}/outreach-provider.XXXXXX")
  trap sbx_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Terraform must not phone home (no network here) nor pick up a user's plugin cache.
  export CHECKPOINT_DISABLE=1
  unset TF_PLUGIN_CACHE_DIR
  command -v terraform >/dev/null 2>&1 || bash "$SBX_ROOT/scripts/require-terraform.sh"
}

sbx_cleanup() {
  local rc=$?
  sbx_stop
  if [ -n "$SBX_WORK" ] && [ -d "$SBX_WORK" ]; then
    rm -rf "$SBX_WORK"
  fi
  return $rc
}

# The flags match the GNUmakefile's build target, so that `make demo` (which builds first) does
# not relink here: go build skips an output that is already current.
sbx_build_provider() {
  local version=${VERSION:-0.1.0-dev}
  mkdir -p "$SBX_BIN"
  (cd "$SBX_ROOT" && go build -ldflags "-X main.version=$version" -o "$SBX_BIN/terraform-provider-outreach" .) ||
    sbx_die "building the provider failed"
}

sbx_build_sandbox() {
  mkdir -p "$SBX_BIN"
  (cd "$SBX_ROOT" && go build -o "$SBX_BIN/outreach-sandbox" ./cmd/outreach-sandbox) ||
    sbx_die "building cmd/outreach-sandbox failed"
}

# sbx_cli_config points Terraform at the provider in bin/. The machine's own TF_CLI_CONFIG_FILE
# may name a file that does not exist; every terraform command run after this uses ours.
sbx_cli_config() {
  export TF_CLI_CONFIG_FILE="$SBX_WORK/terraformrc"
  cat >"$TF_CLI_CONFIG_FILE" <<EOF
provider_installation {
  dev_overrides {
    "$SBX_SOURCE" = "$SBX_BIN"
  }
  direct {}
}
EOF
}

# sbx_start runs bin/outreach-sandbox in the background with a fresh state directory. Port 0 lets
# the kernel pick free loopback ports, so parallel runs never collide. The sandbox writes its
# export lines (with the real ports) to the -env-file and then logs "serving ..."; we wait for
# that line, so the file is complete when we source it.
sbx_start() {
  local state="$SBX_WORK/sandbox-state" env="$SBX_WORK/sandbox.env" log="$SBX_WORK/sandbox.log"
  mkdir -p "$state"
  rm -f "$env"
  "$SBX_BIN/outreach-sandbox" -outreach-addr 127.0.0.1:0 -dynamics-addr 127.0.0.1:0 \
    -state-dir "$state" -env-file "$env" >"$SBX_WORK/sandbox.out" 2>"$log" &
  SBX_PID=$!
  local i
  for ((i = 0; i < 300; i++)); do
    if grep -q 'serving Outreach on' "$log" 2>/dev/null; then
      break
    fi
    if ! kill -0 "$SBX_PID" 2>/dev/null; then
      cat "$log" >&2
      SBX_PID=""
      sbx_die "the sandbox exited before it was ready (log above)"
    fi
    sleep 0.1
  done
  if ! grep -q 'serving Outreach on' "$log"; then
    cat "$log" >&2
    sbx_die "the sandbox was not ready within 30 s (log above)"
  fi
  # shellcheck disable=SC1090
  . "$env"
  export OUTREACH_BASE_URL OUTREACH_ACCESS_TOKEN OUTREACH_PLUGIN_ID DYNAMICS_URL DYNAMICS_ACCESS_TOKEN SSL_CERT_FILE
  # Tokens and settings a caller's shell may hold would override the sandbox's static tokens or
  # point the provider elsewhere.
  unset OUTREACH_CLIENT_ID OUTREACH_CLIENT_SECRET OUTREACH_REFRESH_TOKEN OUTREACH_REDIRECT_URI \
    OUTREACH_S2S_APP_ID OUTREACH_S2S_PRIVATE_KEY OUTREACH_S2S_INSTALL_ID \
    AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET AZURE_CLIENT_CERTIFICATE_PATH \
    AZURE_CLIENT_CERTIFICATE_PASSWORD AZURE_FEDERATED_TOKEN_FILE AZURE_AUTHORITY_HOST \
    DYNAMICS_USE_CLI DYNAMICS_USE_MANAGED_IDENTITY DYNAMICS_SOLUTION \
    DYNAMICS_USE_OIDC ARM_USE_OIDC DYNAMICS_OIDC_TOKEN ARM_OIDC_TOKEN TFC_WORKLOAD_IDENTITY_TOKEN \
    DYNAMICS_OIDC_TOKEN_FILE_PATH ARM_OIDC_TOKEN_FILE_PATH DYNAMICS_ADO_PIPELINE_SERVICE_CONNECTION_ID \
    ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID ARM_OIDC_AZURE_SERVICE_CONNECTION_ID
  if ! sbx_admin GET /_sandbox/stats; then
    cat "$log" >&2
    sbx_die "the sandbox does not answer on $OUTREACH_BASE_URL"
  fi
  sbx_log "sandbox: Outreach $OUTREACH_BASE_URL, Dynamics $DYNAMICS_URL (pid $SBX_PID)"
}

# sbx_reset puts the sandbox back to its seed, so that each configuration starts from the same
# plugin state.
sbx_reset() {
  sbx_admin POST /_sandbox/reset || sbx_die "resetting the sandbox failed"
}

# sbx_admin METHOD PATH calls the sandbox's admin API (no body) and succeeds on a 2xx answer. It
# uses curl when there is one and bash's /dev/tcp otherwise, so that a fresh machine needs
# nothing beyond Go and terraform.
sbx_admin() {
  local method=$1 path=$2 hostport=${OUTREACH_BASE_URL#http://}
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -X "$method" -o /dev/null "$OUTREACH_BASE_URL$path"
    return
  fi
  local status fd
  exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 1
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' \
    "$method" "$path" "$hostport" >&"$fd"
  read -r _ status _ <&"$fd" || status=""
  exec {fd}>&-
  [[ $status == 2* ]]
}

sbx_stop() {
  if [ -n "$SBX_PID" ]; then
    kill "$SBX_PID" 2>/dev/null || true
    wait "$SBX_PID" 2>/dev/null || true
    SBX_PID=""
  fi
}
