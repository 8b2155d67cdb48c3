package dynamics

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// virtualSleep is a Policy.Sleep on a virtual clock: it never waits, but once the virtual time
// passes ctx's deadline it reports the deadline as passed, as a real wait would.
type virtualSleep struct {
	mu    sync.Mutex
	start time.Time
	spent time.Duration
}

func (v *virtualSleep) sleep(ctx context.Context, d time.Duration) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.spent += d
	if dl, ok := ctx.Deadline(); ok && v.start.Add(v.spent).After(dl) {
		return context.DeadlineExceeded
	}
	return ctx.Err()
}

func lockingFake(t *testing.T, locks int32) (*fakeDV, *atomic.Int32) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if n.Add(1) <= locks {
			writeErr(w, 429, "0x80071151", "Cannot start another [EntityCustomization] because there is a previous [EntityCustomization] running at this moment.")
			return
		}
		w.WriteHeader(204)
	})
	return f, &n
}

func lockTestClient(t *testing.T, f *fakeDV, v *virtualSleep) *Client {
	t.Helper()
	c, err := New(Config{URL: f.srv.URL, HTTPClient: f.srv.Client(), StaticToken: testToken,
		Policy: httpx.Policy{MaxRetries: 3, Sleep: v.sleep}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLockWaitLastsUntilTheDeadline: a customization lock held for five minutes (a solution
// import) outlasts max_retries lock waits of 10 s each, but not a 20-minute resource timeout; the
// write must wait for it rather than fail.
func TestLockWaitLastsUntilTheDeadline(t *testing.T) {
	f, n := lockingFake(t, 30) // 30 refusals, at least 10 s apart: over five minutes
	v := &virtualSleep{start: time.Now()}
	c := lockTestClient(t, f, v)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := c.PublishEntity(ctx, "contact"); err != nil {
		t.Fatalf("publish gave up after %d attempts and %s of waiting: %v", n.Load(), v.spent, err)
	}
	if n.Load() != 31 {
		t.Errorf("attempts = %d, want 31", n.Load())
	}
}

// TestLockWaitStopsAtTheDeadline: the wait ends with the context, with the lock error.
func TestLockWaitStopsAtTheDeadline(t *testing.T) {
	f, n := lockingFake(t, 1000)
	v := &virtualSleep{start: time.Now()}
	c := lockTestClient(t, f, v)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := c.PublishEntity(ctx, "contact")
	if !IsCustomizationLock(err) {
		t.Fatalf("err = %v, want the lock", err)
	}
	if v.spent < 2*time.Minute-30*time.Second || n.Load() >= 1000 {
		t.Errorf("waited %s over %d attempts for a 2 minute deadline", v.spent, n.Load())
	}
}

// TestLockWaitWithoutDeadlineStopsAtMaxRetries: a caller that gave no deadline is not parked
// forever; max_retries bounds it as before.
func TestLockWaitWithoutDeadlineStopsAtMaxRetries(t *testing.T) {
	f, n := lockingFake(t, 1000)
	c := lockTestClient(t, f, &virtualSleep{start: time.Now()})
	if err := c.PublishEntity(context.Background(), "contact"); !IsCustomizationLock(err) {
		t.Fatalf("err = %v, want the lock", err)
	}
	if n.Load() != 4 {
		t.Errorf("attempts = %d, want 4 (max_retries 3)", n.Load())
	}
}
