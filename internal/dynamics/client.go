// Package dynamics is the Dataverse (Dynamics 365) Web API client the provider uses to manage the
// custom Boolean opt-out column and to read column metadata for field mappings. It knows nothing of
// Terraform: it takes plain Go values and returns plain Go values and typed errors.
//
// Every request goes through the shared httpx policy; this package adds the Dataverse headers, a
// Classify hook that retries customization locks, per-org serialization of metadata writes, and the
// reconciliation of a create whose answer was lost.
package dynamics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// apiPath is the Web API root under the org URL. v9.2 is the current version; pinning it keeps the
// payload shapes we rely on stable.
const apiPath = "/api/data/v9.2/"

// DefaultLanguageCode is the LCID used when none is given (English, United States), the base
// language of almost every org.
const DefaultLanguageCode = 1033

// DefaultLockBackoff is the minimum wait before retrying a customization lock. Locks are held by
// imports and publishes that run for tens of seconds, so throttling-sized waits would only burn
// retries.
const DefaultLockBackoff = 10 * time.Second

// strongWindow is how long after a metadata write by this process reads ask for
// `Consistency: Strong`. Dataverse documents up to 30 s of metadata cache lag; twice that covers a
// slow propagation at the price of a small per-read cost.
const strongWindow = 2 * time.Minute

// Config configures a Client.
type Config struct {
	// URL is the org URL, e.g. https://contoso.crm.dynamics.com. https is required; http:// is
	// accepted only for loopback hosts (local emulators). Any path or trailing slash is ignored.
	URL string
	// HTTPClient carries the requests; nil means a default client (system cert pool, so
	// SSL_CERT_FILE works).
	HTTPClient *http.Client
	// Policy is the shared retry policy from the provider. The client adds its own Classify
	// (customization locks, chained before any Classify given here) and a ClassifyBackoff of
	// DefaultLockBackoff when none is set.
	Policy httpx.Policy
	// StaticToken is a ready bearer token, used when Credential is nil.
	StaticToken string
	// Credential supplies tokens for the scope Scope(URL).
	Credential azcore.TokenCredential
	// LanguageCode is the LCID whose labels fill the plain-string label fields (DisplayName,
	// TrueLabel, ...); 0 means 1033.
	LanguageCode int
}

// Client talks to one Dataverse org.
type Client struct {
	orgURL string // scheme://host, no trailing slash
	base   string // orgURL + apiPath
	scope  string
	lang   int
	token  string
	cred   azcore.TokenCredential
	reads  *httpx.Client
	writes *httpx.Client
	org    *orgState
	// policy is the effective policy (httpx defaults applied). Its Sleep, MaxRetries and backoffs
	// also drive the two waits that live above httpx because only this package can tell what a
	// response means: a create whose answer was lost, and cache lag right after a create.
	policy   httpx.Policy
	now      func() time.Time
	hostOnly string
	// shared holds the per-table Boolean column lists (boolean_list.go). Per Client, that is per
	// provider configuration: a new command reads afresh.
	shared booleanLists
}

// New validates cfg and returns a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	u, err := parseOrgURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Credential == nil && cfg.StaticToken == "" {
		return nil, errors.New("dynamics: no credential: give an access token or an Entra ID credential")
	}
	lang := cfg.LanguageCode
	if lang == 0 {
		lang = DefaultLanguageCode
	}
	org := u.Scheme + "://" + u.Host
	c := &Client{
		orgURL:   org,
		base:     org + apiPath,
		scope:    org + "/.default",
		lang:     lang,
		token:    cfg.StaticToken,
		cred:     cfg.Credential,
		org:      orgFor(u.Host),
		now:      time.Now,
		hostOnly: u.Host,
	}
	if cfg.Policy.Now != nil {
		c.now = cfg.Policy.Now
	}
	hc := cfg.HTTPClient
	if hc == nil {
		// A fresh client rather than http.DefaultClient, so nothing else in the process can change
		// its transport under us; the zero Transport uses the system roots (and SSL_CERT_FILE).
		hc = &http.Client{}
	}
	p := cfg.Policy
	if p.ClassifyBackoff <= 0 {
		p.ClassifyBackoff = DefaultLockBackoff
	}
	c.writes = httpx.New(hc, withClassify(p, classifyWrite))
	c.policy = c.writes.Policy()
	c.reads = httpx.New(hc, withClassify(p, classifyRead))
	return c, nil
}

