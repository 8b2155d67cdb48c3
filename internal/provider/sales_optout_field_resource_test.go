package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

const salesOptOutAddr = "dynamics_sales_optout_field.test"

// salesOptOutConfig is a dynamics_sales_optout_field "test" on contact named new_SalesOptOut with
// the extra attribute lines given.
func salesOptOutConfig(env *acctest.Env, extra string) string {
	return env.Config(`
resource "dynamics_sales_optout_field" "test" {
  provider    = outreach
  entity      = "contact"
  schema_name = "new_SalesOptOut"
` + extra + `
}
`)
}

// salesOptOutColumn is the part of a Boolean column definition the tests look at, read straight
// from the sandbox's Web API.
type salesOptOutColumn struct {
	MetadataID   string
	SchemaName   string
	DefaultValue bool
	DisplayName  string
	TrueLabel    string
	FalseLabel   string
}

// readSalesOptOutColumn reads contact.new_salesoptout from the sandbox; ok is false on 404.
func readSalesOptOutColumn(t *testing.T, env *acctest.Env) (salesOptOutColumn, bool) {
	t.Helper()
	const entity, logical = "contact", "new_salesoptout"
	status, body := env.Dynamics(http.MethodGet, fmt.Sprintf(
		"/api/data/v9.2/EntityDefinitions(LogicalName='%s')/Attributes(LogicalName='%s')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$expand=OptionSet",
		entity, logical), nil, map[string]string{"Consistency": "Strong"})
	if status == http.StatusNotFound {
		return salesOptOutColumn{}, false
	}
	if status != http.StatusOK {
		t.Fatalf("reading column %s.%s: status %d: %s", entity, logical, status, body)
	}
	type label struct {
		UserLocalizedLabel *struct{ Label string }
	}
	text := func(l label) string {
		if l.UserLocalizedLabel == nil {
			return ""
		}
		return l.UserLocalizedLabel.Label
	}
	var w struct {
		MetadataID   string `json:"MetadataId"`
		SchemaName   string
		DefaultValue bool
		DisplayName  label
		OptionSet    struct {
			TrueOption  struct{ Label label }
			FalseOption struct{ Label label }
		}
	}
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatalf("decoding column %s.%s: %v: %s", entity, logical, err, body)
	}
	return salesOptOutColumn{
		MetadataID: w.MetadataID, SchemaName: w.SchemaName, DefaultValue: w.DefaultValue,
		DisplayName: text(w.DisplayName), TrueLabel: text(w.OptionSet.TrueOption.Label), FalseLabel: text(w.OptionSet.FalseOption.Label),
	}, true
}

// salesOptOutHandMade is the display name of the column createSalesOptOutColumnOutOfBand makes.
const salesOptOutHandMade = "Made by hand"

// createSalesOptOutColumnOutOfBand creates contact.new_salesoptout the way a maker-portal user
// would, bypassing Terraform.
func createSalesOptOutColumnOutOfBand(env *acctest.Env) {
	createSalesOptOutColumnOutOfBandIn(env, 1033, salesOptOutHandMade, "Yes", "No")
}

// createSalesOptOutColumnOutOfBandIn is createSalesOptOutColumnOutOfBand with labels in one
// language only, as in an org whose base language it is.
func createSalesOptOutColumnOutOfBandIn(env *acctest.Env, lang int, displayName, trueLabel, falseLabel string) {
	lbl := func(s string) map[string]any {
		return map[string]any{"LocalizedLabels": []any{map[string]any{"Label": s, "LanguageCode": lang}}}
	}
	env.MustDynamics(http.StatusNoContent, http.MethodPost, "/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes", map[string]any{
		"@odata.type":   "Microsoft.Dynamics.CRM.BooleanAttributeMetadata",
		"SchemaName":    "new_SalesOptOut",
		"DisplayName":   lbl(displayName),
		"RequiredLevel": map[string]any{"Value": "None"},
		"OptionSet": map[string]any{
			"@odata.type": "Microsoft.Dynamics.CRM.BooleanOptionSetMetadata",
			"TrueOption":  map[string]any{"Value": 1, "Label": lbl(trueLabel)},
			"FalseOption": map[string]any{"Value": 0, "Label": lbl(falseLabel)},
		},
	}, map[string]string{"MSCRM.SolutionUniqueName": "OptOutSync"})
}

