package dynamics

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Names of the credential methods, as NewCredential reports them for logs.
const (
	CredentialClientSecret      = "client_secret"
	CredentialClientCertificate = "client_certificate"
	CredentialWorkloadIdentity  = "workload_identity"
	CredentialAzureCLI          = "azure_cli"
	CredentialManagedIdentity   = "managed_identity"
	// The OpenID Connect methods for CI systems (credential_oidc.go): a JWT from GitHub Actions'
	// token endpoint, from Azure Pipelines' service connection, given as such (HCP Terraform's
	// workload identity token), or read from a file.
	CredentialGitHubActions  = "github_actions_oidc"
	CredentialAzurePipelines = "azure_pipelines_oidc"
	CredentialOIDCToken      = "oidc_token"
	CredentialOIDCTokenFile  = "oidc_token_file"
)

// CredentialConfig says how to get Entra ID tokens for Dataverse. With Method set, that method is
// used and its missing inputs are named; otherwise NewCredential picks the first method whose
// inputs are set, in the order of the fields' doc comments.
type CredentialConfig struct {
	// Method is one of the Credential* constants, or "" to pick by what is set. A caller that
	// knows which method its user chose (the provider: configuration before environment) says so,
	// so that an input of another method that happens to be set cannot take over.
	Method string
	// TenantID and ClientID identify the app registration (client secret, certificate, workload
	// identity); ClientID also selects a user-assigned managed identity.
	TenantID, ClientID string
	// ClientSecret selects the client-secret method (first choice).
	ClientSecret string
	// CertificatePath (PEM or PKCS#12, with CertificatePassword when encrypted) selects the
	// client-certificate method (second choice).
	CertificatePath, CertificatePassword string
	// FederatedTokenFile selects workload identity federation (third choice): the file holds a
	// token from another identity provider (Kubernetes, GitHub Actions, ...), re-read as it rotates.
	FederatedTokenFile string
	// AuthorityHost is the Entra ID host, e.g. https://login.microsoftonline.us/ for US Government;
	// empty means the public cloud (or AZURE_AUTHORITY_HOST).
	AuthorityHost string
	// OIDCToken is a JWT from another identity provider, used as the client assertion as it is
	// (third choice; HCP Terraform's TFC_WORKLOAD_IDENTITY_TOKEN lasts for the run phase).
	OIDCToken string
	// OIDCTokenFilePath names a file holding such a JWT, read again for every new access token
	// so that a rotated token is picked up (third choice).
	OIDCTokenFilePath string
	// ServiceConnectionID selects Azure Pipelines workload identity federation (third choice),
	// with OIDCRequestToken as the pipeline's System.AccessToken. azidentity reads the pipeline's
	// SYSTEM_OIDCREQUESTURI from the environment itself.
	ServiceConnectionID string
	// OIDCRequestURL and OIDCRequestToken select GitHub Actions (third choice): the JWT is
	// fetched from that URL, with audience api://AzureADTokenExchange, for every new access token.
	OIDCRequestURL, OIDCRequestToken string
	// UseCLI selects the Azure CLI's signed-in account (fourth choice).
	UseCLI bool
	// UseManagedIdentity selects the host's managed identity (last choice).
	UseManagedIdentity bool
	// HTTPClient is the transport for token requests; nil means azidentity's default.
	HTTPClient *http.Client
}

// microsoftAuthorityHosts are the Entra ID hosts MSAL trusts without instance discovery. For any
// other host discovery would call login.microsoftonline.com about it, which fails offline and in
// private clouds, so it is turned off.
var microsoftAuthorityHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"sts.windows.net":                  true,
	"login.microsoftonline.us":         true,
	"login-us.microsoftonline.com":     true,
	"login.usgovcloudapi.net":          true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
	"login.microsoftonline.de":         true,
	"login.sovcloud-identity.fr":       true,
	"login.sovcloud-identity.de":       true,
	"login.sovcloud-identity.sg":       true,
}

