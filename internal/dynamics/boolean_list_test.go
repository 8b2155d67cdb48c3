package dynamics

import (
	"context"
	"reflect"
	"sync"
	"testing"
)

// TestEmulatorSharedBooleanAttributes: the Boolean columns of a table come from one list, equal to
// what a single read of each gives, and a write this process makes to the table drops the list.
func TestEmulatorSharedBooleanAttributes(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	if _, err := c.CreateBooleanAttribute(ctx, "contact", salesOptOut, "OptOutSync"); err != nil {
		t.Fatal(err)
	}
	fresh, _ := e.client(t) // a client of a later command: nothing cached yet
	before := e.org.Stats().Requests
	var wg sync.WaitGroup
	names := []string{"new_salesoptout", "donotemail", "donotphone", "donotfax", "followemail"}
	got := make([]*BooleanAttribute, len(names))
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, found, err := fresh.SharedBooleanAttribute(ctx, "contact", n)
			if err != nil || !found {
				t.Errorf("%s: found=%v err=%v", n, found, err)
			}
			got[i] = a
		}()
	}
	wg.Wait()
	if n := e.org.Stats().Requests - before; n != 1 {
		t.Errorf("%d requests for %d columns, want one list", n, len(names))
	}
	for i, n := range names {
		single, err := fresh.GetBooleanAttribute(ctx, "contact", n, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], single) {
			t.Errorf("%s from the list = %+v\nfrom a single read = %+v", n, got[i], single)
		}
	}
	if _, found, err := fresh.SharedBooleanAttribute(ctx, "contact", "emailaddress1"); err != nil || found {
		t.Errorf("a String column: found=%v err=%v, want not found (read on its own)", found, err)
	}

	// A write by this process drops the list: the next read sees the change.
	if err := fresh.UpdateOptionLabel(ctx, "contact", "new_salesoptout", 1, Label{Text: "Out"}, "OptOutSync"); err != nil {
		t.Fatal(err)
	}
	a, _, err := fresh.SharedBooleanAttribute(ctx, "contact", "new_salesoptout")
	if err != nil || a.TrueLabel != "Out" {
		t.Fatalf("after the write: %+v, %v; want the new label", a, err)
	}
}

// TestSharedBooleanAttributeWaitHonoursContext: a caller waiting for another's list read gives up
// when its own context ends.
func TestSharedBooleanAttributeWaitHonoursContext(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	l, owner := c.booleanListFor("contact") // a read in flight that never finishes
	if !owner || l == nil {
		t.Fatal("no list to own")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.SharedBooleanAttribute(ctx, "contact", "donotemail"); err == nil {
		t.Fatal("a wait for a read that never finishes returned")
	}
}
