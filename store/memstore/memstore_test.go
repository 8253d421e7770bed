package memstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		s := New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// A single shard is a plain map behind one lock: it must behave the same.
func TestConformanceOneShard(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		s := newStore(config{shards: 1})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stored reports how many records, live or dead, the store holds.
func stored(s *Store) int {
	n := 0
	for i := range s.c.shards {
		sh := &s.c.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

func TestJanitorRemovesExpired(t *testing.T) {
	s := New(WithCleanupInterval(10 * time.Millisecond))
	defer s.Close()
	ctx := context.Background()
	live := session.NewKey()
	if _, err := s.Create(ctx, live, session.Record{Data: []byte("live"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("dead"), Expiry: time.Now().Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 5*time.Second, "janitor removing expired records", func() bool { return stored(s) == 1 })
	if _, err := s.Load(ctx, live); err != nil {
		t.Fatalf("live record gone after cleanup: %v", err)
	}
}

func TestNoJanitor(t *testing.T) {
	s := New(WithCleanupInterval(0))
	if s.c.janitor != nil {
		t.Fatal("WithCleanupInterval(0) started a janitor")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close without a janitor: %v", err)
	}
	ctx := context.Background()
	if _, err := s.Create(ctx, session.NewKey(), session.Record{Expiry: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpired(ctx, 0); n != 1 || err != nil {
		t.Fatalf("DeleteExpired = %d, %v; want 1, nil", n, err)
	}
}

func TestCloseStopsJanitor(t *testing.T) {
	s := New(WithCleanupInterval(time.Millisecond))
	j := s.c.janitor
	if j == nil {
		t.Fatal("no janitor started")
	}
	select {
	case <-j.done:
		t.Fatal("janitor stopped before Close")
	default:
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-j.done: // Close waits for the goroutine to return
	default:
		t.Fatal("janitor still running after Close returned")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	// The store still works, without periodic cleanup.
	ctx := context.Background()
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("after close"), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("Create after Close: %v", err)
	}
	if rec, err := s.Load(ctx, key); err != nil || rec.Version != v {
		t.Fatalf("Load after Close = %+v, %v", rec, err)
	}
}

func TestUnreachableStoreStopsJanitor(t *testing.T) {
	done := func() <-chan struct{} {
		s := New(WithCleanupInterval(time.Hour))
		return s.c.janitor.done
	}()
	eventually(t, 10*time.Second, "janitor of a collected store stopping", func() bool {
		runtime.GC()
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
}

func TestLoadDoesNotAllocate(t *testing.T) {
	s := New(WithCleanupInterval(0))
	ctx := context.Background()
	key, missing := session.NewKey(), session.NewKey()
	if _, err := s.Create(ctx, key, session.Record{Data: []byte("data"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { s.Load(ctx, key) }); n != 0 {
		t.Errorf("Load of a live record: %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { s.Load(ctx, missing) }); n != 0 {
		t.Errorf("Load of a missing record: %v allocations, want 0", n)
	}
}

func TestErrorsWrapped(t *testing.T) {
	s := New(WithCleanupInterval(0))
	ctx := context.Background()
	_, err := s.Load(ctx, session.NewKey())
	if !errors.Is(err, session.ErrNotFound) || err.Error() != "memstore: load: session: record not found" {
		t.Errorf("Load error = %q", err)
	}
}

func BenchmarkLoad(b *testing.B) {
	s := New(WithCleanupInterval(0))
	ctx := context.Background()
	key := session.NewKey()
	if _, err := s.Create(ctx, key, session.Record{Data: make([]byte, 256), Expiry: time.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadParallel loads from 1024 sessions on every CPU, with one
// shard (a single RWMutex) and with the default sharding.
func BenchmarkLoadParallel(b *testing.B) {
	for _, shards := range []int{1, shardCount} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			s := newStore(config{shards: shards})
			ctx := context.Background()
			keys := make([]string, 1024)
			for i := range keys {
				keys[i] = session.NewKey()
				if _, err := s.Create(ctx, keys[i], session.Record{Data: make([]byte, 256), Expiry: time.Now().Add(time.Hour)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := s.Load(ctx, keys[i&1023]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}

func BenchmarkUpdate(b *testing.B) {
	s := New(WithCleanupInterval(0))
	ctx := context.Background()
	key := session.NewKey()
	rec := session.Record{Data: make([]byte, 256), Expiry: time.Now().Add(time.Hour)}
	v, err := s.Create(ctx, key, rec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec.Version = v
		if v, err = s.Update(ctx, key, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateParallel does load-modify-update cycles on 1024 sessions
// from every CPU (conflicts are retried).
func BenchmarkUpdateParallel(b *testing.B) {
	for _, shards := range []int{1, shardCount} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			s := newStore(config{shards: shards})
			ctx := context.Background()
			keys := make([]string, 1024)
			data := make([]byte, 256)
			for i := range keys {
				keys[i] = session.NewKey()
				if _, err := s.Create(ctx, keys[i], session.Record{Data: data, Expiry: time.Now().Add(time.Hour)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					key := keys[i&1023]
					i++
					for {
						rec, err := s.Load(ctx, key)
						if err != nil {
							b.Error(err)
							return
						}
						rec.Data = data
						if _, err = s.Update(ctx, key, rec); err == nil {
							break
						} else if !errors.Is(err, session.ErrConflict) {
							b.Error(err)
							return
						}
					}
				}
			})
		})
	}
}

// TestConcurrentRequests: 200 concurrent requests of one client through a
// session.Manager lose no write.
func TestConcurrentRequests(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		s := New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}
