#!/usr/bin/env bash
# Builds the pinned OpenTofu CLI from the Go module proxy into the project's cache, once, and
# prints the binary's path on stdout (everything else goes to stderr). Later runs reuse the
# cached binary. Used by `make test-tofu` and, when neither terraform nor tofu is on PATH, by
# scripts/tf-cli.sh: OpenTofu is MPL-licensed and buildable from the module proxy alone, so a
# machine with nothing but Go can run the acceptance tests, the demo and `make generate`.
#
# `go install github.com/opentofu/opentofu/cmd/tofu@v...` is refused (the module has a replace
# directive), so the module is downloaded with `go mod download` and built inside its directory
# in the module cache, with the flags of an OpenTofu release build (version without "-dev").
#
#   TOFU_VERSION     the version to build (default: the pinned one below)
#   TOFU_CACHE_DIR   where the binaries are kept (default: ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-outreach)
set -euo pipefail

version=${TOFU_VERSION:-1.12.6}
cache=${TOFU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-outreach}
dir="$cache/tofu-$version"
bin="$dir/tofu"

# sbx_log and sbx_die only; nothing of the sandbox is started here.
# shellcheck source=scripts/sandbox-lib.sh
. "$(dirname "$0")/sandbox-lib.sh"
log() { sbx_log "$@"; }
die() { sbx_die "$@"; }

# cached: the binary exists and reports the pinned version (a half-written or foreign file does not).
# The CLI prints problems with the caller's CLI configuration before its version; /dev/null has none.
cached() {
  [ -x "$bin" ] || return 1
  local out
  out=$(TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null) || return 1
  [ "$(grep -m 1 '^OpenTofu v' <<<"$out")" = "OpenTofu v$version" ]
}

if cached; then
  printf '%s\n' "$bin"
  exit 0
fi

mkdir -p "$dir"
# One build at a time per cache: a second caller waits for the first and then reuses its binary.
exec 9>"$dir/.lock"
if command -v flock >/dev/null 2>&1; then
  if ! flock -n 9; then
    log "another process is building OpenTofu $version into $dir; waiting for it"
    flock 9
  fi
  if cached; then
    printf '%s\n' "$bin"
    exit 0
  fi
fi

command -v go >/dev/null 2>&1 || die "go is not on PATH: building OpenTofu needs Go (see README)"

log "building OpenTofu $version from the Go module proxy into $bin"
log "this happens once per machine and takes 5 to 10 minutes on 2 cores (more on a busy machine); later runs reuse it"
start=$SECONDS

# Outside any workspace or the caller's module, so that nothing of theirs applies to the build.
export GOWORK=off
json=$(cd "$dir" && go mod download -json "github.com/opentofu/opentofu@v$version") ||
  die "go mod download github.com/opentofu/opentofu@v$version failed: $json"
src=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -n "$src" ] && [ -d "$src/cmd/tofu" ] || die "go mod download gave no module directory: $json"

cd "$src"
log "resolving and downloading the packages of ./cmd/tofu"
total=$(go list -deps ./cmd/tofu | wc -l | tr -d ' ') || die "go list -deps ./cmd/tofu failed in $src"

# Progress: `go build -v` names each package as it is compiled (cached ones are skipped, so the
# count may end below the total). On a terminal one line is rewritten; in a log, a line every 10%.
tmp="$dir/tofu.tmp.$$"
trap 'rm -f "$tmp"' EXIT
set +e
go build -v -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$tmp" ./cmd/tofu 2>&1 |
  awk -v total="$total" -v tty="$([ -t 2 ] && echo 1 || echo 0)" '
    /^#/ || /: / { print > "/dev/stderr"; next }
    {
      n++
      pct = int(n * 100 / total); if (pct > 99) pct = 99
      if (tty) { printf "\r    compiling %d/%d packages (%d%%) %-60.60s", n, total, pct, $0 > "/dev/stderr" }
      else if (pct >= next_pct) { printf "    compiling: %d%% (%d/%d packages)\n", pct, n, total > "/dev/stderr"; next_pct = pct - pct % 10 + 10 }
    }
    END { if (tty) printf "\n" > "/dev/stderr" }'
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || die "go build ./cmd/tofu failed (exit $status); see the output above"
mv -f "$tmp" "$bin"
cached || die "the built $bin does not report OpenTofu v$version: $(TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>&1)"
log "built OpenTofu $version in $((SECONDS - start)) s: $bin"
printf '%s\n' "$bin"
