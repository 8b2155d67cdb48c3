package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/optout-sync/terraform-provider-outreach/internal/acctest"
)

const (
	fmLead    = "outreach_dynamics_field_mapping.lead"
	fmContact = "outreach_dynamics_field_mapping.contact"
)

// The shared-field mapping on lead and contact, through its whole life: create, an empty plan, a
// change of direction in place, drift made in the Outreach UI, an out-of-band delete, import.
func TestAccFieldMapping_sharedFieldLifecycle(t *testing.T) {
	env := acctest.NewEnv(t)
	config := func(contactDirection string) string {
		return env.Config(fmt.Sprintf(`
resource "outreach_dynamics_field_mapping" "lead" {
  object         = "lead"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
}

resource "outreach_dynamics_field_mapping" "contact" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
  direction      = %q
}
`, contactDirection))
	}
	var leadID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("bidirectional"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[1-9][0-9]*$`))),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("plugin_id"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("object"), knownvalue.StringExact("lead")),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("direction"), knownvalue.StringExact("bidirectional")),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("skip_empty_to_dynamics"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("skip_empty_from_dynamics"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("empty_placeholder"), knownvalue.Null()),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("lookup_type"), knownvalue.Null()),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("updated_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(fmContact, tfjsonpath.New("object"), knownvalue.StringExact("contact")),
					statecheck.ExpectKnownValue(fmContact, tfjsonpath.New("direction"), knownvalue.StringExact("bidirectional")),
				},
				Check: resource.ComposeTestCheckFunc(
					fmCaptureID(fmLead, &leadID),
					fmCheckRemote(env, fmLead, map[string]any{"crmObject": "lead", "outreachField": "optedOut", "crmField": "donotemail", "updatesIn": true, "updatesOut": true}),
					fmCheckRemote(env, fmContact, map[string]any{"crmObject": "contact", "updatesIn": true, "updatesOut": true}),
				),
			},
			{
				Config:           config("bidirectional"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: config("outreach_to_dynamics"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fmContact, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(fmLead, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fmContact, tfjsonpath.New("direction"), knownvalue.StringExact("outreach_to_dynamics")),
				},
				Check: fmCheckRemote(env, fmContact, map[string]any{"updatesIn": false, "updatesOut": true}),
			},
			{
				// Someone switches off Dynamics → Outreach in the Outreach UI: the refresh shows it.
				PreConfig: func() {
					id, _ := strconv.ParseInt(leadID, 10, 64)
					env.MustOutreach(http.StatusOK, http.MethodPatch, "/api/v2/pluginFieldMappings/"+leadID, map[string]any{
						"data": map[string]any{"type": "pluginFieldMapping", "id": id, "attributes": map[string]any{"updatesIn": false}},
					})
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr(fmLead, "direction", "outreach_to_dynamics"),
			},
			{
				Config: config("outreach_to_dynamics"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fmLead, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(fmContact, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("direction"), knownvalue.StringExact("bidirectional")),
				},
				Check: fmCheckRemote(env, fmLead, map[string]any{"updatesIn": true, "updatesOut": true}),
			},
			{
				// Someone deletes the lead mapping in Outreach: the next apply creates it again.
				PreConfig: func() {
					env.MustOutreach(http.StatusNoContent, http.MethodDelete, "/api/v2/pluginFieldMappings/"+leadID, nil)
				},
				Config: config("outreach_to_dynamics"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fmLead, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(fmContact, plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith(fmLead, "id", func(v string) error {
						if v == leadID {
							return fmt.Errorf("id is still the deleted mapping's %s", v)
						}
						return nil
					}),
					fmCheckRemote(env, fmLead, map[string]any{"crmField": "donotemail", "updatesIn": true, "updatesOut": true}),
				),
			},
			{
				ResourceName:      fmLead,
				ImportState:       true,
				ImportStateId:     "lead/optedOut",
				ImportStateVerify: true,
			},
		},
	})
}

// Every import ID form resolves to the same mapping, an `import {}` block plans clean, and the
// configuration Terraform generates for it is valid.
func TestAccFieldMapping_importForms(t *testing.T) {
	env := acctest.NewEnv(t)
	config := env.Config(`
resource "outreach_dynamics_field_mapping" "contact" {
  object                   = "contact"
  outreach_field           = "firstName"
  dynamics_field           = "firstname"
  direction                = "dynamics_to_outreach"
  skip_empty_from_dynamics = true
  empty_placeholder        = "-"
}
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:      fmContact,
				ImportState:       true,
				ImportStateVerify: true,
				// The bare mapping id, as in state.
			},
			{
				ResourceName:      fmContact,
				ImportState:       true,
				ImportStateId:     "1/contact/firstName",
				ImportStateVerify: true,
			},
			{
				ResourceName:    fmContact,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "contact/firstName",
			},
			{
				ResourceName:    fmContact,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "contact/firstName",
				GenerateConfig:  true,
			},
		},
	})
}

