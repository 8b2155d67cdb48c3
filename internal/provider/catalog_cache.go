package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// catalogCache keeps the plugin's field catalog per (plugin, object) for the life of the provider
// process, so that plan-time checks of many resources cost one request per object. Each object is
// loaded on its own (flightGroup): a throttled read of one object's catalog never holds up the
// checks of another, and a caller whose context ends stops waiting.
type catalogCache struct {
	fields  *flightGroup[catalogKey, []outreach.Field]
	plugins *flightGroup[struct{}, []outreach.Plugin]
	// refreshes single-flights refreshFields per plugin and generation (field_refresh.go);
	// refreshGen is the latest generation started per plugin.
	refreshes  *flightGroup[refreshKey, struct{}]
	refreshMu  sync.Mutex
	refreshGen map[int64]int64
}

type catalogKey struct {
	pluginID int64
	object   string
}

func newCatalogCache() *catalogCache {
	return &catalogCache{
		fields:     newFlightGroup[catalogKey, []outreach.Field](),
		plugins:    newFlightGroup[struct{}, []outreach.Plugin](),
		refreshes:  newFlightGroup[refreshKey, struct{}](),
		refreshGen: map[int64]int64{},
	}
}

// Fields returns the catalog of one object of a plugin, both sides.
func (c *catalogCache) Fields(ctx context.Context, client *outreach.Client, pluginID int64, object string) ([]outreach.Field, error) {
	return c.fields.Get(ctx, catalogKey{pluginID, object}, func(ctx context.Context) ([]outreach.Field, error) {
		return client.ListFields(ctx, outreach.FieldFilter{PluginID: pluginID, CRMObject: object})
	})
}

// Reload reads one object's catalog again, replacing the cached copy: for a field that the
// cached copy lacks but that a refresh made since may have added.
func (c *catalogCache) Reload(ctx context.Context, client *outreach.Client, pluginID int64, object string) ([]outreach.Field, error) {
	key := catalogKey{pluginID, object}
	c.fields.Forget(func(k catalogKey) bool { return k == key })
	return c.Fields(ctx, client, pluginID, object)
}

// Invalidate forgets a plugin's catalog (after refreshFields).
func (c *catalogCache) Invalidate(pluginID int64) {
	c.fields.Forget(func(k catalogKey) bool { return k.pluginID == pluginID })
}

func (c *catalogCache) onlyDynamicsPlugin(ctx context.Context, client *outreach.Client, diags *diag.Diagnostics) int64 {
	plugins, err := c.plugins.Get(ctx, struct{}{}, func(ctx context.Context) ([]outreach.Plugin, error) {
		return client.ListPlugins(ctx, outreach.PluginFilter{Kind: "dynamics"})
	})
	if err != nil {
		addClientError(diags, path.Root("plugin_id"), "Cannot list the Outreach plugins", err)
		return 0
	}
	switch len(plugins) {
	case 1:
		return plugins[0].ID
	case 0:
		diags.AddAttributeError(path.Root("plugin_id"), "No Dynamics plugin found",
			"The Outreach organization has no Dynamics plugin. Connect Dynamics 365 in Outreach first, or set plugin_id.")
	default:
		var names []string
		for _, p := range plugins {
			names = append(names, fmt.Sprintf("%d (%s, %s)", p.ID, p.Name, p.InstanceURL))
		}
		diags.AddAttributeError(path.Root("plugin_id"), "Several Dynamics plugins found",
			"The organization has more than one Dynamics plugin, so plugin_id must be set on the resource or as "+
				"outreach.plugin_id in the provider (OUTREACH_PLUGIN_ID). Plugins: "+strings.Join(names, "; ")+".")
	}
	return 0
}
