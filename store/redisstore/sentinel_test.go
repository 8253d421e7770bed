package redisstore

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestSentinel runs the conformance suite through a Sentinel-managed
// master (redis.NewFailoverClient), on a private master and Sentinel.
func TestSentinel(t *testing.T) {
	t.Parallel()
	needBinaries(t, "redis-server")
	dir := t.TempDir()
	master := startRedis(t, dir, freePort(t, false))
	sentinel := startSentinel(t, dir, freePort(t, false), "tether", master.addr)
	client := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:            "tether",
		SentinelAddrs:         []string{sentinel.addr},
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { client.Close() })
	storetest.RunWithOptions(t, func(t *testing.T) session.Store {
		return New(client, WithPrefix(newPrefix(t, client)))
	}, selfExpiring)
}
