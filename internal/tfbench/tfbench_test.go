//go:build tfbench

package tfbench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/provider"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// objects are the CRM objects the generated mappings and conditions are spread over.
var objects = []string{"lead", "contact", "account", "opportunity"}

// sizes are the numbers of mappings benchmarked; BENCH_SIZES (comma separated) overrides them.
func sizes(t *testing.T) []int {
	raw := os.Getenv("BENCH_SIZES")
	if raw == "" {
		return []int{100, 500, 1000}
	}
	var out []int
	for _, s := range strings.Split(raw, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 4 {
			t.Fatalf("BENCH_SIZES: %q is not a size of at least 4", s)
		}
		out = append(out, n)
	}
	return out
}

// bench is one benchmark environment: a provider build behind an RSS-recording wrapper, a CLI
// config that points Terraform at it, and the sandbox.
type bench struct {
	t         *testing.T
	terraform string
	dir       string
	cliConfig string
	rssFile   string
	sb        *sandbox.Server
}

// result is one measured command.
type result struct {
	wall             time.Duration
	outreach, dynamo int64 // API requests per half
	rssKiB           int64 // provider peak RSS, 0 when no provider ran
}

func TestTerraformBenchmark(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("the benchmark needs the terraform CLI on PATH or in TF_ACC_TERRAFORM_PATH")
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b := &bench{t: t, terraform: tf, dir: t.TempDir()}
	b.build(root)
	loadStart := loadAverage()
	var rows []string
	for _, n := range sizes(t) {
		rows = append(rows, b.run(n)...)
	}
	out := filepath.Join(root, "docs", "benchmarks.md")
	if p := os.Getenv("BENCH_OUTPUT"); p != "" {
		out = p
	}
	doc := b.document(rows, loadStart, loadAverage())
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + doc)
}

// build compiles the provider and installs it behind a wrapper that records its peak RSS with
// GNU time, one line per provider process.
func (b *bench) build(root string) {
	// BENCH_PROVIDER_BIN benchmarks a provider built elsewhere (another commit, for a before and
	// after comparison) instead of this checkout's.
	bin := os.Getenv("BENCH_PROVIDER_BIN")
	if bin == "" {
		bin = filepath.Join(b.dir, "bin", "terraform-provider-outreach")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			b.t.Fatalf("building the provider: %v\n%s", err, out)
		}
	}
	// The plugin floor: the least a provider plugin can do (see floorprovider), built from this
	// checkout whatever BENCH_PROVIDER_BIN says.
	floorDir := filepath.Join(b.dir, "floorbin")
	cmd := exec.Command("go", "build", "-o", filepath.Join(floorDir, "terraform-provider-floor"), "./internal/tfbench/floorprovider")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.t.Fatalf("building the floor provider: %v\n%s", err, out)
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		b.t.Fatal("the benchmark measures the provider's peak RSS with GNU time (/usr/bin/time)")
	}
	wrapDir := filepath.Join(b.dir, "override")
	if err := os.MkdirAll(wrapDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	b.rssFile = filepath.Join(b.dir, "rss.txt")
	wrapper := fmt.Sprintf("#!/bin/sh\nexec /usr/bin/time -a -o %q -f %%M %q \"$@\"\n", b.rssFile, bin)
	if err := os.WriteFile(filepath.Join(wrapDir, "terraform-provider-outreach"), []byte(wrapper), 0o755); err != nil {
		b.t.Fatal(err)
	}
	b.cliConfig = filepath.Join(b.dir, "terraform.tfrc")
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		provider.RegistryAddress, wrapDir, floorProviderAddress, floorDir)
	if err := os.WriteFile(b.cliConfig, []byte(cfg), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// run benchmarks one size and returns its table rows.
func (b *bench) run(n int) []string {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		b.t.Fatal(err)
	}
	defer sb.Close()
	b.sb = sb
	if err := sb.LoadBenchmarkCatalog((n + len(objects) - 1) / len(objects)); err != nil {
		b.t.Fatal(err)
	}
	work := filepath.Join(b.dir, fmt.Sprintf("n%d", n))
	floor := filepath.Join(b.dir, fmt.Sprintf("floor%d", n))
	plugin := filepath.Join(b.dir, fmt.Sprintf("plugin%d", n))
	b.write(work, providerConfig(sb.OutreachURL(), n))
	b.write(floor, floorConfig(n))
	b.write(plugin, pluginFloorConfig(n+n/5))

	var rows []string
	sb.SetFaults(sandbox.Faults{LatencyMS: 100})
	apply := b.terraform1(work, nil, "apply", "-auto-approve", "-input=false")
	after := b.terraform1(work, nil, "plan", "-input=false", "-detailed-exitcode")
	rows = append(rows, fmt.Sprintf("| %d | apply (new) | this provider | 100 | %s | %d / %d | %s |", n, secs(apply.wall), apply.outreach, apply.dynamo, mib(apply.rssKiB)),
		fmt.Sprintf("| %d | plan after apply (empty) | this provider | 100 | %s | %d / %d | %s |", n, secs(after.wall), after.outreach, after.dynamo, mib(after.rssKiB)))
	b.terraform1(floor, nil, "apply", "-auto-approve", "-input=false")
	b.terraform1(plugin, nil, "apply", "-auto-approve", "-input=false")

	if os.Getenv("BENCH_REFRESH") == "0" {
		return rows // apply and the plan after it only, for a quick profile
	}
	for _, latency := range []int{0, 100} {
		sb.SetFaults(sandbox.Faults{LatencyMS: latency})
		for _, c := range []struct {
			label string
			dir   string
			env   []string
		}{
			{"this provider", work, nil},
			{"shared reads off", work, []string{"OUTREACH_PROVIDER_SHARED_READS=false"}},
			{"terraform_data (floor)", floor, nil},
			{fmt.Sprintf("plugin floor (%d resources)", n+n/5), plugin, nil},
		} {
			r := b.median(c.dir, c.env, "plan", "-refresh-only", "-input=false")
			rows = append(rows, fmt.Sprintf("| %d | plan -refresh-only | %s | %d | %s | %d / %d | %s |", n, c.label, latency, secs(r.wall), r.outreach, r.dynamo, mib(r.rssKiB)))
		}
	}
	return rows
}

