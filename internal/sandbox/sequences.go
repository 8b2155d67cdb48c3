package sandbox

import "time"

// This file serves the public API's sequences (GET /api/v2/sequences and /sequences/{id}, scope
// sequences.read; facts §7) with the attributes that matter for opt-outs. transactional is the
// one to watch: a transactional sequence ignores prospects' opt-out preferences. The sandbox
// serves sequences read only (writes answer 405): nothing in the provider writes them, and a
// test that needs another sequence adds it with AddSequence. Only name is filterable, as in the
// public schema.

const typeSequence = "sequence"

// sequence is one Outreach sequence.
type sequence struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Enabled       bool      `json:"enabled"`
	Transactional bool      `json:"transactional"`
	ShareType     string    `json:"share_type"`
	SequenceType  string    `json:"sequence_type"`
	OptOutCount   int       `json:"opt_out_count"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

var sequenceKind = &kind{
	typ: typeSequence, plural: "sequences", scope: "sequences", filterable: set("name"),
	all: func(st *state) []record { return records(st.Sequences) },
	get: func(st *state, id int64) record { return lookup(st.Sequences, id) },
}

func init() { kinds[sequenceKind.plural] = sequenceKind }

func (q *sequence) recordID() int64 { return q.ID }

func (q *sequence) filterValue(attr string) string {
	switch attr {
	case "id":
		return itoa(q.ID)
	case "name":
		return q.Name
	}
	return ""
}

func (q *sequence) object(base string) map[string]any {
	return resourceObject(typeSequence, q.ID, base, "sequences", map[string]any{
		"name":          q.Name,
		"enabled":       q.Enabled,
		"transactional": q.Transactional,
		"shareType":     q.ShareType,
		"sequenceType":  q.SequenceType,
		"optOutCount":   q.OptOutCount,
		"createdAt":     formatTime(q.CreatedAt),
		"updatedAt":     formatTime(q.UpdatedAt),
	}, nil)
}

// seedSequences gives the organization one sequence of each kind that matters: an ordinary
// marketing one, an enabled transactional one (it emails people who opted out) and a disabled
// transactional one.
func (st *state) seedSequences(now time.Time) {
	for _, q := range []sequence{
		{Name: "Spring nurture", Enabled: true, ShareType: "shared", SequenceType: "interval"},
		{Name: "Order receipts", Enabled: true, Transactional: true, ShareType: "private", SequenceType: "interval"},
		{Name: "Legacy renewal notices", Transactional: true, ShareType: "read_only", SequenceType: "date"},
	} {
		st.addSequence(q, now)
	}
}

func (st *state) addSequence(q sequence, now time.Time) *sequence {
	q.ID = st.newID(typeSequence)
	q.CreatedAt, q.UpdatedAt = now, now
	st.Sequences[q.ID] = &q
	return &q
}

// AddSequence adds a sequence to the organization, as someone creating it in Outreach would,
// and returns its id.
func (s *Server) AddSequence(name string, enabled, transactional bool, shareType string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.st.addSequence(sequence{Name: name, Enabled: enabled, Transactional: transactional, ShareType: shareType, SequenceType: "interval"}, s.Now())
	return q.ID
}
