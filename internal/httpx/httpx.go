// Package httpx is the one HTTP policy shared by the Outreach and Dataverse clients: retries with
// exponential backoff and jitter, Retry-After and X-RateLimit-Reset, a User-Agent, and debug
// logging that never carries a credential. Keeping it in one place means both APIs are retried,
// throttled and logged the same way, and a fix lands once.
package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxRetries is how often a request is retried when the provider configuration does not say.
const DefaultMaxRetries = 10

// Request is one HTTP call. Body is kept as bytes so that a retry can send it again.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent marks a request that may be replayed after a transport error or a 502/503/504.
	// GET, HEAD, PUT, PATCH and DELETE are idempotent by default; a POST only when the caller says
	// so (for example an action that is safe to repeat), because replaying a create blindly can
	// duplicate what it creates.
	Idempotent bool
}

// Response is a fully read HTTP response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts is how many times the request was sent.
	Attempts int
}

// Decision is what a Classify hook says of a response.
type Decision int

const (
	// Default lets the policy decide from the status code.
	Default Decision = iota
	// Retry retries the response even if its status would not be retried (a Dataverse
	// customization lock, whatever status it comes with).
	Retry
	// Stop returns the response as it is.
	Stop
)

// Policy configures a Client.
type Policy struct {
	// MaxRetries bounds the retries of one request (not counting the first attempt).
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff used when the server gives no delay.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps a server-given delay, so that a wrong header cannot park a run for a day;
	// the request context still bounds the whole call.
	MaxRetryAfter time.Duration
	// UserAgent is sent on every request.
	UserAgent string
	// Classify may override the retry decision for a response (called before the default rules).
	Classify func(resp *Response) Decision
	// ClassifyBackoff, when set, gives the minimum delay before retrying a response that Classify
	// marked Retry (customization locks want longer waits than throttling).
	ClassifyBackoff time.Duration
	// Log receives one line per attempt: method, path, status, duration. Never headers or bodies.
	Log func(ctx context.Context, msg string, fields map[string]any)
	// Sleep waits for d or until ctx ends; tests replace it so that no test sleeps for real.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used to read an HTTP-date Retry-After.
	Now func() time.Time
}

// Client sends Requests under a Policy.
type Client struct {
	http   *http.Client
	policy Policy
}

// New returns a Client. A nil hc means http.DefaultClient's transport with no client timeout
// (the request context bounds each call). Redirects are never followed (see refuseRedirects).
func New(hc *http.Client, p Policy) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	hc = refuseRedirects(hc)
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = 500 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 5 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = SleepContext
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return &Client{http: hc, policy: p}
}

// HTTPClient is the underlying client (for libraries such as azidentity that want a transport).
func (c *Client) HTTPClient() *http.Client { return c.http }

// Policy returns the client's policy.
func (c *Client) Policy() Policy { return c.policy }

// SleepContext waits for d or until ctx is done.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do sends req, retrying under the policy, and returns the last response. A non-2xx response is
// not an error here: each client decodes its own error bodies.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	idempotent := req.Idempotent || req.Method != http.MethodPost
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, req, attempt+1)
		if resp != nil {
			resp.Attempts = attempt + 1
		}
		retry, delay := c.decide(ctx, resp, err, idempotent)
		if !retry || attempt >= c.policy.MaxRetries {
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", req.Method, pathOf(req.URL), err)
			}
			return resp, nil
		}
		if delay <= 0 {
			delay = c.backoff(attempt)
		}
		c.log(ctx, "retrying HTTP request", map[string]any{
			"method": req.Method, "path": pathOf(req.URL), "attempt": attempt + 1, "delay_ms": delay.Milliseconds(),
		})
		if serr := c.policy.Sleep(ctx, delay); serr != nil {
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w (last error: %s)", req.Method, pathOf(req.URL), serr, Redact(err.Error()))
			}
			return nil, fmt.Errorf("%s %s: gave up waiting to retry HTTP %d: %w", req.Method, pathOf(req.URL), resp.StatusCode, serr)
		}
	}
}

