package outreach

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// DefaultBaseURL is the Outreach API host; API paths are under /api/v2.
const DefaultBaseURL = "https://api.outreach.io"

// pageSize is the largest page the API serves: fewer round trips against a 10,000 requests per
// hour limit.
const pageSize = 1000

// maxPages stops a server that keeps handing out next links (a cursor bug) from looping forever:
// at 1000 per page it is ten million resources, far beyond any plugin configuration.
const maxPages = 10000

// Config configures a Client.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; http:// is accepted only for loopback hosts.
	BaseURL string
	// HTTPClient is the transport; nil means a default client.
	HTTPClient *http.Client
	// Policy is the shared retry and logging policy.
	Policy httpx.Policy
	// Auth supplies bearer tokens. Required.
	Auth TokenSource
}

// Client calls the Outreach plugin configuration API. It is safe for concurrent use.
type Client struct {
	base    string   // normalized, no trailing slash
	baseURL *url.URL // parsed base, for checking next links
	http    *httpx.Client
	auth    TokenSource
	policy  httpx.Policy
	apiRoot string // base + "/api/v2"
	// conditions are the sync-condition ids handed out, which a lost create must not adopt.
	conditions knownIDs
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	base, u, err := normalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Auth == nil {
		return nil, errors.New("outreach: no token source configured")
	}
	return &Client{
		base:    base,
		baseURL: u,
		http:    httpx.New(cfg.HTTPClient, cfg.Policy),
		auth:    cfg.Auth,
		policy:  cfg.Policy,
		apiRoot: base + "/api/v2",
	}, nil
}

// BaseURL returns the normalized base URL the client talks to.
func (c *Client) BaseURL() string { return c.base }

// request is one API call before authentication.
type request struct {
	method     string
	url        string // absolute
	body       []byte // nil = no body
	idempotent bool
}

// do sends r with a bearer token and returns the body of a 2xx response; any other status becomes
// an *APIError. A 401 with a source that can mint again is retried once with a fresh token: an
// access token can expire (or be revoked) between the moment it was checked and the moment it
// reached the server, and the request was refused, not processed, so replaying it is safe.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	path := pathOnly(r.url)
	for attempt := 0; ; attempt++ {
		tok, err := c.auth.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("obtaining an Outreach access token: %w", err)
		}
		h := http.Header{}
		h.Set("Authorization", "Bearer "+tok)
		h.Set("Accept", mediaType)
		if r.body != nil {
			h.Set("Content-Type", mediaType)
		}
		resp, err := c.http.Do(ctx, &httpx.Request{
			Method: r.method, URL: r.url, Header: h, Body: r.body, Idempotent: r.idempotent,
		})
		if err != nil {
			return nil, &sendError{err}
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp.Body, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			if inv, ok := c.auth.(InvalidatingTokenSource); ok {
				logf(ctx, c.policy, "Outreach refused the access token; minting a new one", map[string]any{
					"method": r.method, "path": path,
				})
				inv.Invalidate(tok)
				continue
			}
		}
		apiErr := decodeAPIError(r.method, path, resp.StatusCode, resp.Body)
		apiErr.RetryAfter = httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), c.http.Policy().Now())
		return nil, apiErr
	}
}

// getOne fetches one resource and checks its type.
func (c *Client) getOne(ctx context.Context, url, typ string) (*resourceObject, error) {
	body, err := c.do(ctx, request{method: http.MethodGet, url: url, idempotent: true})
	if err != nil {
		return nil, err
	}
	return decodeSingle(http.MethodGet, url, body, typ)
}

// patch sends a PATCH with a JSON:API document and decodes the resource in the answer. A PATCH
// sets attributes to given values, so httpx may replay it after a lost answer; creates go through
// create instead (reconcile.go).
func (c *Client) patch(ctx context.Context, url string, res outgoingResource) (*resourceObject, error) {
	body, err := encodeDocument(res)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", res.Type, err)
	}
	out, err := c.do(ctx, request{method: http.MethodPatch, url: url, body: body, idempotent: true})
	if err != nil {
		return nil, err
	}
	return decodeSingle(http.MethodPatch, url, out, res.Type)
}

// remove sends a DELETE.
func (c *Client) remove(ctx context.Context, url string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, url: url, idempotent: true})
	return err
}

func decodeSingle(method, url string, body []byte, typ string) (*resourceObject, error) {
	var doc singleDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("decoding the answer to %s %s: %w", method, pathOnly(url), err)
	}
	if doc.Data == nil {
		return nil, fmt.Errorf("decoding the answer to %s %s: no resource in the response", method, pathOnly(url))
	}
	if err := checkType(doc.Data, typ); err != nil {
		return nil, fmt.Errorf("decoding the answer to %s %s: %w", method, pathOnly(url), err)
	}
	return doc.Data, nil
}

