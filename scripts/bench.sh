#!/usr/bin/env bash
# `make bench`: Go benchmarks of the hot paths (listing through the JSON:API codec and paging,
# the retry policy's per-request overhead) against the in-process sandbox on loopback. Output is
# benchstat-friendly: compare two runs with `benchstat old.txt new.txt`.
#
# Then the Terraform-level benchmark (internal/tfbench, build tag tfbench): N = 100, 500 and
# 1,000 field mappings plus N/5 sync conditions applied and refreshed with the real terraform CLI
# against the in-process sandbox; it writes docs/benchmarks.md. BENCH_SIZES=100,500 picks other
# sizes; BENCH_TF=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem -count "${BENCH_COUNT:-3}" ./internal/...
if [ "${BENCH_TF:-1}" != "0" ]; then
  go test -tags tfbench -run '^TestTerraformBenchmark$' -count 1 -timeout 30m -v ./internal/tfbench
fi
