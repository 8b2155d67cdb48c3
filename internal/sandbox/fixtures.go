package sandbox

import "strconv"

// LoadSyntheticFieldMappings inserts n field mappings on plugin 1 straight into the store,
// bypassing validation, and returns their ids. It is a fixture for paging tests and benchmarks:
// a real plugin's catalog offers only about a hundred distinct (object, Outreach field) pairs, so
// the API can never hold thousands of valid mappings, while paging does not care how the records
// got there. The synthetic rows map fields named "synthetic<N>".
func (s *Server) LoadSyntheticFieldMappings(n int) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	ids := make([]int64, 0, n)
	for i := 0; i < n; i++ {
		m := &fieldMapping{
			ID: s.st.newID(typeMapping), PluginID: seedPluginID, CRMObject: crmObjects[i%len(crmObjects)],
			OutreachField: "synthetic" + strconv.Itoa(i), CRMField: "synthetic" + strconv.Itoa(i),
			UpdatesIn: true, UpdatesOut: true, CreatedAt: now, UpdatedAt: now,
		}
		s.st.Mappings[m.ID] = m
		ids = append(ids, m.ID)
	}
	return ids
}