// Import IDs that name nothing fail with an error that says what to write.
func TestAccFieldMapping_importErrors(t *testing.T) {
	env := acctest.NewEnv(t)
	config := env.Config(`
resource "outreach_dynamics_field_mapping" "lead" {
  object         = "lead"
  outreach_field = "emailOptedOut"
  dynamics_field = "donotbulkemail"
}
`)
	step := func(id, want string) resource.TestStep {
		return resource.TestStep{ResourceName: fmLead, ImportState: true, ImportStateId: id, ExpectError: fmErr(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			step("leed/emailOptedOut", `"leed" in import ID`),
			step("lead/emailOptedOt", `Plugin 1 has no mapping of Outreach field "emailOptedOt" on lead. Did you mean "emailOptedOut"?`),
			step("x/lead/emailOptedOut", `"x" is not a valid plugin id`),
			step("a/b/c/d", `has 4 parts`),
		},
	})
}

// skip_empty_*, empty_placeholder and lookup_type are written, read back, and cleared again when
// removed from the configuration (every PATCH carries every mutable attribute).
func TestAccFieldMapping_optionalAttributes(t *testing.T) {
	env := acctest.NewEnv(t)
	withOptions := env.Config(`
resource "outreach_dynamics_field_mapping" "lead" {
  object                   = "lead"
  outreach_field           = "title"
  dynamics_field           = "firstname"
  skip_empty_to_dynamics   = true
  skip_empty_from_dynamics = true
  empty_placeholder        = "n/a"
  lookup_type              = "systemuser"
}
`)
	without := env.Config(`
resource "outreach_dynamics_field_mapping" "lead" {
  object         = "lead"
  outreach_field = "title"
  dynamics_field = "lastname"
}
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: withOptions,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("skip_empty_to_dynamics"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("skip_empty_from_dynamics"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("empty_placeholder"), knownvalue.StringExact("n/a")),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("lookup_type"), knownvalue.StringExact("systemuser")),
				},
				Check: fmCheckRemote(env, fmLead, map[string]any{"skipEmptyIn": true, "skipEmptyOut": true, "emptyPlaceholder": "n/a", "externalMappedType": "systemuser"}),
			},
			{
				Config: without,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fmLead, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("dynamics_field"), knownvalue.StringExact("lastname")),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("skip_empty_to_dynamics"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("empty_placeholder"), knownvalue.Null()),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("lookup_type"), knownvalue.Null()),
				},
				Check: fmCheckRemote(env, fmLead, map[string]any{"crmField": "lastname", "skipEmptyIn": false, "skipEmptyOut": false, "emptyPlaceholder": nil, "externalMappedType": nil}),
			},
		},
	})
}

// The one-apply configuration of the issue: the Sales Opt Out column and its mapping together,
// with no manual step. The column's logical name is known only once it exists for Outreach, so
// the create meets Outreach's 422 for an unknown crmField, refreshes the plugin's fields and
// retries.
func TestAccFieldMapping_columnCreatedInSameApply(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(newContactColumnHCL + newContactColumnMappingHCL),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fmContact, tfjsonpath.New("dynamics_field"), knownvalue.StringExact("new_salesoptout")),
				},
				Check: fmCheckRemote(env, fmContact, map[string]any{"crmObject": "contact", "outreachField": "optedOut", "crmField": "new_salesoptout"}),
			},
		},
	})
}

// A column created in Dataverse by hand after the plugin last read the metadata: the plan accepts
// it because Dataverse has it, and the create refreshes the plugin's fields and retries once.
func TestAccFieldMapping_columnUnknownToPluginIsRefreshed(t *testing.T) {
	env := acctest.NewEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					fmCreateColumnOutOfBand(env, "contact", "new_HandMadeOptOut")
					if fmCatalogHas(env, "contact", "new_handmadeoptout") {
						t.Fatal("the plugin already knows the new column; the test would not exercise the refresh")
					}
				},
				Config: env.Config(`
resource "outreach_dynamics_field_mapping" "contact" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = "new_handmadeoptout"
}
`),
				Check: resource.ComposeTestCheckFunc(
					fmCheckRemote(env, fmContact, map[string]any{"crmField": "new_handmadeoptout"}),
					func(*terraform.State) error {
						if !fmCatalogHas(env, "contact", "new_handmadeoptout") {
							return fmt.Errorf("the plugin's fields were not refreshed")
						}
						return nil
					},
				),
			},
		},
	})
}

// Each plan-time check fails the plan with an error on the attribute and the closest valid name,
// before any write request reaches Outreach.
func TestAccFieldMapping_planTimeErrors(t *testing.T) {
	mapping := func(object, outreachField, dynamicsField, direction string) string {
		return fmt.Sprintf(`
resource "outreach_dynamics_field_mapping" "m" {
  object         = %q
  outreach_field = %q
  dynamics_field = %q
  direction      = %q
}
`, object, outreachField, dynamicsField, direction)
	}
	cases := []struct {
		name   string
		pre    func(env *acctest.Env)
		config string
		want   string
	}{
		{
			name:   "unknown Outreach field",
			config: mapping("lead", "optedOt", "donotemail", "bidirectional"),
			want:   `Unknown Outreach field.*Plugin 1 has no Outreach field "optedOt" on lead. Did you mean "optedOut"`,
		},
		{
			name:   "unknown Dynamics column",
			config: mapping("contact", "optedOut", "donotemial", "bidirectional"),
			want:   `Unknown Dynamics column.*"donotemial" on contact. Did you mean "donotemail"`,
		},
		{
			name:   "Dynamics column in upper case",
			config: mapping("contact", "optedOut", "DoNotEMail", "bidirectional"),
			want:   `Unknown Dynamics column.*Did you mean "donotemail".*logical names are lower case`,
		},
		{
			name:   "boolean to datetime",
			config: mapping("lead", "optedOut", "createdon", "dynamics_to_outreach"),
			want:   `Incompatible field types.*Outreach field "optedOut" is boolean but Dynamics column "createdon" of lead is datetime`,
		},
		{
			name:   "read-only Dynamics column",
			config: mapping("lead", "firstName", "fullname", "outreach_to_dynamics"),
			want:   `Dynamics column is read only.*column "fullname" of lead is read only. Use direction = "dynamics_to_outreach"`,
		},
		{
			name:   "read-only Outreach field",
			config: mapping("contact", "optedOutAt", "createdon", "dynamics_to_outreach"),
			want:   `Outreach field is read only.*Outreach field "optedOutAt" on contact is read only. Use direction = "outreach_to_dynamics"`,
		},
		{
			name: "Outreach field already mapped",
			pre: func(env *acctest.Env) {
				fmCreateMappingOutOfBand(env, "lead", "optedOut", "donotemail")
			},
			config: mapping("lead", "optedOut", "donotbulkemail", "bidirectional"),
			want:   `Outreach field already mapped.*Outreach field "optedOut" on lead is already mapped to Dynamics column "donotemail" by mapping`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t)
			if tc.pre != nil {
				tc.pre(env)
			}
			before := fmListMappings(env)
			writes := fmNewWriteRecorder(t, env)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      writes.config(env, tc.config),
					ExpectError: fmErr(tc.want),
				}},
			})
			if w := writes.list(); len(w) > 0 {
				t.Errorf("the failed plan made write requests to Outreach: %v", w)
			}
			if after := fmListMappings(env); after != before {
				t.Errorf("the mappings changed:\nbefore: %s\nafter:  %s", before, after)
			}
		})
	}
}

// ---- helpers ---------------------------------------------------------------------------------

// fmErr builds an ExpectError pattern from literal text: ".*" separates parts, and any run of
// spaces also matches the line breaks Terraform puts into long diagnostics.
func fmErr(pattern string) *regexp.Regexp {
	parts := strings.Split(pattern, ".*")
	for i, p := range parts {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
		if strings.HasPrefix(p, " ") {
			parts[i] = `\s+` + parts[i]
		}
		if strings.HasSuffix(p, " ") {
			parts[i] += `\s+`
		}
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// fmCaptureID stores a resource's id for later out-of-band requests.
func fmCaptureID(name string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s is not in the state", name)
		}
		*dst = rs.Primary.ID
		return nil
	}
}

// fmCheckRemote compares attributes of the mapping as Outreach has it (the source of truth).
func fmCheckRemote(env *acctest.Env, name string, want map[string]any) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s is not in the state", name)
		}
		status, body := env.Outreach(http.MethodGet, "/api/v2/pluginFieldMappings/"+rs.Primary.ID, nil)
		if status != http.StatusOK {
			return fmt.Errorf("GET mapping %s: %d %s", rs.Primary.ID, status, body)
		}
		var doc struct {
			Data struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			return err
		}
		for k, v := range want {
			if got := doc.Data.Attributes[k]; fmt.Sprint(got) != fmt.Sprint(v) {
				return fmt.Errorf("mapping %s in Outreach: %s = %v, want %v", rs.Primary.ID, k, got, v)
			}
		}
		return nil
	}
}

// fmCreateMappingOutOfBand creates a mapping as someone in the Outreach UI would.
func fmCreateMappingOutOfBand(env *acctest.Env, object, outreachField, crmField string) int64 {
	body := env.MustOutreach(http.StatusCreated, http.MethodPost, "/api/v2/pluginFieldMappings", map[string]any{
		"data": map[string]any{
			"type": "pluginFieldMapping",
			"attributes": map[string]any{
				"crmObject": object, "outreachField": outreachField, "crmField": crmField,
			},
			"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}},
		},
	})
	var doc struct {
		Data struct {
			ID json.Number `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		panic(err)
	}
	id, _ := doc.Data.ID.Int64()
	return id
}

