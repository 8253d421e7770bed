package session

import (
	"context"
	"sync"
)

// keyLocks serialises the commits of one session within this process.
// Compare-and-swap alone is correct, but when many requests of one client
// commit at once (a burst of "add to cart" clicks, an htmx page firing
// requests in parallel), optimistic retries would mostly collide with each
// other; queueing them makes each commit succeed on its first or second
// attempt. Commits from other processes are still resolved by
// compare-and-swap. Each key has its own lock, created on demand and
// dropped when no commit holds or waits for it, so a slow commit never
// delays another user's.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{} // holds a token while the lock is taken
	refs int           // commits holding or waiting; guarded by keyLocks.mu
	// last is what the previous holder wrote, kept for the commits queued
	// behind it (see heldLock.last). Only the holder touches it.
	last *written
	// queue holds the coalescible commits waiting for the lock, in the
	// order they came (coalesce.go).
	jmu   sync.Mutex
	queue []*joiner
}

// written is a record as a commit of this process just stored it.
type written struct {
	version Version
	values  map[string][]byte // not changed after it is handed over
}

// heldLock is a taken key lock.
type heldLock struct {
	l   *keyLocks
	key string
	k   *keyLock
}

// unlock releases the lock.
func (h *heldLock) unlock() {
	<-h.k.ch
	h.l.release(h.key, h.k)
}

// last returns what the commit before this one wrote under the key, while
// commits were queued for it; nil when there was none or it is unknown.
// A commit queued behind another starts from that instead of from its
// older load, so it does not spend a failing compare-and-swap and a
// reload to learn it: on a hot session it costs its Load and one write,
// as a store without compare-and-swap would, and still loses nothing (the
// compare-and-swap still guards against other processes).
func (h *heldLock) last() *written { return h.k.last }

// wrote records what this commit stored (nil: the record is gone or its
// content unknown), for the next holder.
func (h *heldLock) wrote(w *written) { h.k.last = w }

func newKeyLocks() *keyLocks {
	return &keyLocks{locks: map[string]*keyLock{}}
}

// lock waits for key's lock, or for ctx to end.
func (l *keyLocks) lock(ctx context.Context, key string) (*heldLock, error) {
	k := l.acquire(key)
	select {
	case k.ch <- struct{}{}:
		return &heldLock{l: l, key: key, k: k}, nil
	case <-ctx.Done():
		l.release(key, k)
		return nil, ctx.Err()
	}
}

// acquire returns key's lock, counting the caller among its users until
// release.
func (l *keyLocks) acquire(key string) *keyLock {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.locks[key]
	if k == nil {
		k = &keyLock{ch: make(chan struct{}, 1)}
		l.locks[key] = k
	}
	k.refs++
	return k
}

func (l *keyLocks) release(key string, k *keyLock) {
	l.mu.Lock()
	k.refs--
	if k.refs == 0 {
		delete(l.locks, key)
	}
	l.mu.Unlock()
}
