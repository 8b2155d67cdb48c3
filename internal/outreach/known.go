package outreach

import "sync"

// knownIDs are the ids of resources of one type that this client has handed to a caller: read by
// id (a resource in state), created or updated. Such an id belongs to some resource already, so a
// reconcile after a lost create must never hand it out again. Ids seen only in a list are not
// known: a list may include the very resource the lost create made.
type knownIDs struct {
	mu  sync.Mutex
	ids map[int64]bool
}

// add records id as held by a caller.
func (k *knownIDs) add(id int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ids == nil {
		k.ids = map[int64]bool{}
	}
	k.ids[id] = true
}

// claim returns the index of the highest id in ids that no caller holds, and records it as held
// in the same step, so that two reconciles running at once never adopt the same resource; -1 when
// every id is held.
func (k *knownIDs) claim(ids []int64) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	best := -1
	for i, id := range ids {
		if !k.ids[id] && (best < 0 || id > ids[best]) {
			best = i
		}
	}
	if best >= 0 {
		if k.ids == nil {
			k.ids = map[int64]bool{}
		}
		k.ids[ids[best]] = true
	}
	return best
}
