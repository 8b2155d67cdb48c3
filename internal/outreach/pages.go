package outreach

import (
	"context"
	"encoding/json"
	"iter"
)

// pages reads a collection one page at a time (through walk, which checks every next link): a
// page is requested only when the caller asks for it, so a caller that stops early (a list
// resource that reached its limit) sends no further request. After an error the sequence ends.
func (c *Client) pages(ctx context.Context, plural, typ string, filters [][2]string) iter.Seq2[[]resourceObject, error] {
	return func(yield func([]resourceObject, error) bool) {
		stopped := false
		err := c.walk(ctx, plural, c.collectionURL(plural, filters), func(body []byte) (*string, bool, error) {
			var doc collectionDocument
			if err := json.Unmarshal(body, &doc); err != nil {
				return nil, false, err
			}
			for i := range doc.Data {
				if err := checkType(&doc.Data[i], typ); err != nil {
					return nil, false, err
				}
			}
			if !yield(doc.Data, nil) {
				stopped = true
				return nil, true, nil
			}
			return doc.Links.Next, false, nil
		})
		if err != nil && !stopped {
			yield(nil, err)
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
