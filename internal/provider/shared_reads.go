package provider

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
)

// This file holds the shared reads: field mappings, sync conditions and object settings are read
// from one paged list per (plugin, object) per provider process instead of one GET per resource,
// so that a refresh of a whole plugin costs a few lists whatever the number of resources. The
// lists are loaded the first time a resource of that (plugin, object) needs one, by one request at
// a time (flightGroup), inside the command that uses them: a change made outside Terraform before
// the command shows in its plan. A write this process makes is applied to the list it changed from
// the server's answer (the 201 or 200 body is the truth), and a write whose outcome is unknown
// drops the list so that the next use reads it again; a resource missing from a list is confirmed
// with a GET of its own before it is reported deleted.
//
// OUTREACH_PROVIDER_SHARED_READS=false turns the lists off: every Read is a GET and every
// uniqueness check a filtered list, as before.

// sharedReadsEnv switches the shared lists off when set to false.
const sharedReadsEnv = "OUTREACH_PROVIDER_SHARED_READS"

// sharedReadsEnabled reads sharedReadsEnv: on unless it says false.
func sharedReadsEnabled() (bool, error) {
	raw := strings.TrimSpace(os.Getenv(sharedReadsEnv))
	if raw == "" {
		return true, nil
	}
	on, err := strconv.ParseBool(raw)
	if err != nil {
		return true, fmt.Errorf("%s must be true or false, got %q", sharedReadsEnv, raw)
	}
	return on, nil
}

// listKey names one shared list: the resources of one CRM object of one plugin. Object settings
// use one list per plugin (object ""), since each object has exactly one.
type listKey struct {
	pluginID int64
	object   string
}

// sharedReads holds the shared lists of one provider process.
type sharedReads struct {
	enabled    bool
	mappings   sharedKind[outreach.FieldMapping]
	conditions sharedKind[outreach.SyncCondition]
	objects    sharedKind[outreach.PluginObject]
}

func newSharedReads(enabled bool) *sharedReads {
	return &sharedReads{
		enabled: enabled,
		mappings: newSharedKind(func(ctx context.Context, c *outreach.Client, k listKey) ([]outreach.FieldMapping, error) {
			return c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: k.pluginID, CRMObject: k.object})
		}, func(m outreach.FieldMapping) int64 { return m.ID }),
		conditions: newSharedKind(func(ctx context.Context, c *outreach.Client, k listKey) ([]outreach.SyncCondition, error) {
			return c.ListSyncConditions(ctx, outreach.ConditionFilter{PluginID: k.pluginID, CRMObject: k.object})
		}, func(s outreach.SyncCondition) int64 { return s.ID }),
		objects: newSharedKind(func(ctx context.Context, c *outreach.Client, k listKey) ([]outreach.PluginObject, error) {
			return c.ListPluginObjects(ctx, k.pluginID, "")
		}, func(o outreach.PluginObject) int64 { return o.ID }),
	}
}

// FieldMapping reads mapping id of (pluginID, object): from the shared list when it is on and the
// state knows both, else (or when the list lacks it) with a GET, whose 404 says it is gone.
func (s *sharedReads) FieldMapping(ctx context.Context, c *outreach.Client, pluginID int64, object string, id int64) (*outreach.FieldMapping, error) {
	return sharedGet(ctx, s.enabled && object != "", &s.mappings, c, listKey{pluginID, object}, id, c.GetFieldMapping)
}

// MappingsOfField returns the mappings of (pluginID, object) that map Outreach field field, for
// the "already mapped" check: from the shared list when it is on, else with a filtered list.
func (s *sharedReads) MappingsOfField(ctx context.Context, c *outreach.Client, pluginID int64, object, field string) ([]outreach.FieldMapping, error) {
	if !s.enabled {
		return c.ListFieldMappings(ctx, outreach.MappingFilter{PluginID: pluginID, CRMObject: object, OutreachField: field})
	}
	l, err := s.mappings.load(ctx, c, listKey{pluginID, object})
	if err != nil {
		return nil, err
	}
	return l.filter(func(m outreach.FieldMapping) bool { return m.OutreachField == field }), nil
}

// FieldMappings returns every mapping of (pluginID, object), by id, for readers that need the
// whole list (the coverage data source): the list a refresh of the same command already read, or
// one list request when shared reads are off.
func (s *sharedReads) FieldMappings(ctx context.Context, c *outreach.Client, pluginID int64, object string) ([]outreach.FieldMapping, error) {
	return s.mappings.all(ctx, s.enabled, c, listKey{pluginID, object})
}

// SyncConditions returns every condition of (pluginID, object), as FieldMappings does.
func (s *sharedReads) SyncConditions(ctx context.Context, c *outreach.Client, pluginID int64, object string) ([]outreach.SyncCondition, error) {
	return s.conditions.all(ctx, s.enabled, c, listKey{pluginID, object})
}

// PluginObjects returns the sync settings of every object of a plugin, as FieldMappings does.
func (s *sharedReads) PluginObjects(ctx context.Context, c *outreach.Client, pluginID int64) ([]outreach.PluginObject, error) {
	return s.objects.all(ctx, s.enabled, c, listKey{pluginID: pluginID})
}

// WroteFieldMapping records a write of a mapping of (pluginID, object): m is the server's answer,
// nil for a delete; err is the write's error, after which the list is read again when next needed.
func (s *sharedReads) WroteFieldMapping(pluginID int64, object string, id int64, m *outreach.FieldMapping, err error) {
	s.mappings.wrote(listKey{pluginID, object}, id, m, err)
}

