package dynamics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// This file is sign-in from CI systems without a stored secret: the CI system's OpenID Connect
// token is exchanged at Entra ID as a client assertion against a federated credential of the app
// registration (ci-sign-in facts). azidentity calls the assertion callback only when it needs a
// new access token from the network, so each new access token gets an assertion that is valid
// now: a GitHub JWT lives five minutes, an apply can last an hour.

// FederatedAudience is the audience Entra ID expects in a federated client assertion, and the
// audience asked of GitHub Actions' token endpoint.
const FederatedAudience = "api://AzureADTokenExchange"

// maxOIDCAnswer bounds the answer of a CI token endpoint (a JWT of a few kilobytes).
const maxOIDCAnswer = 1 << 20

// newOIDCCredential builds the credential of one of the OIDC methods.
func newOIDCCredential(method string, cfg CredentialConfig, opts azcore.ClientOptions, disableDiscovery bool) (azcore.TokenCredential, string, error) {
	if err := need(method, cfg.TenantID, cfg.ClientID); err != nil {
		return nil, "", err
	}
	var assertion func(context.Context) (string, error)
	switch method {
	case CredentialAzurePipelines:
		switch {
		case cfg.ServiceConnectionID == "":
			return nil, "", errors.New("dynamics: azure pipelines oidc authentication needs a service connection id")
		case cfg.OIDCRequestToken == "":
			return nil, "", errors.New("dynamics: azure pipelines oidc authentication needs the pipeline's System.AccessToken")
		}
		// azidentity fetches the pipeline's token from SYSTEM_OIDCREQUESTURI for every new
		// access token (it wraps a ClientAssertionCredential).
		cred, err := azidentity.NewAzurePipelinesCredential(cfg.TenantID, cfg.ClientID, cfg.ServiceConnectionID, cfg.OIDCRequestToken,
			&azidentity.AzurePipelinesCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
		return wrapCred(cred, method, err)
	case CredentialGitHubActions:
		if cfg.OIDCRequestURL == "" || cfg.OIDCRequestToken == "" {
			return nil, "", errors.New("dynamics: github actions oidc authentication needs the token request URL and the request token")
		}
		u, err := githubTokenURL(cfg.OIDCRequestURL)
		if err != nil {
			return nil, "", err
		}
		assertion = githubAssertion(cfg.HTTPClient, u, cfg.OIDCRequestToken)
	case CredentialOIDCToken:
		if cfg.OIDCToken == "" {
			return nil, "", errors.New("dynamics: oidc token authentication needs a token")
		}
		tok := cfg.OIDCToken
		assertion = func(context.Context) (string, error) { return tok, nil }
	case CredentialOIDCTokenFile:
		if cfg.OIDCTokenFilePath == "" {
			return nil, "", errors.New("dynamics: oidc token file authentication needs a file path")
		}
		// Read once now, so that a wrong path fails at configuration, and again for each new
		// access token, so that a rotated token is used.
		if _, err := readTokenFile(cfg.OIDCTokenFilePath); err != nil {
			return nil, "", err
		}
		p := cfg.OIDCTokenFilePath
		assertion = func(context.Context) (string, error) { return readTokenFile(p) }
	default:
		return nil, "", fmt.Errorf("dynamics: %q is not an OIDC method", method)
	}
	cred, err := azidentity.NewClientAssertionCredential(cfg.TenantID, cfg.ClientID, assertion,
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: disableDiscovery})
	return wrapCred(cred, method, err)
}

// readTokenFile returns the JWT in a file, trimmed.
func readTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("dynamics: reading the OIDC token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("dynamics: the OIDC token file %s is empty", path)
	}
	return tok, nil
}

// githubTokenURL adds the Entra ID audience to GitHub's token request URL, unless the URL names
// an audience already (the runner's URL carries a query string of its own).
func githubTokenURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("dynamics: the OIDC request URL %q is not an http(s) URL", raw)
	}
	q := u.Query()
	if q.Get("audience") == "" {
		q.Set("audience", FederatedAudience)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// githubAssertion fetches a fresh JWT from GitHub Actions' token endpoint on every call. Like
// every request of this provider it never follows a redirect (httpx), so the request token never
// leaves for another URL.
func githubAssertion(hc *http.Client, tokenURL, requestToken string) func(context.Context) (string, error) {
	hc = httpx.New(hc, httpx.Policy{}).HTTPClient()
	return func(ctx context.Context) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, tokenURL, nil)
		if err != nil {
			return "", fmt.Errorf("dynamics: GitHub OIDC token request: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+requestToken)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return "", fmt.Errorf("dynamics: GitHub OIDC token request: %w", err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxOIDCAnswer))
		if err != nil {
			return "", fmt.Errorf("dynamics: reading GitHub's OIDC token answer: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			// The body is not quoted: it may echo the request token.
			return "", fmt.Errorf("dynamics: GitHub's OIDC token endpoint answered HTTP %d; the job needs "+
				"`permissions: id-token: write` and a current ACTIONS_ID_TOKEN_REQUEST_TOKEN", resp.StatusCode)
		}
		var answer struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(body, &answer); err != nil || answer.Value == "" {
			return "", errors.New("dynamics: GitHub's OIDC token endpoint answered without a token")
		}
		return answer.Value, nil
	}
}
