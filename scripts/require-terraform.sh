#!/usr/bin/env bash
# Fails, with instructions, when no Terraform CLI is on PATH. Tests never download one.
set -euo pipefail
if command -v terraform >/dev/null 2>&1; then
  exit 0
fi
if command -v tofu >/dev/null 2>&1; then
  echo "terraform is not on PATH but tofu is: link it (ln -s \"\$(command -v tofu)\" ~/bin/terraform) or install Terraform." >&2
  exit 1
fi
cat >&2 <<'MSG'
No terraform CLI on PATH. The acceptance tests and `make demo` run the real CLI and never download one.
Install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install), e.g. on Debian/Ubuntu:
  apt-get install terraform   (after adding the HashiCorp apt repository)
or put an unpacked terraform binary on PATH, then run the command again.
MSG
exit 1