// SyncCondition reads condition id of (pluginID, object), as FieldMapping does. The condition is
// held by the reading resource whichever way it was read, so that no lost create of this process
// adopts it (outreach knownIDs).
func (s *sharedReads) SyncCondition(ctx context.Context, c *outreach.Client, pluginID int64, object string, id int64) (*outreach.SyncCondition, error) {
	v, err := sharedGet(ctx, s.enabled && object != "", &s.conditions, c, listKey{pluginID, object}, id, c.GetSyncCondition)
	if err == nil {
		c.HoldSyncCondition(v.ID)
	}
	return v, err
}

// WroteSyncCondition records a write of a condition, as WroteFieldMapping does.
func (s *sharedReads) WroteSyncCondition(pluginID int64, object string, id int64, v *outreach.SyncCondition, err error) {
	s.conditions.wrote(listKey{pluginID, object}, id, v, err)
}

// PluginObject reads the sync settings id of a plugin, as FieldMapping does (one list per plugin).
func (s *sharedReads) PluginObject(ctx context.Context, c *outreach.Client, pluginID, id int64) (*outreach.PluginObject, error) {
	return sharedGet(ctx, s.enabled, &s.objects, c, listKey{pluginID: pluginID}, id, c.GetPluginObject)
}

// sharedGet reads id from the list of key when shared is set and the key names a plugin, else
// (or when the list lacks it) with get.
func sharedGet[T any](ctx context.Context, shared bool, k *sharedKind[T], c *outreach.Client, key listKey, id int64,
	get func(context.Context, int64) (*T, error),
) (*T, error) {
	if shared && key.pluginID != 0 {
		v, ok, err := k.lookup(ctx, c, key, id)
		if err != nil {
			return nil, err
		}
		if ok {
			return &v, nil
		}
	}
	return get(ctx, id)
}

// WrotePluginObject records a write of a plugin's object settings, as WroteFieldMapping does.
func (s *sharedReads) WrotePluginObject(pluginID, id int64, v *outreach.PluginObject, err error) {
	s.objects.wrote(listKey{pluginID: pluginID}, id, v, err)
}

// sharedKind is the shared lists of one resource type.
type sharedKind[T any] struct {
	lists *flightGroup[listKey, *sharedList[T]]
	list  func(context.Context, *outreach.Client, listKey) ([]T, error)
	id    func(T) int64
}

func newSharedKind[T any](list func(context.Context, *outreach.Client, listKey) ([]T, error), id func(T) int64) sharedKind[T] {
	return sharedKind[T]{lists: newFlightGroup[listKey, *sharedList[T]](), list: list, id: id}
}

// load returns the list of k, reading it (once, however many callers ask at the same time) when
// this process has not read it yet or a write of unknown outcome dropped it.
func (k *sharedKind[T]) load(ctx context.Context, c *outreach.Client, key listKey) (*sharedList[T], error) {
	return k.lists.Get(ctx, key, func(ctx context.Context) (*sharedList[T], error) {
		items, err := k.list(ctx, c, key)
		if err != nil {
			return nil, err
		}
		l := &sharedList[T]{byID: make(map[int64]T, len(items))}
		for _, v := range items {
			l.byID[k.id(v)] = v
		}
		return l, nil
	})
}

// lookup finds id in the list of key; ok is false when the list lacks it.
func (k *sharedKind[T]) lookup(ctx context.Context, c *outreach.Client, key listKey, id int64) (v T, ok bool, err error) {
	l, err := k.load(ctx, c, key)
	if err != nil {
		return v, false, err
	}
	v, ok = l.get(id)
	return v, ok, nil
}

// all returns every entry of the list of key in id order, so that both modes give the same
// answer: from the shared list when shared is set, else from a list request of its own.
func (k *sharedKind[T]) all(ctx context.Context, shared bool, c *outreach.Client, key listKey) ([]T, error) {
	var items []T
	if shared {
		l, err := k.load(ctx, c, key)
		if err != nil {
			return nil, err
		}
		items = l.filter(func(T) bool { return true })
	} else {
		var err error
		if items, err = k.list(ctx, c, key); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(items, func(a, b T) int { return cmp.Compare(k.id(a), k.id(b)) })
	return items, nil
}

// wrote applies a write to the list of key when it is loaded: the server's answer v replaces the
// entry (nil removes it). Without an answer (err set), or while the list is still being read (the
// read may predate the write), the list is dropped and read again when next needed.
func (k *sharedKind[T]) wrote(key listKey, id int64, v *T, err error) {
	l, loaded := k.lists.Cached(key)
	if err != nil || !loaded {
		k.lists.Forget(func(o listKey) bool { return o == key })
		return
	}
	l.set(id, v)
}

// sharedList is one loaded list, by id; writes of this process change it in place.
type sharedList[T any] struct {
	mu   sync.RWMutex
	byID map[int64]T
}

func (l *sharedList[T]) get(id int64) (T, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	v, ok := l.byID[id]
	return v, ok
}

func (l *sharedList[T]) set(id int64, v *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v == nil {
		delete(l.byID, id)
		return
	}
	l.byID[id] = *v
}

func (l *sharedList[T]) filter(keep func(T) bool) []T {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []T
	for _, v := range l.byID {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}
