package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// addPublicAPIError reports a failed read of one of Outreach's public API resources. A token
// without the resource's scope gets a diagnostic that names the scope and how to get it: the
// generic 403 advice of addClientError is about the plugin scopes, which these reads do not need.
// Anything else goes through addClientError.
func addPublicAPIError(diags *diag.Diagnostics, typeName, scope, summary string, err error) {
	if e, ok := outreach.AsAPIError(err); ok && e.StatusCode == 403 && e.ID == "unauthorizedOauthScope" {
		diags.AddError("Missing Outreach scope "+scope,
			fmt.Sprintf("%s needs the %s scope, and the configured Outreach token lacks it. Add %s to the "+
				"scopes of the Outreach app and authorize again (a token keeps the scopes it was granted; for a "+
				"refresh token that means a new consent). It needs no other scope: a token with only %s is enough.\n\n%s",
				typeName, scope, scope, scope, err.Error()))
		return
	}
	addClientError(diags, path.Empty(), summary, err)
}
