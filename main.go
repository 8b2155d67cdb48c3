// Command terraform-provider-outreach serves the Outreach Dynamics 365 plugin provider to Terraform.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/optout-sync/terraform-provider-outreach/internal/provider"
)

// version is set at build time (goreleaser: -X main.version={{.Version}}).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	quietLogsTerraformDiscards()
	garbageCollection()
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// What providerserver.Serve does, with the provider's own protocol server (see ProtocolServer).
	err := tf6server.Serve(provider.RegistryAddress, provider.ProtocolServer(version), opts...)
	if err != nil {
		log.Fatal(err)
	}
}

// terraformLogEnv are the variables that make Terraform keep provider logs (TF_LOG,
// TF_LOG_PROVIDER) or that set the plugin SDK's own levels.
var terraformLogEnv = []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_OUTREACH", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// quietLogsTerraformDiscards switches the plugin SDK's loggers off when Terraform would throw
// their output away. Left unset, the SDK logs at TRACE and leaves the filtering to Terraform, which
// keeps provider logs only when TF_LOG or TF_LOG_PROVIDER is set: without them every request still
// renders dozens of JSON trace lines (the framework traces each attribute access) that Terraform
// reads and discards. Profiled at 1,000 field mappings that was a third of the provider's CPU time
// and most of what it allocated. A user who sets any of the variables gets the logs as before.
func quietLogsTerraformDiscards() {
	for _, name := range terraformLogEnv {
		if os.Getenv(name) != "" {
			return
		}
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(name, "off")
	}
}

// memoryLimit and gcPercent set how the provider's garbage collector trades memory for CPU.
//
// Measured at 1,000 field mappings and 200 conditions (make bench; provider process, median of
// five): once the protocol server stopped keeping every request's context (see
// provider.ProtocolServer) the live heap at the end of a full plan fell from 67 MiB to 5 MiB.
// With so little live data the Go default (collect when the heap has doubled) collects every few
// MiB of allocation, and each request allocates a lot (the plugin SDK builds loggers for every
// request even when logging is off): GOGC=400 halved the provider's CPU time in a refresh (from
// about 1.5 s to 0.9 s) and cut a full plan's from 3.1 s to 1.8 s, for a peak of about 50 MiB
// instead of 35. The soft limit keeps a configuration many times larger from growing the heap
// fourfold: near 64 MiB the runtime collects sooner whatever GOGC says. Before the context
// fix this limit made the collector run without pause in a full plan (9 s instead of 5 s),
// because the live heap itself passed it; the limit is soft, so a configuration that needs more
// still gets it, at that price. GOGC and GOMEMLIMIT, when set, decide instead.
const (
	memoryLimit = 64 << 20
	gcPercent   = 400
)

// garbageCollection applies memoryLimit and gcPercent unless GOMEMLIMIT or GOGC choose others.
func garbageCollection() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
