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
