package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// honoursContext reports whether go-redis applies a context's deadline to
// the commands of client (ContextTimeoutEnabled). Clients of other types
// are assumed not to.
func honoursContext(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return false
}

// direct reports whether a call can be left to go-redis: the client
// applies ctx's deadline itself, or ctx has none.
func (s *Store) direct(ctx context.Context) bool {
	if s.ctxTimeouts {
		return true
	}
	_, ok := ctx.Deadline()
	return !ok
}

// result is what a detached call returns.
type result[T any] struct {
	v   T
	err error
}

// detach runs call in a goroutine and returns its result, or ctx's error
// once ctx is done, whichever comes first: for a client that does not
// apply a context's deadline to a command already sent, so that a Redis
// that stopped answering costs the caller its deadline and not the
// client's ReadTimeout and retries. A call given up on runs on in the
// background until the client's own timeouts end it; the outcome of a
// write given up on is unknown, as after any timeout.
func detach[T any](ctx context.Context, call func() (T, error)) (T, error) {
	done := make(chan result[T], 1)
	go func() {
		v, err := call()
		done <- result[T]{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
