package outreach

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// reconcileTimeout bounds the read that settles a create whose context has already ended.
const reconcileTimeout = 30 * time.Second

// sendError is a request that went out (or may have) and got no HTTP answer: a reset connection,
// a timeout, a cancelled context. It marks the failures that happened after the access token was
// obtained, so that a token error is never taken for a write whose outcome is unknown.
type sendError struct{ err error }

func (e *sendError) Error() string { return "calling Outreach: " + e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// maxUnavailableWait bounds how long a create refused with 503 keeps being sent again when the
// caller's context has no deadline of its own: Outreach's scheduled maintenance lasts minutes, and
// a run should end with a clear error rather than hang for hours.
const maxUnavailableWait = 15 * time.Minute

// ambiguous says whether a failed write may nevertheless have been applied: no answer at all, or a
// gateway's or server's 5xx that may have come after the work was done. A 4xx (429 included) is a
// refusal, a 503 is one too (see unavailable), and a failed dial never reached the server.
func ambiguous(err error) bool {
	var se *sendError
	if errors.As(err, &se) {
		var op *net.OpError
		return !errors.As(se.err, &op) || op.Op != "dial"
	}
	e, ok := AsAPIError(err)
	return ok && e.StatusCode >= 500 && e.StatusCode != http.StatusServiceUnavailable
}

// unavailable returns the 503 in err: the contract's maintenance answer (scheduledServerMaintenance,
// with Retry-After) says the request was not processed, so the same create may be sent again
// without any risk of a duplicate.
func unavailable(err error) (*APIError, bool) {
	e, ok := AsAPIError(err)
	return e, ok && e.StatusCode == http.StatusServiceUnavailable
}

// post sends a create, and sends it again while Outreach answers 503: after the server's
// Retry-After (else an exponential backoff), for as long as ctx lasts and at most
// maxUnavailableWait in all. httpx's MaxRetries does not bound this: a maintenance window is
// not a flaky request, and the resource's context is what the user set to bound it.
func (c *Client) post(ctx context.Context, url, typ string, body []byte) ([]byte, error) {
	p := c.http.Policy()
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		out, err := c.do(ctx, request{method: http.MethodPost, url: url, body: body})
		e, is503 := unavailable(err)
		if !is503 {
			return out, err
		}
		delay := min(e.RetryAfter, p.MaxRetryAfter)
		if delay <= 0 {
			delay = min(p.MinBackoff<<min(attempt, 20), p.MaxBackoff)
		}
		if waited+delay > maxUnavailableWait {
			return nil, fmt.Errorf("%w (the %s was not created: Outreach stayed unavailable for %s; apply again later)", err, typ, waited.Round(time.Second))
		}
		logf(ctx, c.policy, "Outreach is unavailable; sending the create again after the wait it asked for", map[string]any{
			"type": typ, "attempt": attempt + 1, "delay_ms": delay.Milliseconds(),
		})
		if serr := p.Sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%w (the %s was not created: stopped waiting for Outreach to come back: %v)", err, typ, serr)
		}
		waited += delay
	}
}

// create POSTs res to the collection plural and decodes the created resource.
//
// A create is not idempotent, so httpx never replays it after a 5xx or a lost connection; a 503,
// which says the create was not processed, is sent again by post. When
// its outcome is ambiguous (see ambiguous; an unreadable 2xx answer counts too, the write having
// happened) find reads back the resource that matches everything that was sent: a create whose
// answer was lost is reported as done instead of leaving an object that no state knows (and that
// the next apply would refuse as "already mapped", or duplicate). If find sees nothing the write
// did not happen, and the original error is returned: applying again is then safe, which is why
// the create is not re-sent here. When ctx has already ended the read gets a short context of its
// own, so that a write that happened is still reported.
func create[T any](ctx context.Context, c *Client, plural string, res outgoingResource,
	decode func(*resourceObject) (T, error), find func(context.Context) (*T, error)) (*T, error) {
	body, err := encodeDocument(res)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", res.Type, err)
	}
	url := c.apiRoot + "/" + plural
	out, err := c.post(ctx, url, res.Type, body)
	if err == nil {
		var r *resourceObject
		if r, err = decodeSingle(http.MethodPost, url, out, res.Type); err == nil {
			var v T
			if v, err = decode(r); err == nil {
				return &v, nil
			}
		}
	} else if !ambiguous(err) {
		return nil, err
	}

	rctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
		defer cancel()
	}
	logf(ctx, c.policy, "the answer to a create was lost; looking for the resource it may have created", map[string]any{
		"type": res.Type, "error": httpx.Redact(err.Error()),
	})
	found, ferr := find(rctx)
	switch {
	case ferr != nil:
		return nil, fmt.Errorf("%w (whether the %s was created is unknown: reading it back failed: %v; look for it in Outreach before applying again)",
			err, res.Type, ferr)
	case found == nil:
		return nil, fmt.Errorf("%w (no matching %s exists afterwards: it was not created)", err, res.Type)
	}
	return found, nil
}

// sameJSON compares two JSON values by meaning: 1 and 1.0 are equal, member order and whitespace
// do not matter. nil stands for absent or null.
func sameJSON(a, b json.RawMessage) bool {
	va, erra := decodeJSONValue(a)
	vb, errb := decodeJSONValue(b)
	if erra != nil || errb != nil {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	return equalJSONValues(va, vb)
}

func decodeJSONValue(raw json.RawMessage) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // numbers are compared exactly below, not as float64
	var v any
	err := d.Decode(&v)
	return v, err
}

func equalJSONValues(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		ra, oka := new(big.Rat).SetString(a.String())
		rb, okb := new(big.Rat).SetString(b.String())
		if oka && okb {
			return ra.Cmp(rb) == 0
		}
		// A literal too large to evaluate (1e999999999) is still equal to itself: otherwise
		// the create of a condition holding one would never be found after a lost answer.
		return a == b
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalJSONValues(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !equalJSONValues(v, w) {
				return false
			}
		}
		return true
	default: // string, bool, nil
		return a == b
	}
}
