package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

// objectSettingsWire is a pluginObject as the sandbox serves it.
type objectSettingsWire struct {
	ID               int64
	Polling          bool  `json:"polling"`
	PollingFrequency int64 `json:"pollingFrequency"`
	Pushing          bool  `json:"pushing"`
	InboundCreate    bool  `json:"inboundCreate"`
	InboundUpdate    bool  `json:"inboundUpdate"`
	OutboundCreate   bool  `json:"outboundCreate"`
	OutboundUpdate   bool  `json:"outboundUpdate"`
}

func objectSettingsReadWire(t *testing.T, env *acctest.Env, object string) objectSettingsWire {
	t.Helper()
	body := env.MustOutreach(http.StatusOK, http.MethodGet, "/api/v2/pluginObjects?filter[plugin][id]=1&filter[crmObject]="+object, nil)
	var doc struct {
		Data []struct {
			ID         json.Number        `json:"id"`
			Attributes objectSettingsWire `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.Data) != 1 {
		t.Fatalf("reading the %s pluginObject: %v: %s", object, err, body)
	}
	o := doc.Data[0].Attributes
	o.ID, _ = doc.Data[0].ID.Int64()
	return o
}

// objectSettingsPatchWire changes settings out of band, as someone in the Outreach UI would.
func objectSettingsPatchWire(t *testing.T, env *acctest.Env, object string, attrs map[string]any) {
	t.Helper()
	id := objectSettingsReadWire(t, env, object).ID
	env.MustOutreach(http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/v2/pluginObjects/%d", id), map[string]any{
		"data": map[string]any{"type": "pluginObject", "id": id, "attributes": attrs},
	})
}

func objectSettingsHCL(object, body string) string {
	return fmt.Sprintf(`
resource "outreach_dynamics_object_settings" %q {
  object = %q
  %s
}
`, object, object, body)
}

func TestAccObjectSettings_lifecycle(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_object_settings.lead"
	first := env.Config(objectSettingsHCL("lead", `
  polling           = true
  polling_frequency = 5
  inbound_create    = true`))
	second := env.Config(objectSettingsHCL("lead", `
  polling           = true
  polling_frequency = 15
  inbound_create    = true
  outbound_create   = true`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(addr, tfjsonpath.New("plugin_id"), knownvalue.Int64Exact(1)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("polling_frequency"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inbound_create"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("outreach_object"), knownvalue.StringExact("prospect")),
					// Not set, so not managed: shown as the plugin has it (the seed pushes leads).
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pushing"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("outbound_create"), knownvalue.Bool(false)),
				},
				Check: func(*terraform.State) error {
					o := objectSettingsReadWire(t, env, "lead")
					if !o.Polling || o.PollingFrequency != 5 || !o.InboundCreate || !o.Pushing {
						return fmt.Errorf("lead settings in the sandbox = %+v", o)
					}
					return nil
				},
			},
			{
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("polling_frequency"), knownvalue.Int64Exact(15)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("outbound_create"), knownvalue.Bool(true)),
				},
			},
			{
				// Someone changes a managed setting in Outreach: the next plan wants it back.
				PreConfig:          func() { objectSettingsPatchWire(t, env, "lead", map[string]any{"pollingFrequency": 60}) },
				Config:             second,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if o := objectSettingsReadWire(t, env, "lead"); o.PollingFrequency != 15 {
						return fmt.Errorf("pollingFrequency in the sandbox = %d, want 15", o.PollingFrequency)
					}
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "lead",
				ImportStateVerify: true,
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "1/lead",
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccObjectSettings_unmanagedSettingsAreNotDrift(t *testing.T) {
	env := acctest.NewEnv(t)
	const addr = "outreach_dynamics_object_settings.contact"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: env.Config(objectSettingsHCL("contact", `polling_frequency = 30`))},
			{
				// pushing and inbound_update are not in the configuration: changing them in
				// Outreach is shown in state but plans nothing.
				PreConfig: func() {
					objectSettingsPatchWire(t, env, "contact", map[string]any{"pushing": false, "inboundUpdate": false})
				},
				Config: env.Config(objectSettingsHCL("contact", `polling_frequency = 30`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("pushing"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inbound_update"), knownvalue.Bool(false)),
				},
			},
			{
				// An update of a managed setting does not send the unmanaged ones.
				PreConfig: func() { objectSettingsPatchWire(t, env, "contact", map[string]any{"pushing": true}) },
				Config:    env.Config(objectSettingsHCL("contact", `polling_frequency = 60`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					o := objectSettingsReadWire(t, env, "contact")
					if o.PollingFrequency != 60 || !o.Pushing || o.InboundUpdate {
						return fmt.Errorf("contact settings in the sandbox = %+v", o)
					}
					return nil
				},
			},
		},
	})
}

func TestAccObjectSettings_pollingFrequencyValidated(t *testing.T) {
	env := acctest.NewEnv(t)
	before := objectSettingsReadWire(t, env, "account")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      env.Config(objectSettingsHCL("account", `polling_frequency = 7`)),
			ExpectError: regexp.MustCompile(`(?s)polling_frequency.*must be one of`),
		}},
	})
	if after := objectSettingsReadWire(t, env, "account"); after != before {
		t.Fatalf("account settings changed: %+v → %+v", before, after)
	}
}

func TestAccObjectSettings_destroyLeavesThePluginAsItIs(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(objectSettingsHCL("opportunity", `
  polling_frequency = 120
  inbound_create    = false`)),
		}},
		CheckDestroy: func(*terraform.State) error {
			o := objectSettingsReadWire(t, env, "opportunity")
			if o.PollingFrequency != 120 || o.InboundCreate || !o.Polling {
				return fmt.Errorf("opportunity settings after destroy = %+v, want them as applied", o)
			}
			return nil
		},
	})
}

func TestAccObjectSettings_importIDErrors(t *testing.T) {
	env := acctest.NewEnv(t)
	config := env.Config(objectSettingsHCL("lead", `polling = true`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config: config, ResourceName: "outreach_dynamics_object_settings.lead", ImportState: true,
				ImportStateId: "prospect",
				ExpectError:   regexp.MustCompile(`(?s)Invalid import id.*<plugin_id>/<object>.*"prospect" is not one of`),
			},
			{
				Config: config, ResourceName: "outreach_dynamics_object_settings.lead", ImportState: true,
				ImportStateId: "9/lead",
				ExpectError:   regexp.MustCompile(`(?s)Object not found in the plugin.*Plugin 9 has no "lead" object`),
			},
		},
	})
}
