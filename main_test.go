package main

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestQuietLogsOnlyWhenTerraformDiscardsThem(t *testing.T) {
	for _, name := range terraformLogEnv {
		t.Setenv(name, "")
	}
	quietLogsTerraformDiscards()
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		if got := os.Getenv(name); got != "off" {
			t.Errorf("without TF_LOG, %s = %q, want off", name, got)
		}
	}

	for _, name := range terraformLogEnv {
		t.Setenv(name, "")
	}
	t.Setenv("TF_LOG", "DEBUG")
	quietLogsTerraformDiscards()
	if got := os.Getenv("TF_LOG_SDK"); got != "" {
		t.Errorf("with TF_LOG=DEBUG the SDK level must be left alone, got TF_LOG_SDK = %q", got)
	}
}

func TestGarbageCollectionUnlessGOMEMLIMITOrGOGC(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	garbageCollection()
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Fatalf("memory limit %d, want %d", got, memoryLimit)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GC percent %d, want %d", got, gcPercent)
	}

	debug.SetMemoryLimit(1 << 40)
	debug.SetGCPercent(100)
	t.Setenv("GOMEMLIMIT", "1GiB")
	t.Setenv("GOGC", "100")
	garbageCollection()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Fatalf("with GOMEMLIMIT set the limit must be left alone, got %d", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC set the GC percent must be left alone, got %d", got)
	}
}
