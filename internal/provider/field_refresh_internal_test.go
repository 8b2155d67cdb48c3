package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// refreshServer is a plugin whose catalog lists column new_salesoptout only after its listAfter-th
// refreshFields, as a plugin reading Dataverse without strong consistency may.
func refreshServer(t *testing.T, listAfter int64, refreshes *atomic.Int64) *outreach.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/actions/refreshFields") {
			refreshes.Add(1)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.api+json")
		data := `[]`
		if refreshes.Load() >= listAfter {
			data = `[{"type":"pluginField","id":1,"attributes":{"crmObject":"contact","side":"crm","name":"new_salesoptout","type":"boolean","writable":true}}]`
		}
		_, _ = w.Write([]byte(`{"data":` + data + `}`))
	}))
	t.Cleanup(srv.Close)
	return fakeOutreachClient(t, srv)
}

// Many resources of one apply waiting for new columns of one plugin share each refresh.
func TestRefreshFieldsSingleFlightPerPlugin(t *testing.T) {
	var refreshes atomic.Int64
	c := refreshServer(t, 1, &refreshes)
	cache := newCatalogCache()
	mark := cache.refreshMark(1)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cache.refreshFieldsUntil(context.Background(), c, 1, "contact", "new_salesoptout", mark); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := refreshes.Load(); n != 1 {
		t.Fatalf("20 resources waiting for one plugin sent %d refreshFields, want 1", n)
	}
	// A write refused after that refresh began needs a new one.
	if err := cache.refreshFieldsUntil(context.Background(), c, 1, "contact", "new_salesoptout", cache.refreshMark(1)); err != nil {
		t.Fatal(err)
	}
	if n := refreshes.Load(); n != 2 {
		t.Fatalf("a refusal after the last refresh started must refresh again: %d refreshes, want 2", n)
	}
}

// The plugin lists the column only after its third refresh: the provider refreshes again with
// growing waits, through the injectable sleep, and stops at the deadline.
func TestRefreshFieldsPollsWithBackoff(t *testing.T) {
	var waits []time.Duration
	old := fieldRefreshSleep
	fieldRefreshSleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	defer func() { fieldRefreshSleep = old }()

	var refreshes atomic.Int64
	c := refreshServer(t, 3, &refreshes)
	cache := newCatalogCache()
	if err := cache.refreshFieldsUntil(context.Background(), c, 1, "contact", "new_salesoptout", cache.refreshMark(1)); err != nil {
		t.Fatal(err)
	}
	if n := refreshes.Load(); n != 3 {
		t.Fatalf("%d refreshes, want 3", n)
	}
	if len(waits) != 2 || waits[0] != fieldRefreshFirstWait || waits[1] != 2*fieldRefreshFirstWait {
		t.Fatalf("waits %v, want %v then %v", waits, fieldRefreshFirstWait, 2*fieldRefreshFirstWait)
	}

	// Never listed: the poll ends when the time is up, without an error of its own (the write is
	// tried once more and Outreach's 422 names the column).
	waits = nil
	fieldRefreshSleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		if len(waits) == 3 {
			return context.DeadlineExceeded
		}
		return nil
	}
	var none atomic.Int64
	never := newCatalogCache()
	if err := never.refreshFieldsUntil(context.Background(), refreshServer(t, 1<<40, &none), 1, "contact", "new_salesoptout", 0); err != nil {
		t.Fatalf("a poll out of time must leave the verdict to the write, got %v", err)
	}
	if n := none.Load(); n != 3 {
		t.Fatalf("%d refreshes before the time ran out, want 3", n)
	}
}
