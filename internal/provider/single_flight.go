package provider

import (
	"context"
	"sync"
)

// flightGroup caches one value per key for the life of the provider process and loads each key at
// most once at a time: callers that ask for a key while its load is in flight wait for that load
// instead of sending a request of their own (single flight). Keys are independent, so a slow or
// throttled load of one key never holds up another; a waiting caller whose context ends stops
// waiting at once, and the load itself is cancelled when no caller is left waiting for it. A failed
// load is not cached: the next caller tries again.
type flightGroup[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*flight[V]
}

// flight is one key's load: in flight until done is closed, then val or err for good.
type flight[V any] struct {
	done    chan struct{}
	val     V
	err     error
	waiters int                // callers still waiting; guarded by the group's mu
	cancel  context.CancelFunc // cancels the load
}

func newFlightGroup[K comparable, V any]() *flightGroup[K, V] {
	return &flightGroup[K, V]{entries: map[K]*flight[V]{}}
}

// Get returns the value of key, loading it with load when no value is cached and no load is in
// flight. load runs with a context of its own that keeps the values (logging, request ids) of the
// caller that started it but not its deadline: it ends when every caller waiting for it has gone.
func (g *flightGroup[K, V]) Get(ctx context.Context, key K, load func(context.Context) (V, error)) (V, error) {
	g.mu.Lock()
	f, ok := g.entries[key]
	if !ok {
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight[V]{done: make(chan struct{}), cancel: cancel}
		g.entries[key] = f
		go g.run(lctx, key, f, load)
	}
	f.waiters++
	g.mu.Unlock()

	select {
	case <-f.done:
		g.mu.Lock()
		f.waiters--
		g.mu.Unlock()
		return f.val, f.err
	case <-ctx.Done():
		g.mu.Lock()
		f.waiters--
		abandon := f.waiters == 0
		if abandon && g.entries[key] == f {
			select {
			case <-f.done: // finished meanwhile: keep the value for the next caller
			default:
				delete(g.entries, key) // nobody wants it any more: the next caller starts afresh
			}
		}
		g.mu.Unlock()
		if abandon {
			f.cancel()
		}
		var zero V
		return zero, ctx.Err()
	}
}

// run performs one load and publishes its outcome; a failure is forgotten so that it is retried.
func (g *flightGroup[K, V]) run(ctx context.Context, key K, f *flight[V], load func(context.Context) (V, error)) {
	defer f.cancel()
	f.val, f.err = load(ctx)
	g.mu.Lock()
	if f.err != nil && g.entries[key] == f {
		delete(g.entries, key)
	}
	g.mu.Unlock()
	close(f.done)
}

// Cached returns the value of key if it has been loaded, without loading it.
func (g *flightGroup[K, V]) Cached(key K) (V, bool) {
	g.mu.Lock()
	f, ok := g.entries[key]
	g.mu.Unlock()
	var zero V
	if !ok {
		return zero, false
	}
	select {
	case <-f.done:
		return f.val, f.err == nil
	default:
		return zero, false
	}
}

// Forget drops the keys for which drop is true: the next Get loads them again. A load in flight
// finishes for the callers already waiting for it, which asked before the change that made the
// key stale; later callers start a new one.
func (g *flightGroup[K, V]) Forget(drop func(K) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k := range g.entries {
		if drop(k) {
			delete(g.entries, k)
		}
	}
}
