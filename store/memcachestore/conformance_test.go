package memcachestore

import (
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestConformance runs the shared suite on the test memcached (which must
// take 4 MiB items, for the 1 MiB value), with CAS hints (Updates after a
// Load take one round trip) and without (every Update reads first).
func TestConformance(t *testing.T) {
	for _, c := range []struct {
		name  string
		hints int
	}{{"hints", DefaultCASHints}, {"nohints", 0}} {
		t.Run(c.name, func(t *testing.T) {
			storetest.RunWithOptions(t, func(t *testing.T) session.Store {
				return newTestStore(t, WithCASHints(c.hints))
			}, storetest.Options{SelfExpiring: true})
		})
	}
}

// TestConcurrentRequests: 200 concurrent requests of one client through a
// session.Manager lose no write.
func TestConcurrentRequests(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		return newTestStore(t)
	})
}

// Two handles on one prefix (two processes' worth, each with its own CAS
// hints) keep compare-and-swap between them.
func TestConcurrentWritersTwoHandles(t *testing.T) {
	a := newTestStore(t) // creates the record, so it is cleaned up
	b := New(a.client, WithPrefix(a.prefix))
	storetest.RunConcurrentWriters(t, storetest.Writers, a, b)
}
