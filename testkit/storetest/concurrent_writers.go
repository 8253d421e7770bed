package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Writers racing on one key, creators racing on one new key, and a
// Delete racing Updates.

// RunConcurrentWriters makes writers goroutines append their number to the
// data of one key, each with load, modify and Update, retrying on
// ErrConflict, and checks that no append was lost. Goroutine i uses
// stores[i%len(stores)], so handing several stores over one backend (two
// clients, two processes' worth of handles on a directory) checks that the
// compare-and-swap holds between them, not only inside one of them. The
// stores must share their records.
func RunConcurrentWriters(t *testing.T, writers int, stores ...session.Store) {
	t.Helper()
	if len(stores) == 0 {
		t.Fatal("storetest: RunConcurrentWriters needs a store")
	}
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	if _, err := stores[0].Create(ctx, key, session.Record{Data: []byte{}, Expiry: expiry}); err != nil {
		t.Fatalf("Create: %v", err)
	}

	// A writer that cannot get through in this many rounds is starved by
	// a store that reports conflicts it should not.
	maxAttempts := 100 * writers
	var (
		wg        sync.WaitGroup
		start     = make(chan struct{})
		mu        sync.Mutex
		conflicts int
	)
	for i := range writers {
		wg.Add(1)
		go func(id int, s session.Store) {
			defer wg.Done()
			<-start
			for attempt := 1; ; attempt++ {
				if attempt > maxAttempts {
					t.Errorf("writer %d: no successful Update after %d attempts", id, maxAttempts)
					return
				}
				rec, err := s.Load(ctx, key)
				if err != nil {
					t.Errorf("writer %d: Load: %v", id, err)
					return
				}
				data := make([]byte, 0, len(rec.Data)+8)
				data = append(data, rec.Data...)
				data = strconv.AppendInt(data, int64(id), 10)
				data = append(data, ';')
				_, err = s.Update(ctx, key, session.Record{Data: data, Expiry: expiry, Version: rec.Version})
				if errors.Is(err, session.ErrConflict) {
					mu.Lock()
					conflicts++
					mu.Unlock()
					continue
				}
				if err != nil {
					t.Errorf("writer %d: Update: %v", id, err)
				}
				return
			}
		}(i, stores[i%len(stores)])
	}
	close(start)
	wg.Wait()

	rec, err := stores[0].Load(ctx, key)
	if err != nil {
		t.Fatalf("final Load: %v", err)
	}
	seen := make(map[int]int)
	for _, f := range strings.Split(strings.TrimSuffix(string(rec.Data), ";"), ";") {
		if f == "" {
			continue
		}
		id, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("final data %q: bad field %q", rec.Data, f)
		}
		seen[id]++
	}
	for i := range writers {
		switch seen[i] {
		case 1:
		case 0:
			t.Errorf("writer %d: its append was lost", i)
		default:
			t.Errorf("writer %d: its append is there %d times", i, seen[i])
		}
	}
	if len(seen) != writers {
		t.Errorf("final data has %d writers, want %d: %q", len(seen), writers, rec.Data)
	}
	t.Logf("%d writers, %d conflicts retried", writers, conflicts)
}

func testConcurrentCreates(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		winners []int
		version session.Version
	)
	for i := range Creators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			v, err := s.Create(ctx, key, session.Record{Data: []byte("creator " + strconv.Itoa(i)), Expiry: expiry})
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, i)
				version = v
				mu.Unlock()
			case errors.Is(err, session.ErrExists):
			default:
				t.Errorf("creator %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d Creates of one key succeeded (%v), want exactly 1", len(winners), winners)
	}
	wantRecord(t, o, s, key, []byte("creator "+strconv.Itoa(winners[0])), expiry, version)
}

// testDeleteWhileUpdating deletes a record that goroutines keep updating:
// once Delete has returned, no Update that was in flight may bring the
// record back (a logout must not be undone by a slow request).
func testDeleteWhileUpdating(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	const rounds, updaters = 5, 8
	// How many operations an updater may still make after the Delete has
	// returned without seeing ErrNotFound; only a resurrected record lets
	// it go on that long.
	const afterDelete = 200
	for round := range rounds {
		key := session.NewKey()
		expiry := time.Now().Add(time.Hour)
		mustCreate(t, s, key, []byte("0"), expiry)
		var (
			wg      sync.WaitGroup
			updates atomic.Int64
			deleted atomic.Bool
		)
		for u := range updaters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				left := afterDelete
				for {
					if deleted.Load() {
						if left == 0 {
							t.Errorf("round %d updater %d: record still there %d operations after Delete", round, u, afterDelete)
							return
						}
						left--
					}
					rec, err := s.Load(ctx, key)
					if errors.Is(err, session.ErrNotFound) {
						return
					}
					if err != nil {
						t.Errorf("Load: %v", err)
						return
					}
					_, err = s.Update(ctx, key, session.Record{Data: []byte(strconv.Itoa(u)), Expiry: expiry, Version: rec.Version})
					switch {
					case err == nil:
						updates.Add(1)
					case errors.Is(err, session.ErrNotFound):
						return
					case !errors.Is(err, session.ErrConflict):
						t.Errorf("Update: %v", err)
						return
					}
				}
			}()
		}
		// Delete while updates are under way.
		for deadline := time.Now().Add(5 * time.Second); updates.Load() < 20 && time.Now().Before(deadline); {
			runtime.Gosched()
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		deleted.Store(true)
		wg.Wait()
		_, err := s.Load(ctx, key)
		wantErr(t, fmt.Sprintf("round %d: Load after Delete and the updates in flight", round), err, session.ErrNotFound)
	}
}
