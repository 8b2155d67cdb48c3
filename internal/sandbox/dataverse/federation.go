package dataverse

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// This file emulates workload identity federation (ci-sign-in facts): the identity providers of
// three CI systems, each issuing short-lived JWTs signed with a key of its own, and the Entra ID
// side that accepts such a JWT as a client assertion when a federated credential of the app
// registration names its issuer, subject and audience. Real Entra ID fetches the issuer's keys
// through its OpenID discovery document; here the issuers live in the same process, so the keys
// are looked up directly.

// Issuers of the emulated CI identity providers, as the real ones spell them.
const (
	GitHubIssuer         = "https://token.actions.githubusercontent.com"
	AzurePipelinesIssuer = "https://vstoken.dev.azure.com/" + AzureDevOpsOrgID
	HCPTerraformIssuer   = "https://app.terraform.io"
)

// The emulated CI identities (defaults of the sandbox app's federated credentials).
const (
	// FederatedAudience is the audience Entra ID requires in a federated client assertion.
	FederatedAudience = "api://AzureADTokenExchange"

	// GitHubSubject is the subject of the JWTs the GitHub endpoint issues: a job on main.
	GitHubSubject = "repo:optout-sync/opt-out-config:ref:refs/heads/main"
	// GitHubRequestToken is the job's ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	GitHubRequestToken = "sandbox-github-request-token"
	// GitHubTokenPath is the token endpoint's path; the request URL is GitHubRequestURL.
	GitHubTokenPath = "/_ci/github/idtoken"
	// GitHubTokenLifetime is the lifetime of a GitHub JWT (GitHub's example shows 300 s).
	GitHubTokenLifetime = 5 * time.Minute

	// AzureDevOpsOrgID is the id of the Azure DevOps organization, part of the pipelines issuer.
	AzureDevOpsOrgID = "00000000-0000-0000-0000-0000000000ad"
	// AzurePipelinesSubject is the subject of the service connection's JWTs.
	AzurePipelinesSubject = "sc://optout-sync/opt-out-config/dataverse-sandbox"
	// ServiceConnectionID is the id of the only service connection.
	ServiceConnectionID = "00000000-0000-0000-0000-00000000005c"
	// SystemAccessToken is the pipeline's System.AccessToken.
	SystemAccessToken = "sandbox-system-access-token"
	// AzurePipelinesTokenPath is SYSTEM_OIDCREQUESTURI's path.
	AzurePipelinesTokenPath = "/_ci/azure-pipelines/oidctoken"
	// AzurePipelinesTokenLifetime is the lifetime of a pipeline JWT.
	AzurePipelinesTokenLifetime = 10 * time.Minute

	// HCPTerraformPlanSubject and HCPTerraformApplySubject are the subjects of HCP Terraform's
	// workload identity tokens for the two run phases of workspace opt-out-config.
	HCPTerraformPlanSubject  = "organization:optout-sync:project:Default Project:workspace:opt-out-config:run_phase:plan"
	HCPTerraformApplySubject = "organization:optout-sync:project:Default Project:workspace:opt-out-config:run_phase:apply"
)

// FederatedCredential is a federated identity credential of the app registration: a JWT from
// Issuer about Subject for Audience signs the app in instead of a secret.
type FederatedCredential struct {
	Issuer, Subject, Audience string
}

// DefaultFederatedCredentials are the sandbox app's federated credentials: a GitHub job on main,
// the Azure Pipelines service connection, and both HCP Terraform run phases.
func DefaultFederatedCredentials() []FederatedCredential {
	return []FederatedCredential{
		{Issuer: GitHubIssuer, Subject: GitHubSubject, Audience: FederatedAudience},
		{Issuer: AzurePipelinesIssuer, Subject: AzurePipelinesSubject, Audience: FederatedAudience},
		{Issuer: HCPTerraformIssuer, Subject: HCPTerraformPlanSubject, Audience: FederatedAudience},
		{Issuer: HCPTerraformIssuer, Subject: HCPTerraformApplySubject, Audience: FederatedAudience},
	}
}

// knownIssuers are the identity providers the org can verify.
var knownIssuers = map[string]bool{GitHubIssuer: true, AzurePipelinesIssuer: true, HCPTerraformIssuer: true}