// salesOptOutExpectColumn checks the column as Dataverse has it, not as Terraform believes it is.
func salesOptOutExpectColumn(t *testing.T, env *acctest.Env, want salesOptOutColumn) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, ok := readSalesOptOutColumn(t, env)
		if !ok {
			return fmt.Errorf("column contact.new_salesoptout does not exist in the sandbox")
		}
		got.MetadataID = ""
		if got != want {
			return fmt.Errorf("column in the sandbox = %+v, want %+v", got, want)
		}
		return nil
	}
}

// addSalesOptOutDependencies records two components (say, a form and a view) that reference
// contact.new_salesoptout, through the sandbox admin API.
func addSalesOptOutDependencies(t *testing.T, env *acctest.Env) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"entity": "contact", "attribute": "new_salesoptout", "count": 2})
	resp, err := http.Post(env.Sandbox.OutreachURL()+"/_sandbox/dynamics/dependencies", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("adding dependencies: status %d", resp.StatusCode)
	}
}

// salesOptOutImportID is the `<entity>/<MetadataId>` import id of the test resource.
func salesOptOutImportID(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[salesOptOutAddr]
	if !ok {
		return "", fmt.Errorf("%s not in state", salesOptOutAddr)
	}
	return "contact/" + rs.Primary.Attributes["metadata_id"], nil
}

