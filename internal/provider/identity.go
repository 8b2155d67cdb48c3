package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// keepOrFillIdentity writes want into identity unless identity already holds a complete value.
// An identity never changes over an object's life (the framework refuses a change), so once
// Create, an import or a Read has stored one, it stays; what is filled in here is the identity of
// state written before identity existed (or by a CLI without identity support), and the
// attributes an `import { identity = ... }` left out (plugin_id).
func keepOrFillIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, want any) diag.Diagnostics {
	if identity == nil {
		return nil // the CLI does not support identity: nothing to keep
	}
	if identityComplete(identity.Raw) {
		return nil
	}
	return identity.Set(ctx, want)
}

// identityComplete reports whether every attribute of an identity value is set.
func identityComplete(v tftypes.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return false
	}
	for _, a := range attrs {
		if a.IsNull() || !a.IsKnown() {
			return false
		}
	}
	return true
}

// identityGiven reports whether an import was asked for by identity rather than by ID string.
func identityGiven(identity *tfsdk.ResourceIdentity) bool {
	return identity != nil && !identity.Raw.IsNull() && !identity.Raw.IsFullyNull()
}

// setIdentity writes the identity an import found: the canonical spelling of the object, which
// replaces the one the `import { identity = ... }` was written with.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, v any) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, v)
}

// pluginIDIdentityAttribute is the plugin_id of the identities of objects that live in a plugin
// and are found by a natural key within it.
func pluginIDIdentityAttribute() identityschema.Int64Attribute {
	return identityschema.Int64Attribute{
		OptionalForImport: true,
		Description:       "Id of the Outreach Dynamics plugin; when left out of an import, the provider's plugin.",
	}
}