// NewCredential returns an Entra ID credential and the name of the method chosen (one of the
// Credential* constants): cfg.Method, or by what is set: client secret, then certificate, then the
// OIDC inputs (token, token file, Azure Pipelines, GitHub Actions), then workload identity
// (FederatedTokenFile), then Azure CLI, then managed identity. When nothing fits,
// or a chosen method lacks an input, the error says what is missing. No secret is ever put into an
// error.
func NewCredential(cfg CredentialConfig) (azcore.TokenCredential, string, error) {
	opts, disableDiscovery, err := clientOptions(cfg)
	if err != nil {
		return nil, "", err
	}
	method := cfg.Method
	if method == "" {
		method = pickMethod(cfg)
	}
	switch method {
	case CredentialClientSecret:
		if cfg.ClientSecret == "" {
			return nil, "", errors.New("dynamics: client secret authentication needs a client secret")
		}
		if err := need(CredentialClientSecret, cfg.TenantID, cfg.ClientID); err != nil {
			return nil, "", err
		}
		cred, err := azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
		return wrapCred(cred, CredentialClientSecret, err)

	case CredentialClientCertificate:
		if cfg.CertificatePath == "" {
			return nil, "", errors.New("dynamics: client certificate authentication needs a certificate path")
		}
		if err := need(CredentialClientCertificate, cfg.TenantID, cfg.ClientID); err != nil {
			return nil, "", err
		}
		data, err := os.ReadFile(cfg.CertificatePath)
		if err != nil {
			return nil, "", fmt.Errorf("dynamics: reading the client certificate: %w", err)
		}
		var pw []byte
		if cfg.CertificatePassword != "" {
			pw = []byte(cfg.CertificatePassword)
		}
		certs, key, err := azidentity.ParseCertificates(data, pw)
		if err != nil {
			// The parser's message never contains the password.
			return nil, "", fmt.Errorf("dynamics: the client certificate %s could not be read (PEM or PKCS#12 with its private key, and the right password): %v", cfg.CertificatePath, err)
		}
		cred, err := azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
		return wrapCred(cred, CredentialClientCertificate, err)

	case CredentialOIDCToken, CredentialOIDCTokenFile, CredentialAzurePipelines, CredentialGitHubActions:
		return newOIDCCredential(method, cfg, opts, disableDiscovery)

	case CredentialWorkloadIdentity:
		if cfg.FederatedTokenFile == "" {
			return nil, "", errors.New("dynamics: workload identity authentication needs a federated token file")
		}
		if err := need(CredentialWorkloadIdentity, cfg.TenantID, cfg.ClientID); err != nil {
			return nil, "", err
		}
		cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery,
			TenantID: cfg.TenantID, ClientID: cfg.ClientID, TokenFilePath: cfg.FederatedTokenFile,
		})
		return wrapCred(cred, CredentialWorkloadIdentity, err)

	case CredentialAzureCLI:
		// The CLI talks to its own authority; only the tenant can be chosen.
		cred, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: cfg.TenantID})
		return wrapCred(cred, CredentialAzureCLI, err)

	case CredentialManagedIdentity:
		mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if cfg.ClientID != "" {
			mo.ID = azidentity.ClientID(cfg.ClientID)
		}
		cred, err := azidentity.NewManagedIdentityCredential(mo)
		return wrapCred(cred, CredentialManagedIdentity, err)
	case "":
	default:
		return nil, "", fmt.Errorf("dynamics: unknown credential method %q", method)
	}
	var hint string
	if cfg.TenantID != "" || cfg.ClientID != "" {
		hint = " (a tenant ID and client ID are set, but no client secret, certificate path or federated token file)"
	}
	return nil, "", errors.New("dynamics: no Dataverse credential configured" + hint +
		": set a client secret, a client certificate path or a federated token file together with a tenant ID and a client ID, " +
		"or use the Azure CLI, or use a managed identity, or give an access token")
}

// pickMethod is the method of the first input that is set, or "".
func pickMethod(cfg CredentialConfig) string {
	switch {
	case cfg.ClientSecret != "":
		return CredentialClientSecret
	case cfg.CertificatePath != "":
		return CredentialClientCertificate
	case cfg.OIDCToken != "":
		return CredentialOIDCToken
	case cfg.OIDCTokenFilePath != "":
		return CredentialOIDCTokenFile
	case cfg.ServiceConnectionID != "":
		return CredentialAzurePipelines
	case cfg.OIDCRequestURL != "":
		return CredentialGitHubActions
	case cfg.FederatedTokenFile != "":
		return CredentialWorkloadIdentity
	case cfg.UseCLI:
		return CredentialAzureCLI
	case cfg.UseManagedIdentity:
		return CredentialManagedIdentity
	}
	return ""
}

// clientOptions builds the azcore options and says whether instance discovery must be off.
func clientOptions(cfg CredentialConfig) (azcore.ClientOptions, bool, error) {
	var opts azcore.ClientOptions
	if cfg.HTTPClient != nil {
		opts.Transport = cfg.HTTPClient
	}
	if cfg.AuthorityHost == "" {
		return opts, false, nil
	}
	u, err := url.Parse(cfg.AuthorityHost)
	if err != nil || u.Host == "" {
		return opts, false, fmt.Errorf("dynamics: invalid authority host %q: want e.g. https://login.microsoftonline.com/", cfg.AuthorityHost)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return opts, false, fmt.Errorf("dynamics: the authority host %q must use https", cfg.AuthorityHost)
	}
	host := cfg.AuthorityHost
	if !strings.HasSuffix(host, "/") {
		host += "/"
	}
	opts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: host}
	return opts, !microsoftAuthorityHosts[strings.ToLower(u.Hostname())], nil
}

// need reports which of tenant ID and client ID a method lacks.
func need(method, tenantID, clientID string) error {
	var missing []string
	if tenantID == "" {
		missing = append(missing, "a tenant ID")
	}
	if clientID == "" {
		missing = append(missing, "a client ID")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("dynamics: %s authentication needs %s", strings.ReplaceAll(method, "_", " "), strings.Join(missing, " and "))
}

// wrapCred turns a typed nil into an untyped one and names the method in a constructor error.
func wrapCred[T azcore.TokenCredential](cred T, method string, err error) (azcore.TokenCredential, string, error) {
	if err != nil {
		return nil, "", fmt.Errorf("dynamics: setting up %s authentication: %v", strings.ReplaceAll(method, "_", " "), err)
	}
	return cred, method, nil
}
