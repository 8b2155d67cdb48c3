package dataverse

import (
	"encoding/json"
	"strings"
	"time"
)

// This file emulates Dataverse's metadata cache. "Metadata changes are cached for performance
// reasons and a request for a newly created item may return a 404 because it hasn't been cached
// yet. Caching may take 30 seconds" (facts 3.9); `Consistency: Strong` asks for the latest
// definition instead (facts 2.2). So after a metadata write to a table, requests without that
// header see the table's columns as they were before the write until the lag has passed on the
// org's clock. The view applies to every request that resolves a column by its key or lists
// columns, reads and writes alike: a DELETE or PUT of a column the cache does not have yet
// answers 404, as the service resolves names through the same cache.

// DefaultMetadataCacheLag is how long a metadata write stays invisible to requests without
// `Consistency: Strong`: the 30 s Microsoft documents.
const DefaultMetadataCacheLag = 30 * time.Second

// tableCache is the cached view of a table's columns: a deep copy taken before the first write of
// a burst, served until Until.
type tableCache struct {
	Attributes []*attribute `json:"attributes"`
	Until      time.Time    `json:"until"`
}

// cacheLag returns the configured lag; zero or less means the cache is always current.
func (o *Org) cacheLag() time.Duration { return o.cfg.MetadataCacheLag }

// strong reports whether the request asked for the latest metadata.
func (q *apiRequest) strong() bool { return strings.EqualFold(q.header("Consistency"), "Strong") }

// noteMetadataWrite is called by every metadata write to t before it changes anything. The first
// write after the cache caught up snapshots the columns as the cache holds them; later writes
// within the lag leave that snapshot alone, so a burst of writes becomes visible together once
// the lag after the first one has passed.
func (o *Org) noteMetadataWrite(t *table) {
	lag := o.cacheLag()
	if lag <= 0 {
		return
	}
	now := o.now()
	if t.Cache != nil && now.Before(t.Cache.Until) {
		return
	}
	t.Cache = &tableCache{Attributes: copyAttributes(t.Attributes), Until: now.Add(lag)}
}

// view returns the table as request q sees it: t itself for a strongly consistent request or when
// the cache is current, else a shallow copy of t carrying the cached columns. Handlers must not
// change what a view returns; writes resolve the live column by its MetadataId (liveAttribute).
func (o *Org) view(q *apiRequest, t *table) *table {
	if t.Cache == nil {
		return t
	}
	if !o.now().Before(t.Cache.Until) {
		t.Cache = nil
		return t
	}
	if q.strong() {
		return t
	}
	o.st.Stats.StaleReads++
	v := *t
	v.Attributes = t.Cache.Attributes
	return &v
}

// liveAttribute maps a column found in a view back to the live column, nil when it has been
// deleted since the view was cached.
func liveAttribute(t *table, seen *attribute) *attribute { return t.attributeByID(seen.MetadataID) }

// copyAttributes deep-copies columns through their JSON form, which is what snapshots already
// rely on to be complete.
func copyAttributes(in []*attribute) []*attribute {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err) // the model is plain data; marshalling it cannot fail
	}
	var out []*attribute
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	if out == nil {
		out = []*attribute{}
	}
	return out
}
