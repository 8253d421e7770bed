package session

import (
	"context"
	"hash/maphash"
)

// keyLockStripes is the number of commit locks of a Manager. Commits of
// sessions whose keys hash to the same stripe run one at a time.
const keyLockStripes = 256

// keyLocks serialises the commits of one session within this process.
// Compare-and-swap alone is correct, but when many requests of one client
// commit at once (a burst of "add to cart" clicks, an htmx page firing
// requests in parallel), optimistic retries would mostly collide with each
// other; queueing them makes each commit succeed on its first or second
// attempt. Commits from other processes are still resolved by
// compare-and-swap.
type keyLocks struct {
	seed    maphash.Seed
	stripes [keyLockStripes]chan struct{}
}

func newKeyLocks() *keyLocks {
	l := &keyLocks{seed: maphash.MakeSeed()}
	for i := range l.stripes {
		l.stripes[i] = make(chan struct{}, 1)
	}
	return l
}

// lock waits for the stripe of key, or for ctx to end, and returns the
// function that releases it.
func (l *keyLocks) lock(ctx context.Context, key string) (func(), error) {
	ch := l.stripes[maphash.String(l.seed, key)%keyLockStripes]
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
