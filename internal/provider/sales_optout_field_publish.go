package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// This file remembers a publish that failed. Dataverse keeps an updated column definition
// unpublished (inactive) until the table is published, but reads return the unpublished values,
// so after a failed PublishXml a refresh matches the configuration and nothing would ever plan
// the publish again. The pending publish is kept in private state and shown as published = false;
// the next plan plans published = true and its apply publishes.

// salesOptOutPendingPublishKey is the private-state key of a pending publish.
const salesOptOutPendingPublishKey = "pending_publish"

// salesOptOutPendingPublish is the private-state record of a pending publish.
type salesOptOutPendingPublish struct {
	Entity string `json:"entity"`
}

// privateGetter and privateSetter are the parts of the framework's private state the resource
// uses; every request and response type provides them.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// salesOptOutPublishPending reports whether private state records a publish still to be done.
func salesOptOutPublishPending(ctx context.Context, p privateGetter, diags *diag.Diagnostics) bool {
	if p == nil {
		return false
	}
	b, d := p.GetKey(ctx, salesOptOutPendingPublishKey)
	diags.Append(d...)
	if len(b) == 0 {
		return false
	}
	var pp salesOptOutPendingPublish
	return json.Unmarshal(b, &pp) == nil && pp.Entity != ""
}

// setSalesOptOutPublishPending records (entity != "") or clears (entity == "") a pending publish.
func setSalesOptOutPublishPending(ctx context.Context, p privateSetter, entity string, diags *diag.Diagnostics) {
	var b []byte
	if entity != "" {
		b, _ = json.Marshal(salesOptOutPendingPublish{Entity: entity})
	}
	diags.Append(p.SetKey(ctx, salesOptOutPendingPublishKey, b)...)
}

// salesOptOutPlannedPublished is the planned value of published: true, the state after every
// successful apply. A state from before the attribute existed (null) keeps null, so that upgrading
// the provider plans nothing.
func salesOptOutPlannedPublished(state types.Bool, pending bool) types.Bool {
	if state.IsNull() && !pending {
		return state
	}
	return types.BoolValue(true)
}