// median runs a command three times and returns the run with the median wall time, with the
// largest provider RSS of the three.
func (b *bench) median(dir string, env []string, args ...string) result {
	var rs []result
	for range 3 {
		rs = append(rs, b.terraform1(dir, env, args...))
	}
	peak := slices.MaxFunc(rs, func(x, y result) int { return int(x.rssKiB - y.rssKiB) }).rssKiB
	slices.SortFunc(rs, func(x, y result) int { return int(x.wall - y.wall) })
	m := rs[1]
	m.rssKiB = peak
	return m
}

// terraform1 runs one terraform command and measures it. A plan with -detailed-exitcode must
// exit 0 (no changes).
func (b *bench) terraform1(dir string, env []string, args ...string) result {
	_ = os.Remove(b.rssFile)
	before := b.sb.Stats()
	cmd := exec.Command(b.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+b.cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.t.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), dir, err, tail(out.String(), 4000))
	}
	after := b.sb.Stats()
	return result{
		wall:     wall,
		outreach: after.OutreachRequests - before.OutreachRequests,
		dynamo:   after.DynamicsRequests - before.DynamicsRequests,
		rssKiB:   b.peakRSS(),
	}
}

// peakRSS is the largest maximum resident set size GNU time recorded for a provider process of
// the last command, in KiB.
func (b *bench) peakRSS() int64 {
	f, err := os.Open(b.rssFile)
	if err != nil {
		return 0
	}
	defer f.Close()
	var peak int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, err := strconv.ParseInt(strings.TrimSpace(sc.Text()), 10, 64); err == nil && v > peak {
			peak = v
		}
	}
	return peak
}

