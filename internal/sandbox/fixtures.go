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

// benchmarkObjects are the CRM objects LoadBenchmarkCatalog widens.
var benchmarkObjects = []string{"lead", "contact", "account", "opportunity"}

// LoadBenchmarkCatalog gives each of lead, contact, account and opportunity perObject more
// mappable pairs: Dataverse text columns new_bench1 … new_bench<perObject> (real metadata, so
// that the plugin's refreshFields lists them as it lists any column) and Outreach string fields
// custom1 … custom<perObject> in the plugin's catalog (Outreach's custom fields, of which real
// orgs have up to 150 per object; a benchmark of 1,000 mappings needs 250). The plugin's fields
// are then refreshed, as an admin would after creating the columns.
func (s *Server) LoadBenchmarkCatalog(perObject int) error {
	for _, obj := range benchmarkObjects {
		if err := s.org.AddTextColumns(obj, "new_bench", perObject); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, obj := range benchmarkObjects {
		for i := 1; i <= perObject; i++ {
			name := "custom" + strconv.Itoa(i)
			if s.st.field(seedPluginID, obj, sideOutreach, name) != nil {
				continue
			}
			f := &pluginField{ID: s.st.newID(typeField), PluginID: seedPluginID, CRMObject: obj, Side: sideOutreach,
				Name: name, Label: "Custom " + strconv.Itoa(i), Type: fieldTypeString, Writable: true}
			s.st.Fields[f.ID] = f
		}
	}
	s.st.refreshCRMFields(seedPluginID, s.org, s.Now())
	return nil
}
