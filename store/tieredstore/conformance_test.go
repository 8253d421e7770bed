package tieredstore

import (
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestConformance runs the shared suite with memstore in front of SQLite:
// the tiered store must be indistinguishable from its durable store.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return New(newMemstore(t), newSQLite(t), WithLogger(discardLogger()))
	})
}

// TestConformanceMemcached is the suite with the real memcached in front of
// SQLite.
func TestConformanceMemcached(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return New(newTestMemcachedCache(t), newSQLite(t), WithLogger(discardLogger()))
	})
}

// TestConcurrentRequests: 200 concurrent requests of one client through a
// session.Manager on memcached in front of SQLite lose no write.
func TestConcurrentRequests(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		return New(newTestMemcachedCache(t), newSQLite(t), WithLogger(discardLogger()))
	})
}
