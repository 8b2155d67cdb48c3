#!/usr/bin/env bash
# `make bench`: Go benchmarks of the hot paths (listing through the JSON:API codec and paging,
# the retry policy's per-request overhead) against the in-process sandbox on loopback. Output is
# benchstat-friendly: compare two runs with `benchstat old.txt new.txt`.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem -count "${BENCH_COUNT:-3}" ./internal/...