func (b *bench) write(dir, config string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// providerConfig is n mappings spread over the four objects, each of a distinct Outreach custom
// field to a distinct text column, and n/5 polling conditions on those columns.
func providerConfig(outreachURL string, n int) string {
	var s strings.Builder
	fmt.Fprintf(&s, `terraform {
  required_providers {
    outreach = { source = %q }
  }
}

provider "outreach" {
  outreach = {
    base_url     = %q
    access_token = "sandbox-outreach-token"
    plugin_id    = 1
  }
}
`, strings.TrimPrefix(provider.RegistryAddress, "registry.terraform.io/"), outreachURL)
	for i := range n {
		k := i/len(objects) + 1
		fmt.Fprintf(&s, `
resource "outreach_dynamics_field_mapping" "m%d" {
  object         = %q
  outreach_field = "custom%d"
  dynamics_field = "new_bench%d"
}
`, i, objects[i%len(objects)], k, k)
	}
	for i := range n / 5 {
		fmt.Fprintf(&s, `
resource "outreach_dynamics_sync_condition" "c%d" {
  object   = %q
  trigger  = "polling"
  field    = "new_bench%d"
  operator = "not_equals"
  value    = "excluded-%d"
}
`, i, objects[i%len(objects)], i/len(objects)+1, i)
	}
	return s.String()
}

// floorConfig is n terraform_data resources: what Terraform's own bookkeeping costs.
func floorConfig(n int) string {
	var s strings.Builder
	for i := range n {
		fmt.Fprintf(&s, "resource \"terraform_data\" \"d%d\" {\n  input = \"custom%d\"\n}\n", i, i)
	}
	return s.String()
}

// floorProviderAddress is floorprovider's source address.
const floorProviderAddress = "registry.terraform.io/optout-sync/floor"

// pluginFloorConfig is n resources of the floor provider: what Terraform costs for n resources
// of any plugin provider that does nothing (the same count as providerConfig's n + n/5).
func pluginFloorConfig(n int) string {
	var s strings.Builder
	s.WriteString("terraform {\n  required_providers {\n    floor = { source = \"optout-sync/floor\" }\n  }\n}\n")
	for i := range n {
		fmt.Fprintf(&s, "resource \"floor_thing\" \"t%d\" {\n  object         = %q\n  outreach_field = \"custom%d\"\n  dynamics_field = \"new_bench%d\"\n}\n",
			i, objects[i%len(objects)], i, i)
	}
	return s.String()
}

// document renders the table with the machine it ran on.
func (b *bench) document(rows []string, loadStart, loadEnd string) string {
	out, _ := exec.Command(b.terraform, "version").Output()
	tfVersion, _, _ := strings.Cut(string(out), "\n")
	var s strings.Builder
	// Front matter as tfplugindocs validate wants it for any page under docs/.
	s.WriteString("---\npage_title: \"Benchmarks\"\ndescription: |-\n  Wall time, API requests and memory of refresh, plan and apply at 100 to 1,000 field mappings.\n---\n\n")
	s.WriteString("# Benchmarks\n\n")
	s.WriteString("Written by `make bench` (internal/tfbench, build tag `tfbench`): N field mappings spread over lead, contact, " +
		"account and opportunity plus N/5 sync conditions, against the in-process sandbox with its `latency_ms` fault " +
		"set as shown, default parallelism. `plan -refresh-only` rows are the median of three runs. Requests are the " +
		"sandbox's `/_sandbox/stats` per half (Outreach / Dataverse); RSS is the provider process's peak resident set " +
		"(GNU time), the largest of the runs. `shared reads off` is `OUTREACH_PROVIDER_SHARED_READS=false`; the " +
		"`terraform_data` rows are the floor, what Terraform itself needs for N resources; the `plugin floor` rows are " +
		"what Terraform needs for as many resources as this provider's configuration has (N + N/5) from a provider " +
		"plugin that does nothing at all (internal/tfbench/floorprovider: no framework, no API, a read returns the state " +
		"it was sent), the least any provider plugin costs.\n\n")
	fmt.Fprintf(&s, "Machine: %s, %d CPUs (%s), %s, %s. Load average (1/5/15 min) at start %s, at end %s.\n\n",
		cpuModel(), runtime.NumCPU(), runtime.GOOS+"/"+runtime.GOARCH, strings.TrimSpace(tfVersion), runtime.Version(), loadStart, loadEnd)
	s.WriteString("| N | command | configuration | latency ms | wall s | requests (Outreach / Dataverse) | provider peak RSS MiB |\n")
	s.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		s.WriteString(r + "\n")
	}
	return s.String()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f", d.Seconds()) }

func mib(kib int64) string {
	if kib == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(kib)/1024)
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