// TestAccSalesOptOutField_lifecycle walks the column through its life: create, a clean plan,
// in-place updates, drift from an out-of-band label change, an out-of-band delete, import, and a
// destroy that deletion_protection blocks until it is turned off.
func TestAccSalesOptOutField_lifecycle(t *testing.T) {
	env := acctest.NewEnv(t)
	updated := `
  display_name   = "Sales opt-out"
  description    = "Set when the contact asked sales to stop reaching out."
  true_label     = "Opted out"
  false_label    = "Not opted out"
  default_value  = true
  required_level = "Recommended"
`
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, ok := readSalesOptOutColumn(t, env); ok {
				return fmt.Errorf("contact.new_salesoptout still exists after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: salesOptOutConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionCreate),
					// Known at plan time, so that mappings can refer to it before the column exists.
					plancheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("logical_name"), knownvalue.StringExact("new_salesoptout")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("logical_name"), knownvalue.StringExact("new_salesoptout")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("attribute_type"), knownvalue.StringExact("Boolean")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Sales Opt Out")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("true_label"), knownvalue.StringExact("Yes")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("false_label"), knownvalue.StringExact("No")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("default_value"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("required_level"), knownvalue.StringExact("None")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("language_code"), knownvalue.Int64Exact(1033)),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("solution"), knownvalue.StringExact("OptOutSync")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
					statecheck.CompareValuePairs(salesOptOutAddr, tfjsonpath.New("id"), salesOptOutAddr, tfjsonpath.New("metadata_id"), compare.ValuesSame()),
					sameID.AddStateValue(salesOptOutAddr, tfjsonpath.New("id")),
					newID.AddStateValue(salesOptOutAddr, tfjsonpath.New("id")),
				},
				Check: salesOptOutExpectColumn(t, env, salesOptOutColumn{SchemaName: "new_SalesOptOut", DisplayName: "Sales Opt Out", TrueLabel: "Yes", FalseLabel: "No"}),
			},
			{
				Config: salesOptOutConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				Config: salesOptOutConfig(env, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Sales opt-out")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("description"), knownvalue.StringExact("Set when the contact asked sales to stop reaching out.")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("true_label"), knownvalue.StringExact("Opted out")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("false_label"), knownvalue.StringExact("Not opted out")),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("default_value"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("required_level"), knownvalue.StringExact("Recommended")),
					sameID.AddStateValue(salesOptOutAddr, tfjsonpath.New("id")),
				},
				Check: salesOptOutExpectColumn(t, env, salesOptOutColumn{SchemaName: "new_SalesOptOut", DefaultValue: true,
					DisplayName: "Sales opt-out", TrueLabel: "Opted out", FalseLabel: "Not opted out"}),
			},
			{
				// Someone relabels the true option in the maker portal.
				PreConfig: func() {
					env.MustDynamics(http.StatusNoContent, http.MethodPost, "/api/data/v9.2/UpdateOptionValue", map[string]any{
						"EntityLogicalName": "contact", "AttributeLogicalName": "new_salesoptout", "Value": 1, "MergeLabels": true,
						"Label": map[string]any{"LocalizedLabels": []any{map[string]any{"Label": "Do not call", "LanguageCode": 1033}}},
					}, nil)
					env.MustDynamics(http.StatusNoContent, http.MethodPost, "/api/data/v9.2/PublishXml", map[string]any{
						"ParameterXml": "<importexportxml><entities><entity>contact</entity></entities></importexportxml>",
					}, nil)
				},
				Config: salesOptOutConfig(env, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("true_label"), knownvalue.StringExact("Opted out")),
					sameID.AddStateValue(salesOptOutAddr, tfjsonpath.New("id")),
				},
				Check: salesOptOutExpectColumn(t, env, salesOptOutColumn{SchemaName: "new_SalesOptOut", DefaultValue: true,
					DisplayName: "Sales opt-out", TrueLabel: "Opted out", FalseLabel: "Not opted out"}),
			},
			{
				// Someone deletes the column: the next apply creates it again.
				PreConfig: func() {
					env.MustDynamics(http.StatusNoContent, http.MethodDelete,
						"/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_salesoptout')", nil, nil)
				},
				Config: salesOptOutConfig(env, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(salesOptOutAddr, tfjsonpath.New("id")),
				},
				Check: salesOptOutExpectColumn(t, env, salesOptOutColumn{SchemaName: "new_SalesOptOut", DefaultValue: true,
					DisplayName: "Sales opt-out", TrueLabel: "Opted out", FalseLabel: "Not opted out"}),
			},
			{
				ResourceName:      salesOptOutAddr,
				ImportState:       true,
				ImportStateId:     "contact/new_salesoptout",
				ImportStateVerify: true,
				// Nothing is ignored: solution cannot be read from Dataverse, and an import
				// assumes the provider's dynamics.solution, which is what this resource was
				// created with.
			},
			{
				ResourceName:      salesOptOutAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: salesOptOutImportID,
			},
			{
				Config:      salesOptOutConfig(env, updated),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)protected from deletion.*deletion_protection\s+=\s+false`),
			},
			{
				Config: salesOptOutConfig(env, updated+"  deletion_protection = false\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
				}},
				// The column was not touched by the protected destroy.
				Check: salesOptOutExpectColumn(t, env, salesOptOutColumn{SchemaName: "new_SalesOptOut", DefaultValue: true,
					DisplayName: "Sales opt-out", TrueLabel: "Opted out", FalseLabel: "Not opted out"}),
			},
		},
	})
}

// TestAccSalesOptOutField_invalidSchemaName checks that a schema name Dataverse would refuse is
// an error at plan time, before any request reaches Dataverse.
func TestAccSalesOptOutField_invalidSchemaName(t *testing.T) {
	for name, tc := range map[string]struct {
		schemaName string
		want       string
	}{
		"missing prefix":       {"SalesOptOut", `(?s)Schema name without customization prefix.*"new_SalesOptOut"`},
		"prefix too short":     {"n_SalesOptOut", `(?s)Invalid schema name.*2-8 letters or digits`},
		"prefix too long":      {"abcdefghi_SalesOptOut", `(?s)Invalid schema name.*2-8 letters or digits`},
		"prefix starts with 1": {"1new_SalesOptOut", `Invalid schema name`},
		"name starts with 1":   {"new_1SalesOptOut", `Invalid schema name`},
		"empty name":           {"new_", `Invalid schema name`},
		"too long":             {"new_" + strings.Repeat("x", 47), `Schema name too long`},
	} {
		t.Run(name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			before := env.Sandbox.Stats().DynamicsRequests
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.Config(fmt.Sprintf(`
resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "contact"
  schema_name         = %q
  deletion_protection = false
}
`, tc.schemaName)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if after := env.Sandbox.Stats().DynamicsRequests; after != before {
				t.Errorf("Dataverse received %d requests for an invalid schema name, want none", after-before)
			}
		})
	}
}

// TestAccSalesOptOutField_unknownEntity checks that a table that does not exist is named in a
// plan-time error and nothing is created.
func TestAccSalesOptOutField_unknownEntity(t *testing.T) {
	env := acctest.NewEnv(t)
	before := env.Sandbox.Stats().DynamicsRequests
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "leads"
  schema_name         = "new_SalesOptOut"
  deletion_protection = false
}
`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Table not found.*no table with logical name "leads"`),
		}},
	})
	// The table is looked up at plan time; this also shows that the request counter the
	// invalid-schema-name test relies on does count plan-time requests.
	if env.Sandbox.Stats().DynamicsRequests == before {
		t.Error("no request reached Dataverse, want the table lookup")
	}
}

// TestAccSalesOptOutField_alreadyExists checks that a column created outside Terraform is not
// taken over: the error gives the import command and the column keeps its definition.
func TestAccSalesOptOutField_alreadyExists(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { createSalesOptOutColumnOutOfBand(env) },
				Config:    salesOptOutConfig(env, "  deletion_protection = false\n"),
				// Found by the lookup before the create, which describes the column it found.
				ExpectError: regexp.MustCompile(`(?s)Column already exists.*named "new_salesoptout"\s+\(Made by hand,\s+type\s+Boolean.*` +
					regexp.QuoteMeta(`terraform import dynamics_sales_optout_field.<name> contact/new_salesoptout`) +
					`.*` + regexp.QuoteMeta(`id = "contact/new_salesoptout"`)),
			},
			{
				// The failed create changed nothing, and the suggested import works.
				PreConfig: func() {
					col, ok := readSalesOptOutColumn(t, env)
					if !ok || col.DisplayName != salesOptOutHandMade {
						t.Fatalf("column after the refused create = %+v (exists %v), want it unchanged", col, ok)
					}
				},
				Config: salesOptOutConfig(env, "  display_name = \"Made by hand\"\n  deletion_protection = false\n") + `
import {
  provider = outreach
  to       = dynamics_sales_optout_field.test
  id       = "contact/new_salesoptout"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// deletion_protection = false differs from the import default (true).
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// TestAccSalesOptOutField_duplicateRefusedByDataverse checks the other path to "already exists":
// the pre-create lookup misses the column (metadata cache lag) and Dataverse refuses the create.
func TestAccSalesOptOutField_duplicateRefusedByDataverse(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				// The column made now answers its next single GET with 404, as a stale cache would.
				env.Sandbox.SetFaults(sandbox.Faults{Faults: dataverse.Faults{NotFoundAfterCreate: 1}})
				createSalesOptOutColumnOutOfBand(env)
			},
			Config: salesOptOutConfig(env, "  deletion_protection = false\n"),
			// Refused by Dataverse: the message has no description of the column, which only the
			// lookup before the create gives.
			ExpectError: regexp.MustCompile(`(?s)Column already exists.*named "new_salesoptout"\.\s+Creating.*` +
				regexp.QuoteMeta(`terraform import dynamics_sales_optout_field.<name> contact/new_salesoptout`)),
		}},
	})
	if col, ok := readSalesOptOutColumn(t, env); !ok || col.DisplayName != salesOptOutHandMade {
		t.Errorf("column after the refused create = %+v (exists %v), want it unchanged", col, ok)
	}
}

