// Command terraform-provider-outreach serves the Outreach Dynamics 365 plugin provider to Terraform.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/optout-sync/terraform-provider-outreach/internal/provider"
)

// version is set at build time (goreleaser: -X main.version={{.Version}}).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	quietLogsTerraformDiscards()
	softMemoryLimit()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.RegistryAddress,
		Debug:   debug,
	})
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

// memoryLimit is the provider's soft memory limit. Terraform keeps many requests in flight at once
// on a large configuration, and with the Go runtime's default (collect when the heap has doubled
// since the last collection) the provider peaked at 186 MiB in the plan of 1,000 field mappings
// and 200 conditions, for about 75 MiB of live data. Near the limit the runtime collects sooner;
// it is soft, so a configuration that needs more still gets it. The price is CPU where the live
// heap passes the limit: measured at 1,000 mappings and 200 conditions (make bench), the refresh
// peaks at 79 MiB instead of about 105 MiB at the same speed, while the full plan after an apply
// peaks at 106 MiB instead of 173 MiB and takes 9.2 s instead of 5.4 s. GOMEMLIMIT=off (or a
// larger limit) chooses speed.
const memoryLimit = 64 << 20

// softMemoryLimit applies memoryLimit unless GOMEMLIMIT chooses another.
func softMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