// fmListMappings is the sandbox's mapping collection, as raw JSON, for before/after comparisons.
func fmListMappings(env *acctest.Env) string {
	return string(env.MustOutreach(http.StatusOK, http.MethodGet, "/api/v2/pluginFieldMappings?page[size]=1000", nil))
}

// fmCatalogHas reports whether the plugin's catalog lists a CRM column of an object.
func fmCatalogHas(env *acctest.Env, object, name string) bool {
	body := env.MustOutreach(http.StatusOK, http.MethodGet,
		"/api/v2/pluginFields?filter[crmObject]="+object+"&filter[side]=crm&filter[name]="+name, nil)
	var doc struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		panic(err)
	}
	return len(doc.Data) > 0
}

// fmCreateColumnOutOfBand creates a Boolean column directly in Dataverse, behind the plugin's back.
func fmCreateColumnOutOfBand(env *acctest.Env, entity, schemaName string) {
	label := func(text string) map[string]any {
		return map[string]any{"LocalizedLabels": []any{map[string]any{"Label": text, "LanguageCode": 1033}}}
	}
	env.MustDynamics(http.StatusNoContent, http.MethodPost, "/api/data/v9.2/EntityDefinitions(LogicalName='"+entity+"')/Attributes", map[string]any{
		"@odata.type":       "Microsoft.Dynamics.CRM.BooleanAttributeMetadata",
		"AttributeType":     "Boolean",
		"AttributeTypeName": map[string]any{"Value": "BooleanType"},
		"SchemaName":        schemaName,
		"DefaultValue":      false,
		"DisplayName":       label("Hand-made opt out"),
		"Description":       label("Created outside Terraform"),
		"RequiredLevel":     map[string]any{"Value": "None", "CanBeChanged": true, "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"},
		"OptionSet": map[string]any{
			"@odata.type":   "Microsoft.Dynamics.CRM.BooleanOptionSetMetadata",
			"OptionSetType": "Boolean",
			"IsGlobal":      false,
			"TrueOption":    map[string]any{"Value": 1, "Label": label("Yes")},
			"FalseOption":   map[string]any{"Value": 0, "Label": label("No")},
		},
	}, map[string]string{"MSCRM.SolutionUniqueName": "OptOutSync"})
}