// TestAccSalesOptOutField_customizationLockRetried checks that a customization lock on the create
// is waited out. The first step, without retries, proves the lock fault really fires.
func TestAccSalesOptOutField_customizationLockRetried(t *testing.T) {
	env := acctest.NewEnv(t)
	noRetries := strings.Replace(env.ProviderBlock(), "max_retries = 3", "max_retries = 0", 1)
	resourceHCL := `
resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  deletion_protection = false
}
`
	lock := func() { env.Sandbox.SetFaults(sandbox.Faults{Faults: dataverse.Faults{Lock: 1}}) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The create timeout, not max_retries, bounds the lock waits: a timeout shorter than
				// one lock wait (10 s and more) gives up at once.
				PreConfig:   lock,
				Config:      noRetries + strings.Replace(resourceHCL, "deletion_protection = false", "deletion_protection = false\n  timeouts {\n    create = \"5s\"\n  }", 1),
				ExpectError: regexp.MustCompile(`(?s)running at this moment.*held the\s+organization's lock`),
			},
			{
				// One lock only: the client waits at least 10 s before retrying a lock and the
				// provider offers no way to shorten that in tests.
				PreConfig: lock,
				Config:    env.Config(resourceHCL),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("logical_name"), knownvalue.StringExact("new_salesoptout")),
				},
			},
		},
	})
}

// TestAccSalesOptOutField_notFoundAfterCreateRetried checks that the 404s of the metadata cache
// right after a create are retried until the column can be read.
func TestAccSalesOptOutField_notFoundAfterCreateRetried(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Sandbox.SetFaults(sandbox.Faults{Faults: dataverse.Faults{NotFoundAfterCreate: 2}})
			},
			Config: salesOptOutConfig(env, "  deletion_protection = false\n  true_label = \"Opted out\"\n"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("true_label"), knownvalue.StringExact("Opted out")),
				statecheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("display_name"), knownvalue.StringExact("Sales Opt Out")),
			},
		}},
	})
}

