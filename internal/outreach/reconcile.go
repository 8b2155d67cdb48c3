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

// ambiguous says whether a failed write may nevertheless have been applied: no answer at all, or a
// gateway's or server's 5xx that may have come after the work was done. A 4xx (429 included) is a
// refusal, and a failed dial never reached the server.
func ambiguous(err error) bool {
	var se *sendError
	if errors.As(err, &se) {
		var op *net.OpError
		return !errors.As(se.err, &op) || op.Op != "dial"
	}
	e, ok := AsAPIError(err)
	return ok && e.StatusCode >= 500
}

// create POSTs res to the collection plural and decodes the created resource.
//
// A create is not idempotent, so httpx never replays it after a 5xx or a lost connection. When
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
	out, err := c.do(ctx, request{method: http.MethodPost, url: url, body: body})
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
		return oka && okb && ra.Cmp(rb) == 0
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
