package dynamics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// This file serves reads of Boolean columns from one list per table, shared by every caller of a
// Client: a refresh of many dynamics_sales_optout_field columns and dynamics_attribute data
// sources of one table then costs one request instead of one per column. Metadata queries are not
// paged (facts 3.2), so the list is one request.
//
// Consistency: the list is read like a single column would be (with Consistency: Strong while
// this process has written metadata recently, see Client.do); a write this process makes to the
// table, through any Client of the org, drops the list, and a list is never used once older than
// booleanListMaxAge, so a long apply does not act on what it read at its start.

// booleanListMaxAge bounds how long one list serves reads.
const booleanListMaxAge = time.Minute

// booleanListFilter keeps the columns that hold data; a column outside the list is read on its own.
const booleanListFilter = "IsValidForRead eq true"

// booleanList is one table's Boolean columns, or the read of them in flight.
type booleanList struct {
	done    chan struct{} // closed when the read has finished
	gen     uint64        // the table's write generation when the read started
	fetched time.Time
	cols    map[string]*BooleanAttribute // by logical name
	err     error
}

// booleanLists is a Client's set of shared lists.
type booleanLists struct {
	mu    sync.Mutex
	lists map[string]*booleanList // by table logical name
}

// SharedBooleanAttribute returns the Boolean column entity.logical from the table's shared list,
// reading the list if no current one is held. found is false when the column is not in the list
// (absent, not Boolean, or not readable); the caller then reads it on its own, which is also how
// a missing column is confirmed. Concurrent callers wait for one read; each waits only as long as
// its own ctx allows.
func (c *Client) SharedBooleanAttribute(ctx context.Context, entity, logical string) (attr *BooleanAttribute, found bool, err error) {
	en, an, err := names(entity, logical)
	if err != nil {
		return nil, false, err
	}
	for {
		l, owner := c.booleanListFor(en)
		if owner {
			l.cols, l.err = c.listBooleanAttributes(ctx, en)
			l.fetched = c.now()
			close(l.done)
		}
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, false, fmt.Errorf("dynamics: waiting for the Boolean columns of %s: %w", en, ctx.Err())
		}
		if l.err != nil {
			c.dropBooleanList(en, l)
			if !owner && ctx.Err() == nil && isContextError(l.err) {
				continue // the reader's own context ended; this caller's has not, so read again
			}
			return nil, false, l.err
		}
		a, ok := l.cols[an]
		if !ok {
			return nil, false, nil
		}
		cp := *a
		return &cp, true, nil
	}
}

// booleanListFor returns the current list of entity, or a new one for the caller to read (owner).
func (c *Client) booleanListFor(entity string) (l *booleanList, owner bool) {
	gen := c.org.writeGeneration(entity)
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	if c.shared.lists == nil {
		c.shared.lists = map[string]*booleanList{}
	}
	if cur, ok := c.shared.lists[entity]; ok && cur.gen == gen {
		select {
		case <-cur.done:
			if c.now().Sub(cur.fetched) < booleanListMaxAge {
				return cur, false
			}
		default:
			return cur, false // in flight
		}
	}
	l = &booleanList{done: make(chan struct{}), gen: gen}
	c.shared.lists[entity] = l
	return l, true
}

func (c *Client) dropBooleanList(entity string, l *booleanList) {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	if c.shared.lists[entity] == l {
		delete(c.shared.lists, entity)
	}
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// listBooleanAttributes reads the Boolean columns of a table with their option sets: the cast
// collection, filtered, with $expand=OptionSet (facts 3.2).
func (c *Client) listBooleanAttributes(ctx context.Context, entity string) (map[string]*BooleanAttribute, error) {
	resp, err := c.do(ctx, call{method: http.MethodGet, path: entityPath(entity) + "/Attributes/" + odataTypeBoolean,
		query: "$filter=" + strings.ReplaceAll(booleanListFilter, " ", "%20") + "&$expand=OptionSet"})
	if err != nil {
		return nil, err
	}
	var w struct {
		Value []wireAttribute `json:"value"`
	}
	if err := decodeBody(resp.Body, "Boolean columns of "+entity, &w); err != nil {
		return nil, err
	}
	out := make(map[string]*BooleanAttribute, len(w.Value))
	for i := range w.Value {
		b := c.booleanFromWire(&w.Value[i], entity)
		out[strings.ToLower(b.LogicalName)] = b
	}
	return out, nil
}
