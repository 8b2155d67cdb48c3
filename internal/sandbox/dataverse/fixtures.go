package dataverse

import (
	"fmt"
	"strings"
)

// AddTextColumns adds n custom single-line text columns <prefix>1 … <prefix>n (lower case, in the
// publisher's prefix style, e.g. new_bench) to a table, as a customizer would through the Web
// API. It is a fixture for benchmarks that need hundreds of distinct mappable columns per table,
// which no seeded table has; the columns are ordinary metadata, readable through the Web API.
func (o *Org) AddTextColumns(entity, prefix string, n int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.table(entity)
	if t == nil {
		return fmt.Errorf("no table %q", entity)
	}
	now := o.now()
	for i := 1; i <= n; i++ {
		logical := fmt.Sprintf("%s%d", strings.ToLower(prefix), i)
		if t.attribute(logical) != nil {
			continue
		}
		a := buildAttribute(entity, strCol(logical, logical, fmt.Sprintf("Bench %d", i), 100, "Text"), nextColumnNumber(t))
		a.IsCustomAttribute, a.IsManaged = true, false
		a.IntroducedVersion = "1.0.0.0"
		a.CreatedOn, a.ModifiedOn = now, now
		t.Attributes = append(t.Attributes, a)
	}
	return nil
}