// TestAccSalesOptOutField_notFoundAfterCreateTimeout checks a column that never becomes readable
// within the create timeout: it exists, so it is kept in state with what is known (id, metadata
// id, logical name) and a warning, and the next refresh fills in the rest instead of the next
// apply refusing the column as "already exists".
func TestAccSalesOptOutField_notFoundAfterCreateTimeout(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Sandbox.SetFaults(sandbox.Faults{Faults: dataverse.Faults{NotFoundAfterCreate: 1000}})
			},
			Config: salesOptOutConfig(env, "  deletion_protection = false\n  timeouts {\n    create = \"1s\"\n  }\n"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(salesOptOutAddr, "logical_name", "new_salesoptout"),
				resource.TestCheckResourceAttrPair(salesOptOutAddr, "id", salesOptOutAddr, "metadata_id"),
				func(s *terraform.State) error {
					// The metadata cache catches up; the refresh of the plan that follows reads the
					// column and must find nothing to change.
					env.Sandbox.SetFaults(sandbox.Faults{})
					col, ok := readSalesOptOutColumn(t, env)
					if !ok {
						return fmt.Errorf("the column was not created")
					}
					if got := s.RootModule().Resources[salesOptOutAddr].Primary.Attributes["metadata_id"]; got != col.MetadataID {
						return fmt.Errorf("metadata_id in state = %q, the column's is %q", got, col.MetadataID)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccSalesOptOutField_inUse checks that a column other components still reference is not
// deleted and that the error says why.
func TestAccSalesOptOutField_inUse(t *testing.T) {
	env := acctest.NewEnv(t)
	cfg := salesOptOutConfig(env, "  deletion_protection = false\n")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:   func() { addSalesOptOutDependencies(t, env) },
				Config:      cfg,
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Column still in use.*referenced by other components.*referenced by 2 other components`),
			},
			{
				// The sandbox cannot drop dependencies, so the test stops managing the column.
				Config: env.Config(`
removed {
  from = dynamics_sales_optout_field.test
  lifecycle {
    destroy = false
  }
}
`),
				Check: func(*terraform.State) error {
					if _, ok := readSalesOptOutColumn(t, env); !ok {
						return fmt.Errorf("the referenced column was deleted")
					}
					return nil
				},
			},
		},
	})
}

// TestAccSalesOptOutField_solutionChange checks that a new solution gets the column added in
// place, without recreating it.
func TestAccSalesOptOutField_solutionChange(t *testing.T) {
	env := acctest.NewEnv(t)
	same := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            salesOptOutConfig(env, "  deletion_protection = false\n  solution = \"Default\"\n"),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(salesOptOutAddr, tfjsonpath.New("id"))},
			},
			{
				Config: salesOptOutConfig(env, "  deletion_protection = false\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(salesOptOutAddr, tfjsonpath.New("solution"), knownvalue.StringExact("OptOutSync")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(salesOptOutAddr, tfjsonpath.New("id"))},
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources[salesOptOutAddr].Primary.Attributes["id"]
					if !salesOptOutInOptOutSync(t, env, id) {
						return fmt.Errorf("column %s is not a component of OptOutSync", id)
					}
					return nil
				},
			},
		},
	})
}

// salesOptOutInOptOutSync says whether the solution OptOutSync has the column as a component.
func salesOptOutInOptOutSync(t *testing.T, env *acctest.Env, columnID string) bool {
	t.Helper()
	const solution = "OptOutSync"
	var sols struct {
		Value []struct {
			ID         string `json:"solutionid"`
			UniqueName string `json:"uniquename"`
		} `json:"value"`
	}
	if err := json.Unmarshal(env.MustDynamics(http.StatusOK, http.MethodGet, "/api/data/v9.2/solutions", nil, nil), &sols); err != nil {
		t.Fatal(err)
	}
	solutionID := ""
	for _, s := range sols.Value {
		if s.UniqueName == solution {
			solutionID = s.ID
		}
	}
	var comps struct {
		Value []struct {
			SolutionID string `json:"_solutionid_value"`
			ObjectID   string `json:"objectid"`
		} `json:"value"`
	}
	if err := json.Unmarshal(env.MustDynamics(http.StatusOK, http.MethodGet, "/api/data/v9.2/solutioncomponents", nil, nil), &comps); err != nil {
		t.Fatal(err)
	}
	for _, c := range comps.Value {
		if strings.EqualFold(c.SolutionID, solutionID) && strings.EqualFold(c.ObjectID, columnID) {
			return true
		}
	}
	return false
}

// TestAccSalesOptOutField_importErrors checks that bad import ids and columns this resource
// cannot manage are refused with a message that says what to do.
func TestAccSalesOptOutField_importErrors(t *testing.T) {
	env := acctest.NewEnv(t)
	step := func(id, want string) resource.TestStep {
		return resource.TestStep{
			Config: salesOptOutConfig(env, "  deletion_protection = false\n") + fmt.Sprintf(`
import {
  provider = outreach
  to       = dynamics_sales_optout_field.test
  id       = %q
}
`, id),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			step("new_salesoptout", `(?s)Invalid import id.*<entity>/<logical_name>`),
			step("contact/new_salesoptout", `(?s)Column not found.*"new_salesoptout" on table "contact"`),
			step("contact/00000000-0000-0000-0000-000000000001", `Column not found`),
			step("contact/donotemail", `(?s)Not a custom column.*standard Dataverse column`),
			step("contact/fullname", `(?s)Not a Boolean column.*String`),
		},
	})
}

// TestAccSalesOptOutField_generatedConfig checks that `terraform plan -generate-config-out`
// writes a configuration for an imported column that plans clean.
func TestAccSalesOptOutField_generatedConfig(t *testing.T) {
	env := acctest.NewEnv(t)
	resourceHCL := `
resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "contact"
  schema_name         = "new_SalesOptOut"
  deletion_protection = false
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: env.Config(resourceHCL)},
			{
				ResourceName:    salesOptOutAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
				// The harness's own import block has no provider argument, which a type not named
				// after its provider needs; so the step brings its own.
				ImportStateConfigExact: true,
				Config: env.Config(resourceHCL + `
import {
  provider = outreach
  to       = dynamics_sales_optout_field.generated
  id       = "contact/new_salesoptout"
}
`),
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("dynamics_sales_optout_field.generated", plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue("dynamics_sales_optout_field.generated", tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
				}},
			},
		},
	})
}

