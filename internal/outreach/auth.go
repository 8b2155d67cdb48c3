package outreach

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// TokenSource supplies the bearer token for API calls.
type TokenSource interface {
	// Token returns a currently valid access token, minting one if needed.
	Token(ctx context.Context) (string, error)
}

// InvalidatingTokenSource is implemented by sources that can mint a new token after a 401.
type InvalidatingTokenSource interface {
	TokenSource
	// Invalidate tells the source that the API refused token; the next Token call must not
	// return it again.
	Invalidate(token string)
}

// StaticToken returns a source that always returns token. It cannot recover from a 401, so it
// deliberately does not implement InvalidatingTokenSource: the client then reports the 401.
func StaticToken(token string) TokenSource { return staticToken(token) }

type staticToken string

func (s staticToken) Token(context.Context) (string, error) {
	if strings.TrimSpace(string(s)) == "" {
		return "", errors.New("the Outreach access token is empty")
	}
	return string(s), nil
}

// expirySkew is how long before its stated expiry a token stops being used: enough for a request
// sent with it to arrive while it is still valid, and for clocks that disagree a little.
const expirySkew = 2 * time.Minute

// normalizeBaseURL validates a base URL and returns it without a trailing slash. https is
// required except for loopback hosts, where http serves local sandboxes and tests: a bearer token
// must never cross a network in clear text.
func normalizeBaseURL(raw string) (string, *url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultBaseURL
	}
	// The URL is quoted in errors only through httpx.RedactURL: userinfo may be a credential, and
	// a URL that fails an earlier check still carries it.
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, fmt.Errorf("invalid Outreach base URL %q: %v", httpx.RedactURL(raw), httpx.URLParseReason(err))
	}
	if u.User != nil {
		return "", nil, fmt.Errorf("invalid Outreach base URL: it must not contain user information")
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", nil, fmt.Errorf("invalid Outreach base URL %q: want https://host[:port]", httpx.RedactURL(raw))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", nil, fmt.Errorf("invalid Outreach base URL %q: it must not have a query or fragment", httpx.Redact(raw))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", nil, fmt.Errorf("invalid Outreach base URL %q: http:// is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https://", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return strings.TrimRight(raw, "/"), u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// logf sends a message to the policy's logger, if any. Fields never carry a credential.
func logf(ctx context.Context, p httpx.Policy, msg string, fields map[string]any) {
	if p.Log != nil {
		p.Log(ctx, msg, fields)
	}
}
