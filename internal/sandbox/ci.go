package sandbox

import (
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

// The emulated CI identity providers and the federated credentials of the Entra ID app
// (internal/sandbox/dataverse/federation.go), for sign-in without a stored secret.
const (
	// GitHubRequestToken is the GitHub job's ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	GitHubRequestToken = dataverse.GitHubRequestToken
	// AzurePipelinesServiceConnectionID and AzurePipelinesAccessToken are the pipeline's service
	// connection and its System.AccessToken.
	AzurePipelinesServiceConnectionID = dataverse.ServiceConnectionID
	AzurePipelinesAccessToken         = dataverse.SystemAccessToken
	// HCPTerraformIssuer issues workload identity tokens (IssueToken) for the subjects
	// HCPTerraformPlanSubject and HCPTerraformApplySubject.
	HCPTerraformIssuer       = dataverse.HCPTerraformIssuer
	HCPTerraformPlanSubject  = dataverse.HCPTerraformPlanSubject
	HCPTerraformApplySubject = dataverse.HCPTerraformApplySubject
	// FederatedAudience is the audience of every federated credential.
	FederatedAudience = dataverse.FederatedAudience
)

// GitHubRequestURL is the GitHub job's ACTIONS_ID_TOKEN_REQUEST_URL, served on the Dynamics
// listener.
func (s *Server) GitHubRequestURL() string { return s.org.GitHubRequestURL() }

// AzurePipelinesRequestURI is the pipeline's SYSTEM_OIDCREQUESTURI.
func (s *Server) AzurePipelinesRequestURI() string { return s.org.AzurePipelinesRequestURI() }

// IssueToken mints a JWT as one of the emulated identity providers, valid from now on the
// sandbox clock for lifetime (e.g. HCP Terraform's TFC_WORKLOAD_IDENTITY_TOKEN).
func (s *Server) IssueToken(issuer, subject, audience string, lifetime time.Duration) (string, error) {
	return s.org.IssueToken(issuer, subject, audience, lifetime)
}

// EntraTokenRequests is the log of the Entra ID token endpoint: how each request authenticated
// (secret or which assertion) and what it was answered.
func (s *Server) EntraTokenRequests() []dataverse.TokenRequest { return s.org.TokenRequests() }