// withClassify returns p with ours chained in front of the caller's hook: a lock is retried whatever
// the caller's hook would say, anything else is left to it.
func withClassify(p httpx.Policy, ours func(*httpx.Response) httpx.Decision) httpx.Policy {
	theirs := p.Classify
	p.Classify = func(r *httpx.Response) httpx.Decision {
		if d := ours(r); d != httpx.Default {
			return d
		}
		if theirs != nil {
			return theirs(r)
		}
		return httpx.Default
	}
	return p
}

// URL returns the org URL as scheme://host, without a trailing slash.
func (c *Client) URL() string { return c.orgURL }

// Scope returns the OAuth scope for an org URL: "<scheme>://<host>/.default", the form a confidential
// client must use for Dataverse.
func Scope(orgURL string) (string, error) {
	u, err := parseOrgURL(orgURL)
	if err != nil {
		return "", err
	}
	return u.Scheme + "://" + u.Host + "/.default", nil
}

// parseOrgURL checks the scheme rule and normalizes the host to lower case.
func parseOrgURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("dynamics: the Dataverse URL is empty")
	}
	// The URL is quoted in errors only through httpx.RedactURL: userinfo may be a credential, and
	// a URL that fails an earlier check still carries it.
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("dynamics: invalid Dataverse URL %q: %v", httpx.RedactURL(raw), httpx.URLParseReason(err))
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("dynamics: invalid Dataverse URL %q: want https://<org>.crm.dynamics.com", httpx.RedactURL(raw))
	}
	if u.User != nil {
		return nil, fmt.Errorf("dynamics: the Dataverse URL must not carry credentials")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	switch u.Scheme {
	case "https":
	case "http":
		// A bearer token must not cross the network in clear text; plain http is only for an
		// emulator on this machine.
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("dynamics: the Dataverse URL %s must use https (http is accepted only for loopback hosts)", u.Scheme+"://"+u.Host)
		}
	default:
		return nil, fmt.Errorf("dynamics: invalid Dataverse URL %q: the scheme must be https", httpx.RedactURL(raw))
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// orgState is what all Clients of one process share for one org.
type orgState struct {
	// writeSem serializes metadata writes: Dataverse runs one customization at a time and answers
	// a second one with a lock error, so queueing here saves a lock/backoff round trip. A channel
	// rather than a sync.Mutex so that waiting honours the context.
	writeSem chan struct{}
	mu       sync.Mutex
	// lastWrite is when this process last changed metadata in the org; reads soon after ask for
	// strong consistency.
	lastWrite time.Time
	// created records when this process created a column ("entity/attribute"). A 404 for such a
	// column within strongWindow is metadata cache lag, which even Consistency: Strong does not
	// always hide, so reads of it are retried instead of reporting it gone.
	created map[string]time.Time
	// tableWrites counts this process's metadata writes per table, so that a shared column list
	// read before one of them is not used after it.
	tableWrites map[string]uint64
}

// noteTableWrite records a metadata write (attempted or done) to a table.
func (s *orgState) noteTableWrite(entity string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tableWrites == nil {
		s.tableWrites = map[string]uint64{}
	}
	s.tableWrites[entity]++
}

// writeGeneration is the number of metadata writes this process has made to a table.
func (s *orgState) writeGeneration(entity string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tableWrites[entity]
}

var (
	orgsMu sync.Mutex
	orgs   = map[string]*orgState{}
)

// orgFor returns the shared state for an org host (host[:port], lower case).
func orgFor(host string) *orgState {
	orgsMu.Lock()
	defer orgsMu.Unlock()
	s, ok := orgs[host]
	if !ok {
		s = &orgState{writeSem: make(chan struct{}, 1), created: map[string]time.Time{}}
		orgs[host] = s
	}
	return s
}

// lockWrites takes the org's write lock, or gives up when ctx ends.
func (c *Client) lockWrites(ctx context.Context) (unlock func(), err error) {
	select {
	case c.org.writeSem <- struct{}{}:
		return func() {
			c.org.mu.Lock()
			c.org.lastWrite = c.now()
			c.org.mu.Unlock()
			<-c.org.writeSem
		}, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("dynamics: waiting for another metadata change in %s: %w", c.hostOnly, ctx.Err())
	}
}

// recentlyWritten says whether this process changed metadata in the org within strongWindow.
func (c *Client) recentlyWritten() bool {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	return !c.org.lastWrite.IsZero() && c.now().Sub(c.org.lastWrite) < strongWindow
}

// noteCreated records that this process created entity.attr just now.
func (c *Client) noteCreated(entity, attr string) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	now := c.now()
	for k, t := range c.org.created {
		if now.Sub(t) >= strongWindow {
			delete(c.org.created, k) // keep the map from growing in a long-lived process
		}
	}
	c.org.created[entity+"/"+attr] = now
}

