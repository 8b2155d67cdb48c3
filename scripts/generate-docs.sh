#!/usr/bin/env bash
# `make generate`: renders docs/ from templates/ and examples/ with tfplugindocs, offline, with the
# CLI scripts/tf-cli.sh picks (terraform on PATH, else tofu, else the pinned OpenTofu it builds).
#
# Why not a plain `tfplugindocs generate`: tfplugindocs finds a page's schema by prefixing the
# provider name, so the dynamics_* types (served by this provider under names that do not start
# with "outreach_") break it. Instead:
#   1. build bin/terraform-provider-outreach and export its schema with
#      `terraform providers schema -json` under dev_overrides (no init: it would query the registry);
#   2. split the schema (internal/tools/docsplit) into the outreach_* types keyed "outreach" and the
#      dynamics_* types keyed "dynamics";
#   3. run tfplugindocs twice, each on a staged copy of templates/ holding only its own types
#      (pass 2 as provider "dynamics", rendered as "outreach"), and move the dynamics pages to
#      docs/{resources,data-sources}/dynamics_*.md;
#   4. replace docs/ with the result and run `tfplugindocs validate`.
# The output depends only on the sources, so a second run changes nothing.
set -euo pipefail
# shellcheck source=scripts/sandbox-lib.sh
. "$(dirname "$0")/sandbox-lib.sh"
sbx_init
cd "$SBX_ROOT"

sbx_log "building the provider"
sbx_build_provider
sbx_cli_config

sbx_log "exporting the provider schema"
mkdir -p "$SBX_WORK/export"
cat >"$SBX_WORK/export/main.tf" <<'EOF'
terraform {
  required_providers {
    outreach = {
      source = "optout-sync/outreach"
    }
  }
}
EOF
if ! "$TF_CLI" -chdir="$SBX_WORK/export" providers schema -json >"$SBX_WORK/schema.json" 2>"$SBX_WORK/export.err"; then
  cat "$SBX_WORK/export.err" >&2
  sbx_die "terraform providers schema -json failed"
fi
go run ./internal/tools/docsplit -in "$SBX_WORK/schema.json" -source "$SBX_SOURCE" -out-dir "$SBX_WORK"

# stage DIR: a provider directory for tfplugindocs whose examples/ is the repository's (templates
# read example files relative to it) and whose templates/ is filled by the caller.
stage() {
  mkdir -p "$1/templates"
  ln -s "$SBX_ROOT/examples" "$1/examples"
}

tfplugindocs() {
  local log="$SBX_WORK/tfplugindocs.log"
  if ! go tool tfplugindocs "$@" >"$log" 2>&1; then
    cat "$log" >&2
    sbx_die "tfplugindocs $1 failed"
  fi
  # Warnings (a template without a schema, ...) are worth seeing; the info lines are not.
  grep -i 'warn' "$log" >&2 || true
}

# Pass 1: every outreach_* type, the provider page and the guides.
site="$SBX_WORK/site"
stage "$site"
if [ -d templates ]; then cp -R templates/. "$site/templates/"; fi
# A template named dynamics_<x>.md.tmpl is the page of the dynamics_<x> type when there is one
# (pass 2), else of outreach_dynamics_<x> (this pass: tfplugindocs drops the provider prefix).
is_dynamics_type() { grep -q "\"$1\": *{" "$SBX_WORK/schema-dynamics.json"; }
for t in "$site"/templates/resources/dynamics_*.md.tmpl "$site"/templates/data-sources/dynamics_*.md.tmpl; do
  [ -e "$t" ] || continue
  if is_dynamics_type "$(basename "$t" .md.tmpl)"; then rm "$t"; fi
done
sbx_log "rendering the outreach_* pages, the provider page and the guides"
tfplugindocs generate --provider-dir "$site" --provider-name outreach \
  --providers-schema "$SBX_WORK/schema-outreach.json" --rendered-website-dir docs

# Pass 2: the dynamics_* types, as provider "dynamics" rendered as "outreach". Their templates
# are named without the prefix, as tfplugindocs expects for this provider name.
site2="$SBX_WORK/site-dynamics"
stage "$site2"
for kind in resources data-sources; do
  mkdir -p "$site2/templates/$kind"
  for t in templates/"$kind"/dynamics_*.md.tmpl; do
    [ -e "$t" ] || continue
    b=$(basename "$t")
    is_dynamics_type "${b%.md.tmpl}" || continue
    cp "$t" "$site2/templates/$kind/${b#dynamics_}"
  done
done
sbx_log "rendering the dynamics_* pages"
tfplugindocs generate --provider-dir "$site2" --provider-name dynamics --rendered-provider-name outreach \
  --providers-schema "$SBX_WORK/schema-dynamics.json" --rendered-website-dir docs
for kind in resources data-sources; do
  [ -d "$site2/docs/$kind" ] || continue
  mkdir -p "$site/docs/$kind"
  for p in "$site2/docs/$kind"/*.md; do
    [ -e "$p" ] || continue
    mv "$p" "$site/docs/$kind/dynamics_$(basename "$p")"
  done
done

# docs/benchmarks.md is written by `make bench`, not generated: it survives the replacement.
if [ -f docs/benchmarks.md ]; then cp docs/benchmarks.md "$site/docs/benchmarks.md"; fi
rm -rf docs
cp -R "$site/docs" docs

sbx_log "validating docs/"
tfplugindocs validate --provider-dir . --provider-name outreach --providers-schema "$SBX_WORK/schema-all.json"
sbx_log "docs/ is up to date ($(find docs -name '*.md' | wc -l | tr -d ' ') pages)"
