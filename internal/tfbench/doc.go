// Package tfbench holds the Terraform-level benchmark behind `make bench`: it applies and
// refreshes N field mappings and N/5 sync conditions with the real terraform CLI against the
// in-process sandbox, and writes docs/benchmarks.md. It runs only with the tfbench build tag
// (scripts/bench.sh), never in `make test`.
package tfbench