// forgetCreated drops the record once the column is deleted, so that its absence is reported.
func (c *Client) forgetCreated(entity, attr string) {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	delete(c.org.created, entity+"/"+attr)
}

func (c *Client) justCreated(entity, attr string) bool {
	c.org.mu.Lock()
	defer c.org.mu.Unlock()
	t, ok := c.org.created[entity+"/"+attr]
	return ok && c.now().Sub(t) < strongWindow
}

// readAttribute sends a read of one column. A 404 for a column this process has just created is
// metadata-cache lag (Dataverse documents up to 30 s), not a deletion, so it is retried with
// backoff while the column counts as just created (strongWindow). An ordinary read gives up after
// MaxRetries, so that a column deleted by someone else soon after is reported gone promptly; the
// read-back of a create (cl.waitForLag) waits as long as its context lives, which carries the
// create timeout (lagMaxAttempts only keeps a clock that does not move, in tests, from spinning).
func (c *Client) readAttribute(ctx context.Context, cl call, entity, attr string) (*httpx.Response, error) {
	limit := c.policy.MaxRetries
	if cl.waitForLag {
		limit = lagMaxAttempts
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.do(ctx, cl)
		if err == nil || !IsNotFound(err) || attempt >= limit || !c.justCreated(entity, attr) {
			return resp, err
		}
		if serr := c.policy.Sleep(ctx, c.lagBackoff(attempt)); serr != nil {
			return nil, errors.Join(err, serr)
		}
	}
}

// lagMaxAttempts bounds the cache-lag retries of a create's read-back.
const lagMaxAttempts = 20

// lagBackoff doubles from the policy's minimum backoff up to its maximum; cache propagation takes
// seconds, so no jitter is needed to spread load.
func (c *Client) lagBackoff(attempt int) time.Duration {
	d := c.policy.MinBackoff << min(attempt, 20)
	if d <= 0 || d > c.policy.MaxBackoff {
		d = c.policy.MaxBackoff
	}
	return d
}

// call describes one Web API request.
type call struct {
	method string
	path   string // relative to the API root, built from validated names so it needs no escaping
	query  string // raw OData query (no leading '?'), built from validated names
	body   any
	strong bool
	// solution adds MSCRM.SolutionUniqueName.
	solution string
	// mergeLabels adds MSCRM.MergeLabels: true.
	mergeLabels bool
	// idempotent lets httpx replay a POST action that is safe to repeat.
	idempotent bool
	write      bool
	// waitForLag lets readAttribute wait out metadata-cache lag until the context ends.
	waitForLag bool
}

