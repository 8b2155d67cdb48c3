package dataverse

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// TestAzidentityClientSecretCredential drives the real azidentity/MSAL client against the
// emulated Entra ID, then uses the token on the Web API.
func TestAzidentityClientSecretCredential(t *testing.T) {
	org := NewOrg(Config{})
	srv := httptest.NewTLSServer(org.Handler())
	defer srv.Close()
	org.SetBaseURL(srv.URL)

	newCred := func(secret string) *azidentity.ClientSecretCredential {
		cred, err := azidentity.NewClientSecretCredential(DefaultTenantID, DefaultClientID, secret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: azcore.ClientOptions{
				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL + "/"},
				Transport: srv.Client(),
			},
			DisableInstanceDiscovery: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return cred
	}
	opts := policy.TokenRequestOptions{Scopes: []string{srv.URL + "/.default"}}

	tok, err := newCred(DefaultClientSecret).GetToken(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token == "" || tok.ExpiresOn.IsZero() {
		t.Fatalf("token %+v", tok)
	}

	req, _ := http.NewRequest("GET", srv.URL+"/api/data/v9.2/WhoAmI", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("WhoAmI with the azidentity token: %d", resp.StatusCode)
	}

	_, err = newCred("wrong").GetToken(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("bad secret: %v", err)
	}
	_, err = newCred(DefaultClientSecret).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://org.crm.dynamics.com/.default"}})
	if err == nil || !strings.Contains(err.Error(), "AADSTS500011") {
		t.Fatalf("other resource: %v", err)
	}
}
