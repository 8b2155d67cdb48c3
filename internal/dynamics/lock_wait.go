package dynamics

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// sendWaitingOutLocks sends req through hc and waits out customization locks. A lock lasts as long
// as the import or publish that holds it, up to half an hour (facts 3.8), so max_retries waits of
// ClassifyBackoff (a couple of minutes) are the wrong bound: when ctx has a deadline (every
// resource operation carries its timeout) the request is sent again until the lock is gone or
// the next wait would pass the deadline. Without a deadline MaxRetries bounds the waits, so that
// nothing is parked forever. The request was refused before any change, so even a create may be
// sent again. On giving up, the last lock answer is returned for the caller to report.
func (c *Client) sendWaitingOutLocks(ctx context.Context, hc *httpx.Client, req *httpx.Request) (*httpx.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := hc.Do(ctx, req)
		if err != nil || !c.waitOutLock(ctx, resp, attempt) {
			return resp, err
		}
	}
}

// waitOutLock reports whether resp is a lock worth asking again about, after waiting for it. It
// says no when resp is not a lock, when the attempts without a deadline are used up, or when the
// wait would pass (or was cut by) the deadline: the lock answer is then the result.
func (c *Client) waitOutLock(ctx context.Context, resp *httpx.Response, attempt int) bool {
	if resp.StatusCode < 400 || !isLock(decodeError("", resp)) {
		return false
	}
	d := c.lockDelay(resp)
	if dl, bounded := ctx.Deadline(); !bounded {
		if attempt >= c.policy.MaxRetries {
			return false
		}
	} else if c.now().Add(d).After(dl) {
		return false
	}
	return c.policy.Sleep(ctx, d) == nil
}

// lockDelay is the wait before asking again: the server's Retry-After when it gives a longer one,
// else ClassifyBackoff plus up to half of it again, so that several waiting writers do not all
// come back at once.
func (c *Client) lockDelay(resp *httpx.Response) time.Duration {
	d := c.policy.ClassifyBackoff + time.Duration(rand.Int64N(int64(c.policy.ClassifyBackoff/2)+1))
	if ra := httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), c.now()); ra > d && ra <= c.policy.MaxRetryAfter {
		d = ra
	}
	return d
}