// list reads every page of a collection (see pages).
func (c *Client) list(ctx context.Context, plural, typ string, filters [][2]string) ([]resourceObject, error) {
	var all []resourceObject
	for page, err := range c.pages(ctx, plural, typ, filters) {
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
	}
	return all, nil
}

// walk reads a collection page by page from first, handing each page's body to visit, which
// decodes it and returns the page's links.next and whether it has seen enough (a caller with a
// limit stops early instead of reading pages it would throw away). Every later URL is the
// server's links.next, followed verbatim because its cursor is opaque, but only on the configured
// host and scheme: the bearer token is sent with it, and a next link elsewhere (a misconfigured
// proxy, a hostile response) must not receive it.
func (c *Client) walk(ctx context.Context, plural, first string, visit func(body []byte) (next *string, stop bool, err error)) error {
	next := first
	seen := map[string]bool{}
	for page := 0; next != ""; page++ {
		if page >= maxPages {
			return fmt.Errorf("listing %s: more than %d pages; giving up", plural, maxPages)
		}
		if seen[next] {
			return fmt.Errorf("listing %s: the server returned a next link that was already visited; stopping to avoid a loop", plural)
		}
		seen[next] = true
		body, err := c.do(ctx, request{method: http.MethodGet, url: next, idempotent: true})
		if err != nil {
			return err
		}
		link, stop, err := visit(body)
		if err != nil {
			return fmt.Errorf("decoding a page of %s: %w", plural, err)
		}
		next = ""
		if !stop && link != nil && strings.TrimSpace(*link) != "" {
			next, err = c.resolveNext(*link)
			if err != nil {
				return fmt.Errorf("listing %s: %w", plural, err)
			}
		}
	}
	return nil
}

// resolveNext checks a links.next value and makes it absolute. An absolute link is returned as
// it is; a path-absolute one ("/api/v2/...?page[after]=...") gets the base's scheme and host
// prefixed, and nothing else is rewritten.
func (c *Client) resolveNext(next string) (string, error) {
	u, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("the server returned an unreadable next link: %v", err)
	}
	if !u.IsAbs() {
		if u.Host != "" || !strings.HasPrefix(next, "/") {
			return "", fmt.Errorf("refusing to follow next link %q: not an absolute URL or an absolute path", truncate(next, 200))
		}
		return c.baseURL.Scheme + "://" + c.baseURL.Host + next, nil
	}
	if !strings.EqualFold(u.Scheme, c.baseURL.Scheme) || !sameHost(u, c.baseURL) {
		return "", fmt.Errorf("refusing to follow next link to %s://%s: it is not the configured Outreach host %s", u.Scheme, u.Host, c.baseURL.Host)
	}
	if u.User != nil {
		return "", errors.New("refusing to follow a next link that carries user information")
	}
	return next, nil
}

// sameHost compares hosts case-insensitively, treating an omitted default port as equal to it.
func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}

// collectionURL builds the first page's URL, with the largest page size.
func (c *Client) collectionURL(plural string, filters [][2]string) string {
	return c.queryURL(plural, append([][2]string{{"page[size]", strconv.Itoa(pageSize)}}, filters...))
}

// queryURL builds a collection URL from query parameters in order. Keys are kept readable
// (filter[plugin][id]) and values are query-escaped; a parameter with an empty value is left
// out. Note that the API reads a comma in a filter value as a list.
func (c *Client) queryURL(plural string, params [][2]string) string {
	var b strings.Builder
	b.WriteString(c.apiRoot)
	b.WriteString("/")
	b.WriteString(plural)
	sep := "?"
	for _, f := range params {
		if f[1] == "" {
			continue
		}
		b.WriteString(sep)
		sep = "&"
		b.WriteString(f[0])
		b.WriteString("=")
		b.WriteString(url.QueryEscape(f[1]))
	}
	return b.String()
}

// resourceURL is the URL of one resource.
func (c *Client) resourceURL(plural string, id int64) string {
	return c.apiRoot + "/" + plural + "/" + strconv.FormatInt(id, 10)
}

// pluginFilter renders a plugin id filter; 0 means no filter.
func pluginFilter(id int64) [2]string {
	if id == 0 {
		return [2]string{"filter[plugin][id]", ""}
	}
	return [2]string{"filter[plugin][id]", strconv.FormatInt(id, 10)}
}

// pathOnly strips scheme, host and query from a URL for messages: the query may carry filter
// values, and the host is the same for every call.
func pathOnly(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.EscapedPath()
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// validID refuses ids that cannot exist, before a request is wasted on them.
func validID(kind string, id int64) error {
	if id <= 0 {
		return fmt.Errorf("invalid %s id %d: ids are positive integers", kind, id)
	}
	return nil
}
