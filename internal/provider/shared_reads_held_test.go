package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// dropFirstPost fails the first POST before it is sent, as a connection reset would: a create
// whose outcome the client cannot know, which it reconciles by listing.
type dropFirstPost struct{ dropped atomic.Bool }

func (d *dropFirstPost) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && d.dropped.CompareAndSwap(false, true) {
		return nil, errors.New("read: connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(req)
}

// A condition a resource of this process holds must never be adopted by another resource's lost
// create, however its Read was served. The client records the conditions it hands out
// (GetSyncCondition); a Read served from the shared list must record its condition too, or an
// identical condition created minutes ago by another apply and refreshed here looks like the
// lost create's own.
func TestSharedReadsConditionReadIsHeldAgainstReconcile(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(map[bool]string{true: "shared", false: "per resource"}[shared], func(t *testing.T) {
			sb, err := sandbox.Start(sandbox.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			ctx := context.Background()
			same := outreach.SyncCondition{PluginID: 1, CRMObject: "lead", Trigger: "polling",
				Field: "donotemail", Operator: "equals", Value: json.RawMessage(`false`)}

			// Created by an earlier apply (another provider process), a minute ago.
			earlier, err := outreach.New(outreach.Config{BaseURL: sb.OutreachURL(), Auth: outreach.StaticToken(sandbox.StaticAccessToken)})
			if err != nil {
				t.Fatal(err)
			}
			held, err := earlier.CreateSyncCondition(ctx, same)
			if err != nil {
				t.Fatal(err)
			}

			// This process refreshes it, then another resource's identical create loses its answer.
			c, err := outreach.New(outreach.Config{BaseURL: sb.OutreachURL(), Auth: outreach.StaticToken(sandbox.StaticAccessToken),
				HTTPClient: &http.Client{Transport: &dropFirstPost{}}, Policy: httpx.Policy{MaxRetries: 3, Now: sb.Now, Sleep: func(context.Context, time.Duration) error { return nil }}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := newSharedReads(shared).SyncCondition(ctx, c, 1, "lead", held.ID); err != nil {
				t.Fatal(err)
			}
			got, err := c.CreateSyncCondition(ctx, same)
			if err == nil || !strings.Contains(err.Error(), "not created") {
				t.Fatalf("the lost create returned %+v, %v; want \"not created\": condition %d belongs to a resource refreshed by this process", got, err, held.ID)
			}
		})
	}
}
