package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// runWriters has writers goroutines each append its number to one key's
// data with Load, modify, Update, retrying on ErrConflict only; goroutine i
// uses stores[i%len(stores)]. Any other error (SQLITE_BUSY, "database is
// locked") fails the test, and every append must be there exactly once.
func runWriters(t *testing.T, writers int, stores ...*Store) {
	t.Helper()
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	mustCreate(t, stores[0], key, "", expiry)

	var (
		wg        sync.WaitGroup
		start     = make(chan struct{})
		conflicts atomic.Int64
	)
	for i := range writers {
		s := stores[i%len(stores)]
		wg.Go(func() {
			<-start
			for {
				rec, err := s.Load(ctx, key)
				if err != nil {
					t.Errorf("writer %d: Load: %v", i, err)
					return
				}
				data := append(slices.Clip(rec.Data), strconv.Itoa(i)+";"...)
				_, err = s.Update(ctx, key, session.Record{Data: data, Expiry: expiry, Version: rec.Version})
				if errors.Is(err, session.ErrConflict) {
					conflicts.Add(1)
					continue
				}
				if err != nil {
					t.Errorf("writer %d: Update: %v", i, err)
				}
				return
			}
		})
	}
	close(start)
	wg.Wait()

	rec, err := stores[0].Load(ctx, key)
	if err != nil {
		t.Fatalf("final Load: %v", err)
	}
	seen := make(map[int]int)
	for f := range strings.SplitSeq(strings.TrimSuffix(string(rec.Data), ";"), ";") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("final data: bad field %q", f)
		}
		seen[n]++
	}
	for i := range writers {
		if seen[i] != 1 {
			t.Errorf("writer %d: its write is there %d times, want 1", i, seen[i])
		}
	}
	t.Logf("%d writers on %d handle(s): %d conflicts retried", writers, len(stores), conflicts.Load())
}

// TestConcurrentWriters: 200 writers on one store (its in-process write
// queue) lose nothing and never see "database is locked".
func TestConcurrentWriters(t *testing.T) {
	runWriters(t, 200, openTest(t))
}

// TestConcurrentWritersSeparateHandles: the same across four *sql.DB
// handles on one file, as four processes would be: their writes meet only
// in SQLite's own locking (WAL and the busy timeout).
func TestConcurrentWritersSeparateHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	var stores []*Store
	for range 4 {
		s, err := openSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	runWriters(t, 200, stores...)
}