// TokenRequest is one request to the token endpoint, as the org logged it, so that a test can
// prove how the client signed in: with a secret, or with which assertion.
type TokenRequest struct {
	At       time.Time
	ClientID string
	// SecretSent says the request carried a client secret (form or HTTP Basic).
	SecretSent bool
	// Assertion describes the client assertion sent, if any (its claims as sent, verified or not).
	Assertion *AssertionInfo
	// Status is the HTTP status answered; AADSTS the error code, 0 when a token was issued.
	Status int
	AADSTS int
}

// AssertionInfo are the claims of a client assertion.
type AssertionInfo struct {
	ID, Issuer, Subject, Audience string
	IssuedAt, ExpiresAt           time.Time
}

// GitHubRequestURL is the job's ACTIONS_ID_TOKEN_REQUEST_URL (with a query string of its own,
// like the runner's).
func (o *Org) GitHubRequestURL() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.baseURL + GitHubTokenPath + "?api-version=2.0"
}

// AzurePipelinesRequestURI is the pipeline's SYSTEM_OIDCREQUESTURI.
func (o *Org) AzurePipelinesRequestURI() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.baseURL + AzurePipelinesTokenPath
}

// IssueToken mints a JWT as one of the emulated identity providers (e.g. HCP Terraform's
// TFC_WORKLOAD_IDENTITY_TOKEN), valid from now on the org's clock for lifetime.
func (o *Org) IssueToken(issuer, subject, audience string, lifetime time.Duration) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.issueToken(issuer, subject, audience, lifetime)
}

// TokenRequests returns the token endpoint's log, oldest first.
func (o *Org) TokenRequests() []TokenRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]TokenRequest(nil), o.tokenLog...)
}

func (o *Org) issueToken(issuer, subject, audience string, lifetime time.Duration) (string, error) {
	if !knownIssuers[issuer] {
		return "", fmt.Errorf("dataverse: %q is not an emulated identity provider", issuer)
	}
	key, err := o.issuerKey(issuer)
	if err != nil {
		return "", err
	}
	now := o.cfg.Now()
	claims := jwt.RegisteredClaims{
		Issuer: issuer, Subject: subject, Audience: jwt.ClaimStrings{audience}, ID: newGUID(),
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = strings.TrimPrefix(issuer, "https://")
	return tok.SignedString(key)
}

// issuerKey returns the signing key of an issuer, made on first use (RSA key generation is slow,
// and most tests never federate). Callers hold o.mu.
func (o *Org) issuerKey(issuer string) (*rsa.PrivateKey, error) {
	if k := o.issuerKeys[issuer]; k != nil {
		return k, nil
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if o.issuerKeys == nil {
		o.issuerKeys = map[string]*rsa.PrivateKey{}
	}
	o.issuerKeys[issuer] = k
	return k, nil
}

// serveCI serves the emulated CI token endpoints.
func (o *Org) serveCI(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case GitHubTokenPath:
		o.serveGitHubToken(w, r)
	case AzurePipelinesTokenPath:
		o.serveAzurePipelinesToken(w, r)
	default:
		writeCIError(w, http.StatusNotFound, "No CI endpoint is served at "+r.URL.Path)
	}
}

// serveGitHubToken is GitHub Actions' OIDC token endpoint: GET with the job's request token as
// bearer; the audience defaults to the repository owner's URL, as GitHub's does.
func (o *Org) serveGitHubToken(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method != http.MethodGet:
		writeCIError(w, http.StatusMethodNotAllowed, "The OIDC token endpoint accepts GET only.")
		return
	case bearer(r) != GitHubRequestToken:
		writeCIError(w, http.StatusUnauthorized, "Bad credentials: the request token is missing, wrong or expired.")
		return
	case r.URL.Query().Get("api-version") == "":
		writeCIError(w, http.StatusBadRequest, "The api-version query parameter is required.")
		return
	}
	aud := r.URL.Query().Get("audience")
	if aud == "" {
		aud = "https://github.com/optout-sync"
	}
	tok, err := o.issueToken(GitHubIssuer, GitHubSubject, aud, GitHubTokenLifetime)
	if err != nil {
		writeCIError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeEntraJSON(w, http.StatusOK, map[string]any{"count": len(tok), "value": tok})
}

// serveAzurePipelinesToken is the pipeline's OIDC endpoint that AzurePipelinesCredential calls:
// POST ?api-version=7.1&serviceConnectionId=<id> with System.AccessToken as bearer. Without
// X-TFS-FedAuthRedirect: Suppress a bad token is redirected to the sign-in page, as Azure DevOps
// does; with it the answer is 401.
func (o *Org) serveAzurePipelinesToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodPost:
		writeCIError(w, http.StatusMethodNotAllowed, "The OIDC token endpoint accepts POST only.")
		return
	case bearer(r) != SystemAccessToken:
		if !strings.EqualFold(r.Header.Get("X-TFS-FedAuthRedirect"), "Suppress") {
			w.Header().Set("Location", "https://spsprodweu5.vssps.visualstudio.com/_signin")
			w.WriteHeader(http.StatusFound)
			return
		}
		writeCIError(w, http.StatusUnauthorized, "TF400813: The user is not authorized to access this resource (System.AccessToken missing or wrong).")
		return
	case q.Get("api-version") == "":
		writeCIError(w, http.StatusBadRequest, "VS800075: The project collection API version is missing: api-version is required.")
		return
	case !strings.EqualFold(q.Get("serviceConnectionId"), ServiceConnectionID):
		writeCIError(w, http.StatusBadRequest, fmt.Sprintf("Service connection %q was not found or the pipeline is not authorized to use it.", q.Get("serviceConnectionId")))
		return
	}
	tok, err := o.issueToken(AzurePipelinesIssuer, AzurePipelinesSubject, FederatedAudience, AzurePipelinesTokenLifetime)
	if err != nil {
		writeCIError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeEntraJSON(w, http.StatusOK, map[string]any{"oidcToken": tok})
}

