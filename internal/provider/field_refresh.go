package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// This file holds the apply-time refresh of a plugin's field catalog for a Dynamics column created
// in the same apply. The plugin reads Dataverse metadata without strong consistency, so its first
// refreshFields after a column was created may not see the column yet: the refresh is repeated
// with backoff until the catalog lists the column. Many resources of one apply that wait for new
// columns of one plugin share each refresh instead of sending one each.

// Backoff of the polling refresh: first wait, cap, and how long to keep trying when the caller's
// context sets no deadline (Terraform gives mapping and condition writes none).
const (
	fieldRefreshFirstWait = 2 * time.Second
	fieldRefreshMaxWait   = 30 * time.Second
	fieldRefreshBudget    = 5 * time.Minute
)

// fieldRefreshSleep waits between refreshes. Tests replace it with one that moves the sandbox clock
// instead of sleeping.
var fieldRefreshSleep = httpx.SleepContext

// refreshKey is one refreshFields of a plugin; gen numbers the refreshes of that plugin in the
// order they were started by this process.
type refreshKey struct {
	pluginID int64
	gen      int64
}

// refreshMark returns the generation of the plugin's latest refresh started so far. A write that
// is refused after the mark was taken needs a refresh of a later generation: an earlier one may
// have read the plugin's metadata before the column existed.
func (c *catalogCache) refreshMark(pluginID int64) int64 {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	return c.refreshGen[pluginID]
}

// refreshFields makes sure that a refresh of the plugin started after mark has completed: it joins
// the latest one if that started after mark, else starts one. It returns the generation it waited
// for. The catalog of the plugin is forgotten when a refresh completes.
func (c *catalogCache) refreshFields(ctx context.Context, client *outreach.Client, pluginID, mark int64) (int64, error) {
	c.refreshMu.Lock()
	gen := c.refreshGen[pluginID]
	if gen <= mark {
		gen++
		c.refreshGen[pluginID] = gen
	}
	c.refreshMu.Unlock()
	_, err := c.refreshes.Get(ctx, refreshKey{pluginID, gen}, func(ctx context.Context) (struct{}, error) {
		if err := client.RefreshFields(ctx, pluginID); err != nil {
			return struct{}{}, err
		}
		c.Invalidate(pluginID)
		return struct{}{}, nil
	})
	return gen, err
}

// refreshFieldsUntil refreshes the plugin's fields until the catalog of object lists Dynamics
// column column, waiting with exponential backoff between refreshes, for as long as ctx lives
// (fieldRefreshBudget when it sets no deadline). A column still missing then is reported to the
// caller's write, whose 422 names it.
func (c *catalogCache) refreshFieldsUntil(ctx context.Context, client *outreach.Client, pluginID int64, object, column string, mark int64) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, fieldRefreshBudget)
		defer cancel()
	}
	wait := fieldRefreshFirstWait
	for attempt := 1; ; attempt++ {
		gen, err := c.refreshFields(ctx, client, pluginID, mark)
		if err != nil {
			return err
		}
		fields, err := c.Fields(ctx, client, pluginID, object)
		if err != nil {
			return err
		}
		if _, ok := findField(fields, catalogSideCRM, column); ok {
			return nil
		}
		tflog.Info(ctx, "The plugin's refreshed catalog does not list the Dynamics column yet; refreshing again after a pause",
			map[string]any{"plugin_id": pluginID, "object": object, "column": column, "attempt": attempt, "wait": wait.String()})
		if err := fieldRefreshSleep(ctx, wait); err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil // out of time: the write is tried once more and its 422 says what is missing
			}
			return fmt.Errorf("waiting for the plugin to list column %q: %w", column, err)
		}
		mark, wait = gen, min(2*wait, fieldRefreshMaxWait)
	}
}
