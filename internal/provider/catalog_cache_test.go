package provider

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// catalogServer answers pluginFields lists; the lead catalog hangs until release is closed (a
// throttled read), every other object answers at once.
func catalogServer(t *testing.T, release <-chan struct{}, leadLists *atomic.Int64) *outreach.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj := r.URL.Query().Get("filter[crmObject]")
		if obj == "lead" {
			leadLists.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/vnd.api+json")
		_, _ = w.Write([]byte(`{"data":[{"type":"pluginField","id":1,"attributes":{"crmObject":"` + obj +
			`","side":"crm","name":"donotemail","label":"Do not email","type":"boolean","writable":true}}]}`))
	}))
	t.Cleanup(srv.Close)
	return fakeOutreachClient(t, srv)
}

// fakeOutreachClient is a client of srv with a static token and no retries.
func fakeOutreachClient(t *testing.T, srv *httptest.Server) *outreach.Client {
	t.Helper()
	c, err := outreach.New(outreach.Config{BaseURL: srv.URL, Auth: outreach.StaticToken("t"), Policy: httpx.Policy{MaxRetries: 0}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A slow read of one object's catalog must hold up neither another object's check nor a caller
// that gives up: the cache once held one mutex across the HTTP call for every object.
func TestCatalogCacheSlowObjectDoesNotBlockOthers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var leadLists atomic.Int64
	c := catalogServer(t, release, &leadLists)
	cache := newCatalogCache()

	leadDone := make(chan error, 1)
	go func() {
		_, err := cache.Fields(context.Background(), c, 1, "lead")
		leadDone <- err
	}()
	for leadLists.Load() == 0 {
		time.Sleep(time.Millisecond) // wait for the lead read to be in flight (no timing asserted)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fields, err := cache.Fields(ctx, c, 1, "contact")
	if err != nil || len(fields) != 1 || fields[0].CRMObject != "contact" {
		t.Fatalf("contact catalog while lead's read hangs: %v, %v", fields, err)
	}

	// A second lead caller joins the read in flight and leaves when its context ends.
	cctx, ccancel := context.WithCancel(context.Background())
	joined := make(chan error, 1)
	go func() {
		_, err := cache.Fields(cctx, c, 1, "lead")
		joined <- err
	}()
	ccancel()
	if err := <-joined; !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled caller must stop waiting with context.Canceled, got %v", err)
	}
	select {
	case err := <-leadDone:
		t.Fatalf("the first lead read ended early: %v", err)
	default:
	}
	if n := leadLists.Load(); n != 1 {
		t.Fatalf("lead catalog read %d times, want 1 (single flight)", n)
	}
}

// Concurrent callers of one key share one load; a caller left alone cancels it.
func TestFlightGroupSharesOneLoadAndCancelsWhenAbandoned(t *testing.T) {
	g := newFlightGroup[string, int]()
	var loads atomic.Int64
	started, release := make(chan struct{}), make(chan struct{})
	load := func(ctx context.Context) (int, error) {
		if loads.Add(1) == 1 {
			close(started)
		}
		select {
		case <-release:
			return 42, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	var wg sync.WaitGroup
	results := make(chan int, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := g.Get(context.Background(), "k", load)
			if err != nil {
				t.Error(err)
			}
			results <- v
		}()
	}
	<-started
	close(release)
	wg.Wait()
	close(results)
	for v := range results {
		if v != 42 {
			t.Fatalf("got %d, want 42", v)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Fatalf("%d loads for 10 concurrent callers, want 1", n)
	}

	// An abandoned load is cancelled and not cached: the next caller loads again.
	loadCtxDone := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-loadCtxDone }()
	go cancel()
	_, err := g.Get(ctx, "other", func(ctx context.Context) (int, error) {
		<-ctx.Done()
		close(loadCtxDone)
		return 0, ctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned caller: %v", err)
	}
	<-loadCtxDone // the load saw its context cancelled
	v, err := g.Get(context.Background(), "other", func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("after an abandoned load the next caller must load again: %d, %v", v, err)
	}
}
