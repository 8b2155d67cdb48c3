package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recorder collects the delays the policy asked for instead of sleeping.
type recorder struct{ delays []time.Duration }

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.delays = append(r.delays, d)
	return ctx.Err()
}

func newTestClient(rec *recorder, p Policy) *Client {
	p.Sleep = rec.sleep
	if p.MaxRetries == 0 {
		p.MaxRetries = 3
	}
	return New(nil, p)
}

func TestRetryAfterSecondsHonoured(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	rec := &recorder{}
	resp, err := newTestClient(rec, Policy{}).Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL + "/x"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || string(resp.Body) != "ok" || resp.Attempts != 2 {
		t.Fatalf("got status %d body %q attempts %d", resp.StatusCode, resp.Body, resp.Attempts)
	}
	if len(rec.delays) != 1 || rec.delays[0] != 7*time.Second {
		t.Fatalf("delays = %v, want [7s]", rec.delays)
	}
}

func TestRetryAfterHTTPDateAndRateLimitReset(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"http date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{"rate limit reset", map[string]string{"X-RateLimit-Reset": "12"}, 12 * time.Second},
		{"cap", map[string]string{"Retry-After": "86400"}, 5 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					for k, v := range tc.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(http.StatusTooManyRequests)
				}
			}))
			defer srv.Close()
			rec := &recorder{}
			c := newTestClient(rec, Policy{Now: func() time.Time { return now }})
			if _, err := c.Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL}); err != nil {
				t.Fatal(err)
			}
			if len(rec.delays) != 1 || rec.delays[0] != tc.want {
				t.Fatalf("delays = %v, want [%v]", rec.delays, tc.want)
			}
		})
	}
}

func TestPostNotReplayedOn503ButOn429(t *testing.T) {
	for _, tc := range []struct {
		status    int
		wantCalls int32
	}{{http.StatusServiceUnavailable, 1}, {http.StatusBadGateway, 1}, {http.StatusTooManyRequests, 2}} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(tc.status)
			}
		}))
		rec := &recorder{}
		resp, err := newTestClient(rec, Policy{}).Do(context.Background(), &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte("{}")})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if calls.Load() != tc.wantCalls {
			t.Errorf("status %d: POST sent %d times, want %d (final status %d)", tc.status, calls.Load(), tc.wantCalls, resp.StatusCode)
		}
	}
}

func TestIdempotentRetriedOn5xxUntilMaxRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	rec := &recorder{}
	resp, err := newTestClient(rec, Policy{MaxRetries: 4, MinBackoff: time.Second, MaxBackoff: 8 * time.Second}).
		Do(context.Background(), &Request{Method: http.MethodDelete, URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || calls.Load() != 5 {
		t.Fatalf("status %d after %d calls, want 503 after 5", resp.StatusCode, calls.Load())
	}
	for i, d := range rec.delays {
		if d < time.Second || d > 8*time.Second {
			t.Errorf("delay %d = %v, outside [1s, 8s]", i, d)
		}
	}
}

func TestBodyResentOnRetry(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		bodies = append(bodies, string(b[:n]))
		if len(bodies) == 1 {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	if _, err := newTestClient(&recorder{}, Policy{}).Do(context.Background(), &Request{Method: http.MethodPatch, URL: srv.URL, Body: []byte(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || bodies[0] != `{"a":1}` || bodies[1] != `{"a":1}` {
		t.Fatalf("bodies = %q", bodies)
	}
}

func TestClassifyRetriesAnyStatusWithLongerBackoff(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"code":"0x80071151","message":"locked"}}`))
		}
	}))
	defer srv.Close()
	rec := &recorder{}
	c := newTestClient(rec, Policy{
		ClassifyBackoff: 10 * time.Second,
		Classify: func(r *Response) Decision {
			if strings.Contains(string(r.Body), "0x80071151") {
				return Retry
			}
			return Default
		},
	})
	resp, err := c.Do(context.Background(), &Request{Method: http.MethodPost, URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || calls.Load() != 3 {
		t.Fatalf("status %d after %d calls", resp.StatusCode, calls.Load())
	}
	for _, d := range rec.delays {
		if d < 10*time.Second {
			t.Errorf("lock retry delay %v shorter than the classify backoff", d)
		}
	}
}

func TestContextBoundsRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c := New(nil, Policy{MaxRetries: 10, Sleep: func(context.Context, time.Duration) error {
		cancel()
		return context.Canceled
	}})
	_, err := c.Do(ctx, &Request{Method: http.MethodGet, URL: srv.URL})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestDialErrorRetriedEvenForPost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens: every dial is refused
	rec := &recorder{}
	_, err = newTestClient(rec, Policy{MaxRetries: 2}).Do(context.Background(), &Request{Method: http.MethodPost, URL: "http://" + addr + "/x"})
	if err == nil {
		t.Fatal("expected an error")
	}
	if len(rec.delays) != 2 {
		t.Fatalf("retried %d times, want 2", len(rec.delays))
	}
}

func TestLogCarriesNoSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"access_token":"s3cr3t-token"}`))
	}))
	defer srv.Close()
	var lines []string
	c := New(nil, Policy{UserAgent: "terraform-provider-outreach/test", Log: func(_ context.Context, msg string, f map[string]any) {
		var b strings.Builder
		b.WriteString(msg)
		for k, v := range f {
			b.WriteString(" " + k + "=")
			fmt.Fprint(&b, v)
		}
		lines = append(lines, b.String())
	}})
	_, err := c.Do(context.Background(), &Request{
		Method: http.MethodPost, URL: srv.URL + "/oauth/token?client_secret=abc123",
		Header: http.Header{"Authorization": {"Bearer s3cr3t-token"}},
		Body:   []byte("client_secret=abc123&refresh_token=r3fr3sh"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatal("no log lines")
	}
	for _, l := range lines {
		for _, secret := range []string{"s3cr3t-token", "abc123", "r3fr3sh"} {
			if strings.Contains(l, secret) {
				t.Errorf("log line leaks %q: %s", secret, l)
			}
		}
		if !strings.Contains(l, "path=/oauth/token") || !strings.Contains(l, "method=POST") {
			t.Errorf("log line lacks method/path: %s", l)
		}
	}
}

func TestRedact(t *testing.T) {
	in := `Authorization: Bearer eyJabc.def refresh_token=abc&client_secret=xyz {"access_token":"tok","x":1}`
	out := Redact(in)
	for _, s := range []string{"eyJabc.def", "=abc", "xyz", `"tok"`} {
		if strings.Contains(out, s) {
			t.Errorf("Redact left %q in %q", s, out)
		}
	}
	if !strings.Contains(out, `"x":1`) {
		t.Errorf("Redact removed non-secret content: %q", out)
	}
}

// BenchmarkDo measures the policy's overhead on a successful request over loopback.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":[]}`))
	}))
	defer srv.Close()
	c := New(nil, Policy{UserAgent: "bench", Log: func(context.Context, string, map[string]any) {}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(ctx, &Request{Method: http.MethodGet, URL: srv.URL + "/api/v2/pluginFieldMappings"}); err != nil {
			b.Fatal(err)
		}
	}
}