// do sends a call and returns the response when it is a 2xx, else an *Error.
func (c *Client) do(ctx context.Context, cl call) (*httpx.Response, error) {
	u := c.base + cl.path
	if cl.query != "" {
		u += "?" + cl.query
	}
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("OData-MaxVersion", "4.0")
	h.Set("OData-Version", "4.0")
	// Overrides cached results for expanded collections (documented for every request).
	h.Set("If-None-Match", "null")
	tok, err := c.accessToken(ctx)
	if err != nil {
		return nil, err
	}
	h.Set("Authorization", "Bearer "+tok)
	// Writes always ask for the latest definitions: Dataverse resolves the column a PUT,
	// DELETE or UpdateOptionValue names through the metadata cache, which lags a change by up to
	// 30 s, so without it a write right after a create (ours or another process's) answers 404.
	// Microsoft's own metadata helpers send it on every write.
	if cl.strong || cl.write || c.recentlyWritten() {
		h.Set("Consistency", "Strong")
	}
	if cl.solution != "" {
		h.Set("MSCRM.SolutionUniqueName", cl.solution)
	}
	if cl.mergeLabels {
		h.Set("MSCRM.MergeLabels", "true")
	}
	var body []byte
	if cl.body != nil {
		if body, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("dynamics: encoding %s %s: %w", cl.method, cl.path, err)
		}
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	hc := c.reads
	if cl.write {
		hc = c.writes
	}
	resp, err := c.sendWaitingOutLocks(ctx, hc, &httpx.Request{Method: cl.method, URL: u, Header: h, Body: body, Idempotent: cl.idempotent})
	if err != nil {
		return nil, &TransportError{Op: cl.method + " " + cl.path, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, decodeError(cl.method+" "+cl.path, resp)
	}
	return resp, nil
}

// accessToken returns the bearer token for the org. azidentity caches and refreshes tokens, so
// asking on every request costs nothing once a token is held.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if c.cred == nil {
		return c.token, nil
	}
	tk, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	if err != nil {
		return "", &TokenError{Scope: c.scope, Err: err, summary: entraSummary(err)}
	}
	if tk.Token == "" {
		return "", &TokenError{Scope: c.scope, Err: errors.New("the credential returned an empty token")}
	}
	return tk.Token, nil
}

// TokenError is a failure to get an access token. Its text is redacted (azidentity errors quote the
// token endpoint's answer); Unwrap still gives the credential's own error for errors.As.
type TokenError struct {
	Scope string
	Err   error
	// summary is the one-line reason Entra ID gave, when it answered with an OAuth error.
	summary string
}

// Error is one line when Entra ID gave an OAuth error (azidentity's own text is a multi-line dump
// of the response), else the credential's message; both are redacted.
func (e *TokenError) Error() string {
	msg := e.summary
	if msg == "" {
		msg = e.Err.Error()
	}
	return "dynamics: getting an access token for " + e.Scope + ": " + httpx.Redact(msg)
}

// entraSummary reads the OAuth error of a failed token request: "Entra ID answered HTTP 401:
// invalid_client: AADSTS7000215: ...". It returns "" when err carries no such response.
func entraSummary(err error) string {
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) || af.RawResponse == nil {
		return ""
	}
	body, rerr := runtime.Payload(af.RawResponse)
	if rerr != nil {
		return ""
	}
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oe) != nil || oe.Error == "" {
		return ""
	}
	s := fmt.Sprintf("Entra ID answered HTTP %d: %s", af.RawResponse.StatusCode, oe.Error)
	if oe.Description != "" {
		s += ": " + strings.Join(strings.Fields(oe.Description), " ")
	}
	return s
}

func (e *TokenError) Unwrap() error { return e.Err }

// TransportError is a request that got no HTTP answer (connection failure, timeout, context end)
// after the policy's retries. For a create it means the column may or may not exist.
type TransportError struct {
	Op  string
	Err error
}

func (e *TransportError) Error() string {
	return "dynamics: " + e.Op + ": " + httpx.Redact(e.Err.Error())
}

func (e *TransportError) Unwrap() error { return e.Err }