// TestAccSalesOptOutField_schemaNameChange checks that a letter-case change of the schema name is
// an in-place no-op (Dataverse names are case-insensitive) while a real rename, which replaces
// the column and deletes its data, is stopped at plan time by deletion_protection.
func TestAccSalesOptOutField_schemaNameChange(t *testing.T) {
	env := acctest.NewEnv(t)
	same := statecheck.CompareValue(compare.ValuesSame())
	named := func(schema, extra string) string {
		return env.Config(fmt.Sprintf(`
resource "dynamics_sales_optout_field" "test" {
  provider    = outreach
  entity      = "contact"
  schema_name = %q
%s
}
`, schema, extra))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            named("new_SalesOptOut", ""),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(salesOptOutAddr, tfjsonpath.New("id"))},
			},
			{
				Config: named("new_salesOPTOUT", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(salesOptOutAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(salesOptOutAddr, tfjsonpath.New("id"))},
			},
			{
				Config:      named("new_SalesOptOut2", ""),
				ExpectError: regexp.MustCompile(`(?s)protected from deletion.*Replacing dynamics_sales_optout_field deletes`),
			},
			{
				Config:            named("new_SalesOptOut", "  deletion_protection = false"),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(salesOptOutAddr, tfjsonpath.New("id"))},
			},
		},
	})
}

// TestAccSalesOptOutField_solutionCheckedAtPlan checks that the target solution is read at plan
// time: an unknown or managed solution, and a schema-name prefix that is not the solution
// publisher's, fail the plan with the fix named, and nothing is written.
func TestAccSalesOptOutField_solutionCheckedAtPlan(t *testing.T) {
	for name, tc := range map[string]struct {
		schemaName, solution, want string
	}{
		"unknown solution": {"new_SalesOptOut", "OptOutSnyc", `(?s)Solution not found.*"OptOutSnyc".*unique name`},
		"managed solution": {"new_SalesOptOut", "System", `(?s)Managed solution.*"System" is managed`},
		"foreign prefix":   {"abc_SalesOptOut", "OptOutSync", `(?s)prefix does not match.*prefix is "new".*Use "new_SalesOptOut"`},
	} {
		t.Run(name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			before := env.Sandbox.Stats().DynamicsWrites
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.Config(fmt.Sprintf(`
resource "dynamics_sales_optout_field" "test" {
  provider            = outreach
  entity              = "contact"
  schema_name         = %q
  solution            = %q
  deletion_protection = false
}
`, tc.schemaName, tc.solution)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if after := env.Sandbox.Stats().DynamicsWrites; after != before {
				t.Errorf("Dataverse received %d writes for a plan that failed, want none", after-before)
			}
		})
	}
}
