package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// fakeClock is a settable clock for the Clock option.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a store on a fresh SQLite file that the test removes.
func openTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := openSQLite(filepath.Join(t.TempDir(), "sessions.db"), opts...)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawDB opens a second, plain handle on the store's file, to look at the
// table as another program would.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustCreate(t testing.TB, s *Store, key string, data string, expiry time.Time) session.Version {
	t.Helper()
	v, err := s.Create(context.Background(), key, session.Record{Data: []byte(data), Expiry: expiry})
	if err != nil {
		t.Fatalf("Create(%s): %v", key, err)
	}
	return v
}

func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got %v, want an error matching %v", what, err, target)
	}
}
