package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

func TestAccPluginDataSource_byIDAndInstanceURL(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
data "outreach_dynamics_plugin" "by_id" {
  id = 1
}
data "outreach_dynamics_plugin" "by_url" {
  instance_url = "` + env.Sandbox.DynamicsURL() + `/"
}
data "outreach_dynamics_plugin" "default" {}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.by_id", tfjsonpath.New("kind"), knownvalue.StringExact("dynamics")),
				statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.by_id", tfjsonpath.New("instance_url"), knownvalue.StringExact(env.Sandbox.DynamicsURL())),
				statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.by_id", tfjsonpath.New("sync_status"), knownvalue.StringExact("active")),
				statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.by_url", tfjsonpath.New("id"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("data.outreach_dynamics_plugin.default", tfjsonpath.New("id"), knownvalue.Int64Exact(1)),
			},
		}},
	})
}

func TestAccPluginDataSource_errors(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(`data "outreach_dynamics_plugin" "p" { id = 999 }`),
				ExpectError: regexp.MustCompile(`Outreach has no plugin with id 999`),
			},
			{
				Config:      env.Config(`data "outreach_dynamics_plugin" "p" { instance_url = "https://nowhere.crm.dynamics.com" }`),
				ExpectError: regexp.MustCompile(`No Outreach Dynamics plugin is connected to`),
			},
			{
				Config: env.Config(`
data "outreach_dynamics_plugin" "p" {
  id           = 1
  instance_url = "https://x"
}`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
		},
	})
}

func TestAccAttributeDataSource(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
data "dynamics_attribute" "donotemail" {
  provider     = outreach
  entity       = "contact"
  logical_name = "donotemail"
}
data "dynamics_attribute" "fullname" {
  provider     = outreach
  entity       = "lead"
  logical_name = "fullname"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dynamics_attribute.donotemail", tfjsonpath.New("attribute_type"), knownvalue.StringExact("Boolean")),
					statecheck.ExpectKnownValue("data.dynamics_attribute.donotemail", tfjsonpath.New("display_name"), knownvalue.StringExact("Do not allow Emails")),
					statecheck.ExpectKnownValue("data.dynamics_attribute.donotemail", tfjsonpath.New("is_custom"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.dynamics_attribute.donotemail", tfjsonpath.New("valid_for_update"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.dynamics_attribute.donotemail", tfjsonpath.New("id"), knownvalue.StringExact("contact/donotemail")),
					statecheck.ExpectKnownValue("data.dynamics_attribute.fullname", tfjsonpath.New("valid_for_update"), knownvalue.Bool(false)),
				},
			},
			{
				Config: env.Config(`
data "dynamics_attribute" "x" {
  provider     = outreach
  entity       = "contact"
  logical_name = "donotemial"
}`),
				ExpectError: regexp.MustCompile(`Table "contact" has no column with logical name "donotemial"`),
			},
			{
				Config: env.Config(`
data "dynamics_attribute" "x" {
  provider     = outreach
  entity       = "kontact"
  logical_name = "donotemail"
}`),
				ExpectError: regexp.MustCompile(`Dataverse has no table with logical name "kontact"`),
			},
		},
	})
}

func TestAccProvider_missingSystemNamesSettings(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
provider "outreach" {}
data "dynamics_attribute" "x" {
  provider     = outreach
  entity       = "contact"
  logical_name = "donotemail"
}`,
				ExpectError: regexp.MustCompile(`(?s)Dynamics is not configured.*dynamics.url \(DYNAMICS_URL\)`),
			},
			{
				Config:      `data "outreach_dynamics_plugin" "p" {}`,
				ExpectError: regexp.MustCompile(`(?s)Outreach is not configured.*OUTREACH_ACCESS_TOKEN`),
			},
		},
	})
}
