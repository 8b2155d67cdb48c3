package provider_test

// Writes whose answer is lost: the sandbox's outreach_lose_response fault applies the next Outreach
// write and answers 502 Bad Gateway instead, as a proxy that lost the upstream answer would. A
// create (a POST, never replayed) must be reconciled into state, never orphaned or duplicated; an
// update or a delete is replayed by the HTTP policy and must end as if nothing had happened.

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
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

const (
	lostResponseMapping   = "outreach_dynamics_field_mapping.lost"
	lostResponseCondition = "outreach_dynamics_sync_condition.lost"
	// The raw lists the sandbox is checked with: the lead mappings and lead polling conditions.
	lostResponseMappings   = "/api/v2/pluginFieldMappings?filter[plugin][id]=1&filter[crmObject]=lead&page[size]=1000"
	lostResponseConditions = "/api/v2/pluginSyncConditions?filter[plugin][id]=1&filter[crmObject]=lead&filter[trigger]=polling&page[size]=1000"
)

func lostResponseMappingHCL(direction string) string {
	return fmt.Sprintf(`
resource "outreach_dynamics_field_mapping" "lost" {
  object         = "lead"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
  direction      = %q
}
`, direction)
}

func lostResponseConditionHCL(value string) string {
	return fmt.Sprintf(`
resource "outreach_dynamics_sync_condition" "lost" {
  object   = "lead"
  trigger  = "polling"
  field    = "donotemail"
  operator = "equals"
  value    = %q
}
`, value)
}

// lostResponseFault makes the next Outreach write lose its answer and remembers the write count,
// for lostResponseWrites.
func lostResponseFault(env *acctest.Env, before *int64) func() {
	return func() {
		*before = env.Sandbox.Stats().OutreachWrites
		env.Sandbox.SetFaults(sandbox.Faults{OutreachLoseResponse: 1})
	}
}

// lostResponseWrites checks how many Outreach writes the step sent: a create must be sent once,
// an update or a delete twice (the lost attempt and its replay).
func lostResponseWrites(env *acctest.Env, before *int64, want int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := env.Sandbox.Stats().OutreachWrites - *before; got != want {
			return fmt.Errorf("the step sent %d Outreach writes, want %d", got, want)
		}
		return nil
	}
}

// lostResponseRemote checks that the sandbox holds exactly one record in the raw list at path,
// that it is the one in state at address, and that its attributes include want.
func lostResponseRemote(env *acctest.Env, path, address string, want map[string]any) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ids, attrs, err := lostResponseList(env, path)
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return fmt.Errorf("the sandbox holds %d records (ids %v), want exactly 1", len(ids), ids)
		}
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s is not in state", address)
		}
		if rs.Primary.ID != ids[0] {
			return fmt.Errorf("state holds id %q, the sandbox %q", rs.Primary.ID, ids[0])
		}
		for k, v := range want {
			if got := attrs[0][k]; got != v {
				return fmt.Errorf("remote %s = %v, want %v", k, got, v)
			}
		}
		return nil
	}
}

// lostResponseEmpty checks that the raw list at path is empty.
func lostResponseEmpty(env *acctest.Env, path string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ids, _, err := lostResponseList(env, path)
		if err != nil {
			return err
		}
		if len(ids) != 0 {
			return fmt.Errorf("the sandbox still holds ids %v", ids)
		}
		return nil
	}
}

func lostResponseList(env *acctest.Env, path string) ([]string, []map[string]any, error) {
	status, body := env.Outreach(http.MethodGet, path, nil)
	if status != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: %d %s", path, status, body)
	}
	var doc struct {
		Data []struct {
			ID         json.Number    `json:"id"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("decoding %s: %v", path, err)
	}
	ids := make([]string, 0, len(doc.Data))
	attrs := make([]map[string]any, 0, len(doc.Data))
	for _, d := range doc.Data {
		ids = append(ids, d.ID.String())
		attrs = append(attrs, d.Attributes)
	}
	return ids, attrs, nil
}

var lostResponseID = knownvalue.StringRegexp(regexp.MustCompile(`^[1-9][0-9]*$`))

// lostResponseCase is one resource type under the lost-response fault: its configuration before
// and after an in-place update, the state attribute that update changes, and what the sandbox
// must hold after the create and after the update.
type lostResponseCase struct {
	address, list          string
	before, after          string // HCL
	attr                   string
	attrBefore, attrAfter  string
	remoteCreate, remoteUp map[string]any
}

var lostResponseCases = map[string]lostResponseCase{
	// Before reconciliation: an error, then "already mapped" on every later apply.
	"field mapping": {
		address: lostResponseMapping, list: lostResponseMappings,
		before: lostResponseMappingHCL("outreach_to_dynamics"), after: lostResponseMappingHCL("bidirectional"),
		attr: "direction", attrBefore: "outreach_to_dynamics", attrAfter: "bidirectional",
		remoteCreate: map[string]any{"outreachField": "optedOut", "crmField": "donotemail", "updatesIn": false, "updatesOut": true},
		remoteUp:     map[string]any{"updatesIn": true, "updatesOut": true},
	},
	// Before reconciliation: the next apply silently created a second condition.
	"sync condition": {
		address: lostResponseCondition, list: lostResponseConditions,
		before: lostResponseConditionHCL("false"), after: lostResponseConditionHCL("true"),
		attr: "value", attrBefore: "false", attrAfter: "true",
		remoteCreate: map[string]any{"field": "donotemail", "operator": "equals", "value": false},
		remoteUp:     map[string]any{"value": true},
	},
}

// A create whose answer is lost is sent once, is in state once and in the sandbox once, and the
// next plan is empty.
func TestAccLostResponse_create(t *testing.T) {
	for name, tc := range lostResponseCases {
		t.Run(name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			var before int64
			config := env.Config(tc.before)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{
					{
						PreConfig: lostResponseFault(env, &before),
						Config:    config,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(tc.address, tfjsonpath.New("id"), lostResponseID),
							statecheck.ExpectKnownValue(tc.address, tfjsonpath.New(tc.attr), knownvalue.StringExact(tc.attrBefore)),
						},
						Check: resource.ComposeTestCheckFunc(
							lostResponseWrites(env, &before, 1),
							lostResponseRemote(env, tc.list, tc.address, tc.remoteCreate),
						),
					},
					{
						Config:           config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
		})
	}
}

// An update and a delete whose answers are lost are replayed (PATCH and DELETE are idempotent):
// the update lands once, and the replayed DELETE's 404 counts as done.
func TestAccLostResponse_updateAndDelete(t *testing.T) {
	for name, tc := range lostResponseCases {
		t.Run(name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			var before int64
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{
					{Config: env.Config(tc.before)},
					{
						PreConfig: lostResponseFault(env, &before),
						Config:    env.Config(tc.after),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(tc.address, plancheck.ResourceActionUpdate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(tc.address, tfjsonpath.New(tc.attr), knownvalue.StringExact(tc.attrAfter)),
						},
						Check: resource.ComposeTestCheckFunc(
							lostResponseWrites(env, &before, 2),
							lostResponseRemote(env, tc.list, tc.address, tc.remoteUp),
						),
					},
					{
						Config:           env.Config(tc.after),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
					{
						PreConfig: lostResponseFault(env, &before),
						Config:    env.Config(""),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(tc.address, plancheck.ResourceActionDestroy),
						}},
						Check: resource.ComposeTestCheckFunc(
							lostResponseWrites(env, &before, 2),
							lostResponseEmpty(env, tc.list),
						),
					},
				},
			})
		})
	}
}
