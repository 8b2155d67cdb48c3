package provider

import (
	"fmt"
	"strconv"
	"strings"
)

// parseSyncConditionImportID is the one parser of the resource's import ids: the condition's
// Outreach id, a positive integer. Conditions have no natural key (several may be identical), so
// there is no other form.
func parseSyncConditionImportID(raw string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("a sync condition is imported by its Outreach id, a positive integer such as 42; got %q", raw)
	}
	return id, nil
}
