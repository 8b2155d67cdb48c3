package dataverse

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// This file emulates the Microsoft Entra ID endpoints that azidentity's ClientSecretCredential and
// ClientAssertionCredential (MSAL Go) call with instance discovery disabled (toolchain facts section 6), and the bearer
// token check of the Web API.

// tokenLifetime is what Entra ID grants by default a client-credentials token (expires_in 3599).
const tokenLifetime = 3599 * time.Second

// oidcScopes are the OpenID Connect scopes MSAL adds to every token request; they name no
// resource and are ignored when the resource scope is checked.
var oidcScopes = map[string]bool{"openid": true, "offline_access": true, "profile": true, "email": true}

// authenticate checks the bearer token of a Web API request. Accepted: the static token, or a
// token minted by this org that has not expired and whose audience is this org.
func (o *Org) authenticate(r *http.Request) *apiError {
	origin := o.origin(r)
	challenge := fmt.Sprintf("Bearer authorization_uri=%s/%s/oauth2/authorize, resource_id=%s/", origin, o.cfg.TenantID, origin)
	scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		// No credentials: Dataverse answers with an empty body and the challenge that tools
		// use for tenant discovery.
		return &apiError{status: http.StatusUnauthorized, noBody: true, header: http.Header{"WWW-Authenticate": {challenge}}}
	}
	if tok == o.cfg.StaticToken {
		return nil
	}
	reason := ""
	switch t := o.st.Tokens[tok]; {
	case t == nil:
		reason = "The access token is not valid for this organization."
	case !o.cfg.Now().Before(t.ExpiresAt):
		reason = fmt.Sprintf("The access token expired at %s.", t.ExpiresAt.UTC().Format(time.RFC3339))
	case !strings.EqualFold(t.Audience, origin):
		reason = fmt.Sprintf("The access token was issued for the audience '%s', not for this organization ('%s').", t.Audience, origin)
	default:
		return nil
	}
	e := newError(http.StatusUnauthorized, "", "%s", reason)
	e.header = http.Header{"WWW-Authenticate": {fmt.Sprintf(`Bearer error=invalid_token, error_description="Error during token validation!", authorization_uri=%s/%s/oauth2/authorize, resource_id=%s/`, origin, o.cfg.TenantID, origin)}}
	return e
}

// serveEntra serves /{tenant}/... requests.
func (o *Org) serveEntra(w http.ResponseWriter, r *http.Request) {
	tenant, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch rest {
	case "v2.0/.well-known/openid-configuration":
		o.serveOpenIDConfiguration(w, r, tenant)
	case "oauth2/v2.0/token":
		o.serveToken(w, r, tenant)
	case "discovery/v2.0/keys":
		// Tokens are opaque, so there are no signing keys to publish.
		writeEntraJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
	default:
		writeAPIError(w, newError(http.StatusNotFound, codeResourceNotFound, "No resource is served at '%s'.", r.URL.Path))
	}
}

func (o *Org) knownTenant(tenant string) bool { return strings.EqualFold(tenant, o.cfg.TenantID) }

func (o *Org) serveOpenIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string) {
	origin := o.origin(r)
	if r.Method != http.MethodGet {
		o.entraError(w, r, http.StatusBadRequest, "invalid_request", 900561,
			fmt.Sprintf("The endpoint only accepts GET, OPTIONS requests. Received a %s request.", r.Method))
		return
	}
	if !o.knownTenant(tenant) {
		o.entraError(w, r, http.StatusBadRequest, "invalid_tenant", 90002, tenantNotFound(tenant))
		return
	}
	base := origin + "/" + o.cfg.TenantID
	writeEntraJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		// MSAL requires the issuer on the same host as the authority.
		"issuer":                          base + "/v2.0",
		"request_uri_parameter_supported": false,
		"authorization_endpoint":          base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":   base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":            base + "/oauth2/v2.0/logout",
		"http_logout_supported":           true,
		"frontchannel_logout_supported":   true,
		"tenant_region_scope":             "EU",
		"cloud_instance_name":             "microsoftonline.com",
		"cloud_graph_host_name":           "graph.windows.net",
		"msgraph_host":                    "graph.microsoft.com",
	})
}

func tenantNotFound(tenant string) string {
	return fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant)
}

