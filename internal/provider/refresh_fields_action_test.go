package provider_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

const refreshFieldsAction = "outreach_dynamics_refresh_fields"

// actionEvents splits an action's events into progress messages and the completion's diagnostics.
func actionEvents(t *testing.T, events []tfprotov6.InvokeActionEvent) ([]string, []*tfprotov6.Diagnostic) {
	t.Helper()
	if len(events) == 0 {
		t.Fatal("the action sent no event")
	}
	var progress []string
	for i, e := range events {
		switch ev := e.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, ev.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			if i != len(events)-1 {
				t.Fatalf("completion is event %d of %d, want the last", i+1, len(events))
			}
			return progress, ev.Diagnostics
		}
	}
	t.Fatal("the action never completed")
	return nil, nil
}

// A column created in Dataverse is unknown to the plugin until the action refreshes its fields;
// the progress messages say what happens and what the catalog holds after.
func TestActionRefreshFields_newColumnReachesTheCatalog(t *testing.T) {
	env := acctest.NewEnv(t)
	fmCreateColumnOutOfBand(env, "lead", "new_ActionOptOut")
	if fmCatalogHas(env, "lead", "new_actionoptout") {
		t.Fatal("the plugin knows the new column before any refresh; the test proves nothing")
	}
	p := env.Protocol()
	progress, diags := actionEvents(t, p.Invoke(refreshFieldsAction, nil))
	if acctest.HasError(diags) {
		t.Fatalf("the action failed: %s", acctest.DiagnosticsText(diags))
	}
	if !fmCatalogHas(env, "lead", "new_actionoptout") {
		t.Error("after the action the plugin's catalog still lacks lead.new_actionoptout")
	}
	if len(progress) != 2 {
		t.Fatalf("progress = %q, want a start and a summary message", progress)
	}
	if !strings.Contains(progress[0], "Refreshing the field catalog of plugin 1") || !strings.Contains(progress[0], env.Sandbox.DynamicsURL()) {
		t.Errorf("first progress message = %q", progress[0])
	}
	if !strings.Contains(progress[1], "Dynamics columns (") || !strings.Contains(progress[1], "lead ") {
		t.Errorf("summary message = %q", progress[1])
	}
}

// A plugin that does not exist fails the action at the plugin_id attribute, and nothing is
// written.
func TestActionRefreshFields_unknownPlugin(t *testing.T) {
	env := acctest.NewEnv(t)
	p := env.Protocol()
	writes := env.Sandbox.Stats().OutreachWrites
	progress, diags := actionEvents(t, p.Invoke(refreshFieldsAction, map[string]any{"plugin_id": 99}))
	if !acctest.HasError(diags) || !strings.Contains(acctest.DiagnosticsText(diags), "Outreach has no plugin 99") {
		t.Errorf("diagnostics = %s, want the missing plugin named", acctest.DiagnosticsText(diags))
	}
	if len(progress) != 0 {
		t.Errorf("progress = %q, want none before the plugin is known", progress)
	}
	if got := env.Sandbox.Stats().OutreachWrites - writes; got != 0 {
		t.Errorf("%d writes, want none", got)
	}
}
