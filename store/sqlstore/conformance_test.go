package sqlstore_test

import (
	"path/filepath"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestConformance runs the shared Store suite on a fresh SQLite file per
// subtest, with hashed keys (the default) and with raw keys.
func TestConformance(t *testing.T) {
	for _, hash := range []bool{true, false} {
		name := "hashed"
		if !hash {
			name = "raw"
		}
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) session.Store {
				s, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"), sqlstore.WithHashKeys(hash))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

// TestConcurrentRequests: 200 concurrent requests of one client through a
// session.Manager lose no write.
func TestConcurrentRequests(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