// serveToken is the client-credentials grant (facts 1.1): form-encoded client_id, a client secret
// (form or HTTP Basic) or a federated client assertion (federation.go), grant_type and a scope
// naming one resource with /.default. Every request is logged (TokenRequests).
func (o *Org) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	entry := TokenRequest{At: o.cfg.Now(), Status: http.StatusOK}
	defer func() { o.tokenLog = append(o.tokenLog, entry) }()
	fail := func(status int, code string, aadsts int, description string) {
		entry.Status, entry.AADSTS = status, aadsts
		o.entraError(w, r, status, code, aadsts, description)
	}
	if r.Method != http.MethodPost {
		fail(http.StatusBadRequest, "invalid_request", 900561,
			fmt.Sprintf("The endpoint only accepts POST, OPTIONS requests. Received a %s request.", r.Method))
		return
	}
	if !o.knownTenant(tenant) {
		fail(http.StatusBadRequest, "invalid_request", 90002, tenantNotFound(tenant))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request", 900144, "The request body must be form-encoded: "+err.Error())
		return
	}
	form := r.PostForm
	missing := func(param string) {
		fail(http.StatusBadRequest, "invalid_request", 900144,
			fmt.Sprintf("The request body must contain the following parameter: '%s'.", param))
	}
	grant := form.Get("grant_type")
	if grant == "" {
		missing("grant_type")
		return
	}
	if grant != "client_credentials" {
		fail(http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'. This sandbox supports only client_credentials.", grant))
		return
	}
	clientID, secret := form.Get("client_id"), form.Get("client_secret")
	if user, pass, ok := r.BasicAuth(); ok { // RFC 6749 §2.3.1
		clientID, secret = user, pass
	}
	if clientID == "" {
		missing("client_id")
		return
	}
	if clientID != o.cfg.ClientID {
		fail(http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, o.cfg.TenantID))
		return
	}
	entry.ClientID, entry.SecretSent = clientID, secret != ""
	switch assertion := form.Get("client_assertion"); {
	case assertion != "":
		if t := form.Get("client_assertion_type"); t != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			fail(http.StatusBadRequest, "invalid_request", 90014,
				"The required field 'client_assertion_type' is missing from the credential or is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
			return
		}
		entry.Assertion = &AssertionInfo{}
		if e := o.checkAssertion(clientID, assertion, entry.Assertion); e != nil {
			fail(e.status, e.code, e.aadsts, e.desc)
			return
		}
	case secret == "":
		fail(http.StatusUnauthorized, "invalid_client", 7000216,
			"'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
		return
	case secret != o.cfg.ClientSecret:
		fail(http.StatusUnauthorized, "invalid_client", 7000215,
			fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID))
		return
	}
	scope := form.Get("scope")
	if strings.TrimSpace(scope) == "" {
		missing("scope")
		return
	}
	var resources []string
	for _, s := range strings.Fields(scope) {
		if !oidcScopes[s] {
			resources = append(resources, s)
		}
	}
	switch {
	case len(resources) == 0 || !strings.HasSuffix(resources[0], "/.default"):
		fail(http.StatusBadRequest, "invalid_scope", 1002012,
			fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
		return
	case len(resources) > 1:
		fail(http.StatusBadRequest, "invalid_scope", 70011,
			fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid. A client credentials request must name a single resource.", scope))
		return
	}
	resource := strings.TrimRight(strings.TrimSuffix(resources[0], "/.default"), "/")
	audience := strings.ToLower(o.origin(r))
	if !strings.EqualFold(resource, audience) {
		// Entra ID answers an unknown resource with invalid_resource (AADSTS500011).
		fail(http.StatusBadRequest, "invalid_resource", 500011,
			fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, o.cfg.TenantID))
		return
	}

	now := o.cfg.Now()
	for k, t := range o.st.Tokens { // forget expired tokens so the state does not grow forever
		if !now.Before(t.ExpiresAt) {
			delete(o.st.Tokens, k)
		}
	}
	access := newAccessToken()
	o.st.Tokens[access] = &token{Audience: audience, ClientID: clientID, ExpiresAt: now.Add(o.cfg.AccessTokenLifetime)}
	o.st.Stats.TokensIssued++
	writeEntraJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(o.cfg.AccessTokenLifetime / time.Second),
		"ext_expires_in": int(o.cfg.AccessTokenLifetime / time.Second),
		"access_token":   access,
	})
}

// newAccessToken returns an opaque random token.
func newAccessToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "sbx." + base64.RawURLEncoding.EncodeToString(b[:])
}

// entraError writes an OAuth2 error in Entra ID's shape.
func (o *Org) entraError(w http.ResponseWriter, r *http.Request, status int, code string, aadsts int, description string) {
	now := o.cfg.Now().UTC()
	traceID, correlationID := newGUID(), newGUID()
	writeEntraJSON(w, status, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, description, traceID, correlationID, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       traceID,
		"correlation_id": correlationID,
		"error_uri":      fmt.Sprintf("%s/error?code=%d", o.origin(r), aadsts),
	})
}

func writeEntraJSON(w http.ResponseWriter, status int, body any) {
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
