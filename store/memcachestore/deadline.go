package memcachestore

import (
	"context"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/tetherweb/tether/internal/detach"
)

// timeout is the client's bound on one call to a server: its Timeout, or
// memcache.DefaultTimeout (500 ms) when that is 0.
func (s *Store) timeout() time.Duration {
	if s.client.Timeout > 0 {
		return s.client.Timeout
	}
	return memcache.DefaultTimeout
}

// direct reports whether a call may be left to gomemcache, which takes no
// context: ctx has no deadline, or the client's timeout ends the call
// before it.
func (s *Store) direct(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return !ok || time.Until(d) >= s.timeout()
}

// get reads item, within ctx's deadline.
func (s *Store) get(ctx context.Context, item string) (*memcache.Item, error) {
	if s.direct(ctx) {
		return s.client.Get(item)
	}
	return detach.Run(ctx, func() (*memcache.Item, error) { return s.client.Get(item) })
}

// writeOp names a write of the client.
type writeOp int

const (
	opAdd    writeOp = iota // Add
	opCAS                   // CompareAndSwap
	opDelete                // Delete of it.Key
)

// write runs op on it, within ctx's deadline.
func (s *Store) write(ctx context.Context, op writeOp, it *memcache.Item) error {
	if s.direct(ctx) {
		return s.run(op, it)
	}
	_, err := detach.Run(ctx, func() (struct{}, error) { return struct{}{}, s.run(op, it) })
	return err
}

// run sends op on it to the server.
func (s *Store) run(op writeOp, it *memcache.Item) error {
	switch op {
	case opAdd:
		return s.client.Add(it)
	case opCAS:
		return s.client.CompareAndSwap(it)
	default:
		return s.client.Delete(it.Key)
	}
}
