package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestRedirectsAreNotFollowed: neither API redirects, and following one would send the request,
// its body and (on the same host) its Authorization header somewhere nobody configured. The 3xx
// comes back to the caller as it is, once, and the target is never asked.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte("followed"))
	}))
	defer target.Close()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var calls atomic.Int32
		origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			http.Redirect(w, r, target.URL+"/stolen", status)
		}))
		rec := &recorder{}
		// A caller-supplied client that would follow redirects is not trusted to refuse them.
		caller := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		p := Policy{Sleep: rec.sleep, MaxRetries: 3}
		h := http.Header{"Authorization": {"Bearer secret-token"}}
		resp, err := New(caller, p).Do(context.Background(), &Request{Method: http.MethodGet, URL: origin.URL + "/x", Header: h})
		origin.Close()
		if err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		if resp.StatusCode != status || calls.Load() != 1 || len(rec.delays) != 0 {
			t.Errorf("%d: got status %d after %d calls and %d retries, want the redirect itself, once", status, resp.StatusCode, calls.Load(), len(rec.delays))
		}
		if caller.CheckRedirect == nil {
			t.Errorf("%d: the caller's client was modified", status)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the redirect target was called %d times", n)
	}
}
