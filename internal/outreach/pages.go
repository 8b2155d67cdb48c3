package outreach

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strings"
)

// pages reads a collection one page at a time: a page is requested only when the caller asks for
// it, so a caller that stops early (a list resource that reached its limit) sends no further
// request. After an error the sequence ends. Every URL after the first is the server's
// links.next, followed verbatim because its cursor is opaque, but only on the configured host and
// scheme: the bearer token is sent with it, and a next link elsewhere (a misconfigured proxy, a
// hostile response) must not receive it.
func (c *Client) pages(ctx context.Context, plural, typ string, filters [][2]string) iter.Seq2[[]resourceObject, error] {
	return func(yield func([]resourceObject, error) bool) {
		next := c.collectionURL(plural, filters)
		seen := map[string]bool{}
		for page := 0; next != ""; page++ {
			if page >= maxPages {
				yield(nil, fmt.Errorf("listing %s: more than %d pages; giving up", plural, maxPages))
				return
			}
			if seen[next] {
				yield(nil, fmt.Errorf("listing %s: the server returned a next link that was already visited; stopping to avoid a loop", plural))
				return
			}
			seen[next] = true
			body, err := c.do(ctx, request{method: http.MethodGet, url: next, idempotent: true})
			if err != nil {
				yield(nil, err)
				return
			}
			var doc collectionDocument
			if err := json.Unmarshal(body, &doc); err != nil {
				yield(nil, fmt.Errorf("decoding a page of %s: %w", plural, err))
				return
			}
			for i := range doc.Data {
				if err := checkType(&doc.Data[i], typ); err != nil {
					yield(nil, fmt.Errorf("decoding a page of %s: %w", plural, err))
					return
				}
			}
			next = ""
			if doc.Links.Next != nil && strings.TrimSpace(*doc.Links.Next) != "" {
				if next, err = c.resolveNext(*doc.Links.Next); err != nil {
					// The page itself is good: hand it over before the error that ends the listing.
					if !yield(doc.Data, nil) {
						return
					}
					yield(nil, fmt.Errorf("listing %s: %w", plural, err))
					return
				}
			}
			if !yield(doc.Data, nil) {
				return
			}
		}
	}
}

// decodedPages is pages with every resource decoded.
func decodedPages[T any](c *Client, ctx context.Context, plural, typ string, filters [][2]string, decode func(*resourceObject) (T, error)) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		for rs, err := range c.pages(ctx, plural, typ, filters) {
			if err != nil {
				yield(nil, err)
				return
			}
			items, err := decodeAll(rs, decode)
			if !yield(items, err) || err != nil {
				return
			}
		}
	}
}

// FieldMappingPages yields the mappings that match f one page (up to 1,000) at a time, asking for
// the next page only when the caller wants more. The sequence ends after an error.
func (c *Client) FieldMappingPages(ctx context.Context, f MappingFilter) iter.Seq2[[]FieldMapping, error] {
	return decodedPages(c, ctx, pathFieldMappings, typeFieldMapping, mappingFilters(f), decodeFieldMapping)
}

// SyncConditionPages yields the conditions that match f one page at a time, asking for the next
// page only when the caller wants more. The sequence ends after an error.
func (c *Client) SyncConditionPages(ctx context.Context, f ConditionFilter) iter.Seq2[[]SyncCondition, error] {
	return decodedPages(c, ctx, pathSyncConditions, typeSyncCondition, conditionFilters(f), decodeSyncCondition)
}

// mappingFilters are the query filters of a MappingFilter.
func mappingFilters(f MappingFilter) [][2]string {
	return [][2]string{
		pluginFilter(f.PluginID), {"filter[crmObject]", f.CRMObject},
		{"filter[outreachField]", f.OutreachField}, {"filter[crmField]", f.CRMField},
	}
}

// conditionFilters are the query filters of a ConditionFilter.
func conditionFilters(f ConditionFilter) [][2]string {
	return [][2]string{pluginFilter(f.PluginID), {"filter[crmObject]", f.CRMObject}, {"filter[trigger]", f.Trigger}}
}