func bearer(r *http.Request) string {
	scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

func writeCIError(w http.ResponseWriter, status int, msg string) {
	writeEntraJSON(w, status, map[string]any{"message": msg})
}

// assertionError is a refused client assertion: HTTP status, OAuth error, AADSTS code, text.
type assertionError struct {
	status int
	code   string
	aadsts int
	desc   string
}

// checkAssertion verifies a federated client assertion the way Entra ID does: a federated
// credential of the app must name its issuer, subject and audience (else 400 invalid_request
// AADSTS70021), the issuer's signature must hold, and it must be within its valid time range on
// the org's clock (else 401 invalid_client AADSTS700024). info is filled in from the claims as
// sent, for the log.
func (o *Org) checkAssertion(clientID, assertion string, info *AssertionInfo) *assertionError {
	var claims jwt.RegisteredClaims
	parser := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithValidMethods([]string{"RS256"}))
	if _, _, err := parser.ParseUnverified(assertion, &claims); err != nil {
		return &assertionError{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed."}
	}
	info.ID, info.Issuer, info.Subject = claims.ID, claims.Issuer, claims.Subject
	info.Audience = strings.Join(claims.Audience, " ")
	if claims.IssuedAt != nil {
		info.IssuedAt = claims.IssuedAt.Time
	}
	if claims.ExpiresAt != nil {
		info.ExpiresAt = claims.ExpiresAt.Time
	}
	if claims.Issuer == clientID {
		// A JWT the app signs itself is a certificate credential.
		return &assertionError{http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion failed signature validation: no certificate is registered on this application (this sandbox supports client secrets and federated credentials)."}
	}
	matched := false
	for _, fc := range o.federated {
		if fc.Issuer == claims.Issuer && fc.Subject == claims.Subject && containsString(claims.Audience, fc.Audience) {
			matched = true
			break
		}
	}
	if !matched {
		return &assertionError{http.StatusBadRequest, "invalid_request", 70021, fmt.Sprintf(
			"No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.",
			claims.Issuer, claims.Subject, info.Audience)}
	}
	key, err := o.issuerKey(claims.Issuer)
	if err != nil {
		return &assertionError{http.StatusInternalServerError, "server_error", 50000, err.Error()}
	}
	if _, err := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithValidMethods([]string{"RS256"})).Parse(assertion,
		func(*jwt.Token) (any, error) { return &key.PublicKey, nil }); err != nil {
		return &assertionError{http.StatusUnauthorized, "invalid_client", 700027,
			"Client assertion failed signature validation: the token was not signed by its issuer's key."}
	}
	now := o.cfg.Now()
	nbf := info.IssuedAt
	if claims.NotBefore != nil {
		nbf = claims.NotBefore.Time
	}
	if claims.ExpiresAt == nil || !now.Before(claims.ExpiresAt.Time) || now.Before(nbf) {
		return &assertionError{http.StatusUnauthorized, "invalid_client", 700024, fmt.Sprintf(
			"Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
			now.UTC().Format(time.RFC3339Nano), nbf.UTC().Format(time.RFC3339Nano), info.ExpiresAt.UTC().Format(time.RFC3339Nano))}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