func (c *Client) once(ctx context.Context, req *Request, attempt int) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if c.policy.UserAgent != "" {
		hr.Header.Set("User-Agent", c.policy.UserAgent)
	}
	start := time.Now()
	hresp, err := c.http.Do(hr)
	if err != nil {
		c.log(ctx, "HTTP request failed", map[string]any{
			"method": req.Method, "path": pathOf(req.URL), "attempt": attempt,
			"duration_ms": time.Since(start).Milliseconds(), "error": Redact(err.Error()),
		})
		return nil, err
	}
	defer hresp.Body.Close()
	b, err := io.ReadAll(hresp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading response body: %w", err)
	}
	c.log(ctx, "HTTP request", map[string]any{
		"method": req.Method, "path": pathOf(req.URL), "status": hresp.StatusCode, "attempt": attempt,
		"duration_ms": time.Since(start).Milliseconds(),
	})
	return &Response{StatusCode: hresp.StatusCode, Header: hresp.Header, Body: b}, nil
}

// decide says whether to retry and after how long.
func (c *Client) decide(ctx context.Context, resp *Response, err error, idempotent bool) (bool, time.Duration) {
	if err != nil {
		// Only the caller's context ending stops the retries. The error chain is no guide: a dial
		// timeout or the transport's response-header timeout also matches context.DeadlineExceeded
		// through errors.Is, yet it is one attempt's transient failure.
		if ctx.Err() != nil {
			return false, 0
		}
		// A dial error means nothing reached the server, so even a POST may be sent again.
		if idempotent || isDialError(err) {
			return true, 0
		}
		return false, 0
	}
	if c.policy.Classify != nil {
		switch c.policy.Classify(resp) {
		case Retry:
			d := c.serverDelay(resp)
			if d < c.policy.ClassifyBackoff {
				d = c.policy.ClassifyBackoff + jitter(c.policy.ClassifyBackoff/2)
			}
			return true, d
		case Stop:
			return false, 0
		}
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		// A throttled request was refused before it was processed: replaying it, POST included,
		// cannot duplicate anything.
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !idempotent {
			return false, 0
		}
	default:
		return false, 0
	}
	return true, c.serverDelay(resp)
}

// serverDelay reads Retry-After (seconds or HTTP date), then X-RateLimit-Reset (seconds until the
// window resets) on a 429.
func (c *Client) serverDelay(resp *Response) time.Duration {
	d := ParseRetryAfter(resp.Header.Get("Retry-After"), c.policy.Now())
	if d <= 0 && resp.StatusCode == http.StatusTooManyRequests {
		if s, err := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("X-RateLimit-Reset")), 64); err == nil {
			d = secondsToDuration(s)
		}
	}
	if d > c.policy.MaxRetryAfter {
		d = c.policy.MaxRetryAfter
	}
	return d
}

// ParseRetryAfter reads a Retry-After value: delta seconds or an HTTP date. It returns 0 when the
// value is absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return secondsToDuration(s)
	}
	for _, layout := range []string{http.TimeFormat, time.RFC1123Z, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
			return 0
		}
	}
	return 0
}

// secondsToDuration converts a delay in seconds; NaN and non-positive values give 0, and values
// beyond what a Duration holds saturate instead of wrapping to a negative (which would have
// replaced a long server-given wait by a short backoff).
func secondsToDuration(s float64) time.Duration {
	if !(s > 0) {
		return 0
	}
	if s >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}

// backoff is exponential with full jitter: a random delay in [min, min·2^attempt], capped.
func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.policy.MinBackoff << min(attempt, 20)
	if ceil <= 0 || ceil > c.policy.MaxBackoff {
		ceil = c.policy.MaxBackoff
	}
	return c.policy.MinBackoff + jitter(ceil-c.policy.MinBackoff)
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (c *Client) log(ctx context.Context, msg string, fields map[string]any) {
	if c.policy.Log != nil {
		c.policy.Log(ctx, msg, fields)
	}
}

// pathOf returns the path of a URL without its query, which may carry filter values.
func pathOf(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return "/"
	}
	return raw
}
