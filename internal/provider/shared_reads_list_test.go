package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// mappingListServer answers pluginFieldMappings lists of one object with mappings 3, 1 and 2, in
// that order, and counts the requests.
func mappingListServer(t *testing.T, requests *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/api/v2/pluginFieldMappings" {
			http.Error(w, "unexpected "+r.URL.Path, http.StatusNotFound)
			return
		}
		var items []string
		for _, id := range []int{3, 1, 2} {
			items = append(items, fmt.Sprintf(`{"type":"pluginFieldMapping","id":%d,"attributes":{"crmObject":"lead",`+
				`"outreachField":"custom%d","crmField":"new_f%d","updatesIn":true,"updatesOut":true}}`, id, id, id))
		}
		w.Header().Set("Content-Type", "application/vnd.api+json")
		_, _ = w.Write([]byte(`{"data":[` + strings.Join(items, ",") + `]}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A reader of a whole list (the coverage data source) gets the list a refresh of the same command
// already read instead of listing again; with shared reads off it lists each time. Both give id order.
func TestSharedReadsWholeListReusesTheRefreshList(t *testing.T) {
	for _, tc := range []struct {
		enabled bool
		want    int64 // requests after one Read and two whole-list readers
	}{
		{enabled: true, want: 1},
		{enabled: false, want: 3},
	} {
		t.Run(fmt.Sprintf("shared=%v", tc.enabled), func(t *testing.T) {
			var requests atomic.Int64
			c := fakeOutreachClient(t, mappingListServer(t, &requests))
			s := newSharedReads(tc.enabled)
			ctx := context.Background()
			if tc.enabled {
				if _, err := s.FieldMapping(ctx, c, 1, "lead", 2); err != nil {
					t.Fatal(err)
				}
			} else if _, err := s.FieldMappings(ctx, c, 1, "lead"); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, err := s.FieldMappings(ctx, c, 1, "lead")
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, m := range got {
					ids = append(ids, m.ID)
				}
				if fmt.Sprint(ids) != "[1 2 3]" {
					t.Fatalf("ids = %v, want [1 2 3] (id order in both modes)", ids)
				}
			}
			if n := requests.Load(); n != tc.want {
				t.Fatalf("%d requests, want %d", n, tc.want)
			}
		})
	}
}