// fmWriteRecorder is a reverse proxy in front of the sandbox's Outreach API that records every
// request other than a GET: the sandbox's Stats count all requests alike, and a failed write
// leaves no trace in its state, so "no write request was made" is proven here.
type fmWriteRecorder struct {
	srv    *httptest.Server
	mu     sync.Mutex
	writes []string
}

func fmNewWriteRecorder(t *testing.T, env *acctest.Env) *fmWriteRecorder {
	t.Helper()
	target, err := url.Parse(env.Sandbox.OutreachURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := &fmWriteRecorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			rec.mu.Lock()
			rec.writes = append(rec.writes, r.Method+" "+r.URL.Path)
			rec.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

// config is env.Config with the provider talking to Outreach through the recorder.
func (rec *fmWriteRecorder) config(env *acctest.Env, body string) string {
	return strings.Replace(env.Config(body), fmt.Sprintf("%q", env.Sandbox.OutreachURL()), fmt.Sprintf("%q", rec.srv.URL), 1)
}

func (rec *fmWriteRecorder) list() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.writes...)
}

// Both directions switched off in the Outreach UI read as direction = "none". The configuration
// Terraform generates for such a mapping is valid and plans clean, and "none" can be configured:
// the mapping exists but moves nothing, so no writability check applies (fullname is read only).
func TestAccFieldMapping_directionNone(t *testing.T) {
	env := acctest.NewEnv(t)
	var contactID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
resource "outreach_dynamics_field_mapping" "contact" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
}
`),
				Check: resource.ComposeTestCheckFunc(fmCaptureID(fmContact, &contactID), func(*terraform.State) error {
					n, err := strconv.ParseInt(contactID, 10, 64)
					if err != nil {
						return err
					}
					env.MustOutreach(http.StatusOK, http.MethodPatch, "/api/v2/pluginFieldMappings/"+contactID, map[string]any{
						"data": map[string]any{"type": "pluginFieldMapping", "id": n,
							"attributes": map[string]any{"updatesIn": false, "updatesOut": false}},
					})
					return nil
				}),
				ExpectNonEmptyPlan: true,
			},
			{
				ResourceName:    fmContact,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return contactID, nil
				},
				GenerateConfig: true,
			},
			{
				Config: env.Config(`
resource "outreach_dynamics_field_mapping" "contact" {
  object         = "contact"
  outreach_field = "optedOut"
  dynamics_field = "donotemail"
  direction      = "none"
}

resource "outreach_dynamics_field_mapping" "lead" {
  object         = "lead"
  outreach_field = "firstName"
  dynamics_field = "fullname"
  direction      = "none"
}
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(fmContact, plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(fmLead, plancheck.ResourceActionCreate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(fmContact, tfjsonpath.New("direction"), knownvalue.StringExact("none")),
					statecheck.ExpectKnownValue(fmLead, tfjsonpath.New("direction"), knownvalue.StringExact("none")),
				},
				Check: resource.ComposeTestCheckFunc(
					fmCheckRemote(env, fmContact, map[string]any{"updatesIn": false, "updatesOut": false}),
					fmCheckRemote(env, fmLead, map[string]any{"outreachField": "firstName", "crmField": "fullname", "updatesIn": false, "updatesOut": false}),
				),
			},
		},
	})
}