// A transport-level timeout (the dialer's, or the transport's ResponseHeaderTimeout) matches
// context.DeadlineExceeded through errors.Is, but it is a transient failure of one attempt, not
// the end of the caller's context: it must be retried. A dial timeout sent nothing, so even a POST
// may be sent again.
func TestTransportTimeoutRetriedWhileContextLives(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		var dials atomic.Int32
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := net.Dialer{}
			if dials.Add(1) == 1 {
				d.Timeout = time.Nanosecond // an expired dial deadline: "dial tcp ...: i/o timeout"
			}
			return d.DialContext(ctx, network, addr)
		}}
		rec := &recorder{}
		p := Policy{MaxRetries: 3, Sleep: rec.sleep}
		resp, err := New(&http.Client{Transport: tr}, p).Do(context.Background(), &Request{Method: method, URL: srv.URL})
		tr.CloseIdleConnections()
		if err != nil {
			t.Fatalf("%s: a dial timeout was not retried: %v", method, err)
		}
		if resp.StatusCode != 200 || resp.Attempts != 2 || len(rec.delays) != 1 {
			t.Fatalf("%s: status %d, attempts %d, delays %v", method, resp.StatusCode, resp.Attempts, rec.delays)
		}
	}
}

func TestResponseHeaderTimeoutRetriedForIdempotent(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-release // hang until the client has given up on this attempt
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	defer close(release)
	tr := &http.Transport{ResponseHeaderTimeout: 20 * time.Millisecond}
	defer tr.CloseIdleConnections()
	rec := &recorder{}
	resp, err := New(&http.Client{Transport: tr}, Policy{MaxRetries: 3, Sleep: rec.sleep}).
		Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL})
	if err != nil {
		t.Fatalf("a response-header timeout on a GET was not retried: %v", err)
	}
	if resp.StatusCode != 200 || calls.Load() < 2 {
		t.Fatalf("status %d after %d calls", resp.StatusCode, calls.Load())
	}
}

func TestHugeRetryAfterIsCappedNotWrapped(t *testing.T) {
	for _, v := range []string{"1e30", "99999999999999999999", "+Inf"} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set("Retry-After", v)
				w.WriteHeader(http.StatusTooManyRequests)
			}
		}))
		rec := &recorder{}
		_, err := newTestClient(rec, Policy{MaxRetryAfter: time.Minute}).Do(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.delays) != 1 || rec.delays[0] != time.Minute {
			t.Errorf("Retry-After %s: delays = %v, want the 1m cap", v, rec.delays)
		}
	}
	if d := ParseRetryAfter("NaN", time.Now()); d != 0 {
		t.Errorf("ParseRetryAfter(NaN) = %v, want 0", d)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@host/x?q=a@b": "https://[REDACTED]@host/x?q=a@b",
		"user:pw@host":                 "[REDACTED]@host",
		"https://u:p/w@host":           "https://[REDACTED]@host",
		"https://host/x":               "https://host/x",
		"":                             "",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
