package provider

import (
	"context"
	"time"
)

// SetFieldRefreshSleep replaces the wait between refreshFields polls for a test and returns the
// function that restores it, so that acceptance tests move the sandbox clock instead of sleeping.
func SetFieldRefreshSleep(sleep func(context.Context, time.Duration) error) (restore func()) {
	old := fieldRefreshSleep
	fieldRefreshSleep = sleep
	return func() { fieldRefreshSleep = old }
}
