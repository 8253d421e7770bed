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
}

func newKeyLocks() *keyLocks {
	return &keyLocks{locks: map[string]*keyLock{}}
}

// lock waits for key's lock, or for ctx to end, and returns the function
// that releases it.
func (l *keyLocks) lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	k := l.locks[key]
	if k == nil {
		k = &keyLock{ch: make(chan struct{}, 1)}
		l.locks[key] = k
	}
	k.refs++
	l.mu.Unlock()
	select {
	case k.ch <- struct{}{}:
		return func() {
			<-k.ch
			l.release(key, k)
		}, nil
	case <-ctx.Done():
		l.release(key, k)
		return nil, ctx.Err()
	}
}

func (l *keyLocks) release(key string, k *keyLock) {
	l.mu.Lock()
	k.refs--
	if k.refs == 0 {
		delete(l.locks, key)
	}
	l.mu.Unlock()
}
