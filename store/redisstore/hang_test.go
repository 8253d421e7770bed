package redisstore

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestHungServer pauses a private redis-server (SIGSTOP) under the store
// (storetest.RunHung: every call with a 1 s deadline answers
// session.ErrUnavailable within 1.5 s, and the store works after SIGCONT),
// for a client built as the package documentation recommends
// (ContextTimeoutEnabled) and for one on go-redis's defaults (5 s
// timeouts, 3 retries, no context timeouts), whose calls the store
// detaches.
func TestHungServer(t *testing.T) {
	needBinaries(t, "redis-server")
	clients := map[string]func(addr string) *redis.Client{
		"ContextTimeoutEnabled": func(addr string) *redis.Client {
			return redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, ReadTimeout: time.Second,
				WriteTimeout: time.Second, ContextTimeoutEnabled: true})
		},
		"go-redis defaults": func(addr string) *redis.Client {
			return redis.NewClient(&redis.Options{Addr: addr})
		},
	}
	for name, newClient := range clients {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			server := startRedis(t, t.TempDir(), freePort(t, false))
			client := newClient(server.addr)
			t.Cleanup(func() { client.Close() })
			storetest.RunHung(t, New(client), server.Pause, server.Continue)
		})
	}
}

// TestCutOff: Updates and Creates cancelled at random points leave the
// old record or the new one, whole (storetest.RunCutOff).
func TestCutOff(t *testing.T) {
	client := sharedClient(t)
	storetest.RunCutOff(t, New(client, WithPrefix(newPrefix(t, client))))
}

// TestFaultsUnderLoad: a private redis-server is paused (SIGSTOP), then
// killed (SIGKILL) and restarted, while clients increment counters through
// a session.Manager (storetest.RunFaultUnderLoad): 503 within the bound
// during the fault, success after, no lost or corrupt record. The server
// keeps an append-only file synced on every write, so the kill loses
// nothing acknowledged.
func TestFaultsUnderLoad(t *testing.T) {
	needBinaries(t, "redis-server")
	server := startRedis(t, t.TempDir(), freePort(t, false), "--appendonly", "yes", "--appendfsync", "always")
	client := redis.NewClient(&redis.Options{Addr: server.addr, DialTimeout: time.Second, ReadTimeout: time.Second,
		WriteTimeout: time.Second, ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	s := New(client)
	t.Run("pause", func(t *testing.T) {
		storetest.RunFaultUnderLoad(t, s, server.Pause, server.Continue, true)
	})
	t.Run("kill", func(t *testing.T) {
		storetest.RunFaultUnderLoad(t, s, server.Kill, server.Start, true)
	})
}
