package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

func label(text string) map[string]any {
	return map[string]any{
		"@odata.type": "Microsoft.Dynamics.CRM.Label",
		"LocalizedLabels": []any{map[string]any{
			"@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", "Label": text, "LanguageCode": 1033, "IsManaged": false,
		}},
	}
}

// createBooleanColumn creates a custom Boolean column through the Dataverse Web API, over TLS
// with the sandbox CA, as the provider's Dynamics client does.
func createBooleanColumn(t *testing.T, s *Server, entity, schemaName, display string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"@odata.type":       "Microsoft.Dynamics.CRM.BooleanAttributeMetadata",
		"SchemaName":        schemaName,
		"AttributeType":     "Boolean",
		"AttributeTypeName": map[string]any{"Value": "BooleanType"},
		"DefaultValue":      false,
		"RequiredLevel":     map[string]any{"Value": "None", "CanBeChanged": false, "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"},
		"DisplayName":       label(display),
		"Description":       label(display + " (set by Outreach)"),
		"OptionSet": map[string]any{
			"@odata.type":   "Microsoft.Dynamics.CRM.BooleanOptionSetMetadata",
			"OptionSetType": "Boolean",
			"TrueOption":    map[string]any{"Value": 1, "Label": label("Yes")},
			"FalseOption":   map[string]any{"Value": 0, "Label": label("No")},
		},
	})
	req, err := http.NewRequest(http.MethodPost, s.DynamicsURL()+"/api/data/v9.2/EntityDefinitions(LogicalName='"+entity+"')/Attributes", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"Authorization": "Bearer " + DynamicsAccessToken, "Content-Type": "application/json", "Accept": "application/json",
		"OData-MaxVersion": "4.0", "OData-Version": "4.0", "MSCRM.SolutionUniqueName": "OptOutSync",
	} {
		req.Header.Set(k, v)
	}
	resp, err := dataverseClient(t, s).Do(req)
	if err != nil {
		t.Fatalf("create column over TLS: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("create column: %d %s", resp.StatusCode, b)
	}
}

func crmField(t *testing.T, s *Server, obj, name string) []resObj {
	t.Helper()
	r := api(t, s, http.MethodGet, "/api/v2/pluginFields?filter[crmObject]="+obj+"&filter[side]=crm&filter[name]="+name, nil)
	mustStatus(t, r, http.StatusOK)
	return r.doc(t).many(t)
}

func TestRefreshFieldsPicksUpNewColumn(t *testing.T) {
	s := startSandbox(t, Options{})
	donotemail := crmField(t, s, "contact", "donotemail")
	if len(crmField(t, s, "contact", "new_salesoptout")) != 0 {
		t.Fatal("new_salesoptout in the catalog before it exists")
	}
	before := s.Stats().DynamicsRequests
	createBooleanColumn(t, s, "contact", "new_SalesOptOut", "Sales Opt Out")
	if s.Stats().DynamicsRequests <= before {
		t.Error("the Dataverse request was not counted")
	}

	// Created in Dynamics, but the plugin has not re-read the metadata yet.
	if len(crmField(t, s, "contact", "new_salesoptout")) != 0 {
		t.Fatal("a new column reached the catalog without refreshFields")
	}
	wantError(t, api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", mappingDoc("contact", "smsOptedOut", "new_salesoptout", nil)),
		422, errValidation, "/data/attributes/crmField",
		`crmField "new_salesoptout" is not a known field of contact; refresh the plugin's fields if it was created recently`)

	r := api(t, s, http.MethodPost, "/api/v2/plugins/1/actions/refreshFields", nil)
	mustStatus(t, r, http.StatusNoContent)
	got := crmField(t, s, "contact", "new_salesoptout")
	if len(got) != 1 || got[0].Attributes["type"] != "boolean" || got[0].Attributes["writable"] != true || got[0].Attributes["label"] != "Sales Opt Out" {
		t.Fatalf("after refresh: %+v", got)
	}
	if len(crmField(t, s, "lead", "new_salesoptout")) != 0 {
		t.Error("the contact column showed up on lead")
	}
	if after := crmField(t, s, "contact", "donotemail"); len(after) != 1 || after[0].ID != donotemail[0].ID {
		t.Errorf("refresh renumbered an existing field: %d → %+v", donotemail[0].ID, after)
	}
	mustStatus(t, api(t, s, http.MethodPost, "/api/v2/pluginFieldMappings", mappingDoc("contact", "smsOptedOut", "new_salesoptout", nil)), http.StatusCreated)
}

// TestEntraClientCredentials checks the composition: the Dataverse listener is also the Entra ID
// authority, and a token it mints opens the Web API.
func TestEntraClientCredentials(t *testing.T) {
	s := startSandbox(t, Options{})
	hc := dataverseClient(t, s)
	resp, err := hc.Get(s.DynamicsURL() + "/" + AzureTenantID + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var oidc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&oidc)
	resp.Body.Close()
	if err != nil || oidc.TokenEndpoint != s.DynamicsURL()+"/"+AzureTenantID+"/oauth2/v2.0/token" {
		t.Fatalf("openid-configuration: %v %+v", err, oidc)
	}
	resp, err = hc.PostForm(oidc.TokenEndpoint, map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {AzureClientID}, "client_secret": {AzureClientSecret},
		"scope": {s.DynamicsURL() + "/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.DynamicsURL()+"/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='donotemail')", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Web API with an Entra token: %d", resp.StatusCode)
	}
}
