package tieredstore

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/tetherweb/tether/internal/ratelog"
	"github.com/tetherweb/tether/session"
)

func TestEntryFormat(t *testing.T) {
	expiry := time.Date(2031, 2, 3, 4, 5, 6, 789, time.UTC)
	asOf := time.Now()
	rec := session.Record{Data: []byte("data\x00\xff"), Expiry: expiry, Version: 1<<63 + 5}
	b := encodeRecord(rec, asOf)
	e, err := decodeEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	if e.kind != kindRecord || e.version != rec.Version || !e.expiry.Equal(expiry) || e.asOf != asOf.UnixNano() || !bytes.Equal(e.data, rec.Data) {
		t.Fatalf("decoded %+v", e)
	}
	if cap(e.data) != len(e.data) {
		t.Error("decoded data has spare capacity")
	}
	old := time.Date(1960, 1, 1, 0, 0, 0, 5, time.UTC) // before 1970
	if e, _ := decodeEntry(encodeRecord(session.Record{Version: 1, Expiry: old}, asOf)); !e.expiry.Equal(old) {
		t.Errorf("expiry %v decoded as %v", old, e.expiry)
	}
	if e, err := decodeEntry(leaseData); err != nil || e.kind != kindLease {
		t.Errorf("lease decoded as %+v, %v", e, err)
	}
	for _, bad := range [][]byte{
		nil, []byte("TC"), b[:entryHeader-1],
		append([]byte("XX"), b[2:]...),
		append([]byte("TCZ"), b[3:]...),
		append([]byte("TCR"), make([]byte, entryHeader-3)...), // version 0
	} {
		if _, err := decodeEntry(bad); !errors.Is(err, errBadEntry) {
			t.Errorf("decodeEntry(%q) = %v, want errBadEntry", bad, err)
		}
	}
}

// TestForeignCacheEntry: cache data that is not an entry of ours is never
// served; Load replaces it with the durable record.
func TestForeignCacheEntry(t *testing.T) {
	cache, durable := newMemstore(t), newMemstore(t)
	s := New(cache, durable, WithLogger(discardLogger()))
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, durable, key, "durable")
	if _, err := cache.Create(ctx, key, session.Record{Data: []byte("garbage"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	wantLoad(t, s, key, "durable", v)
	if e, ok := cached(t, cache, key); !ok || e.version != v {
		t.Fatalf("the foreign entry was not replaced: %+v %v", e, ok)
	}

	// Create over a key whose cache slot holds something: the entry is
	// dropped, never kept for the new record.
	k2 := session.NewKey()
	if _, err := cache.Create(ctx, k2, session.Record{Data: encodeRecord(session.Record{Data: []byte("ghost"), Version: 77, Expiry: time.Now().Add(time.Hour)}, time.Now()), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	v2 := mustCreate(t, s, k2, "real")
	wantLoad(t, s, k2, "real", v2)
}

// TestExpiredEntryNotServed: an entry whose durable expiry has passed is
// not served even if the cache still returns it.
func TestExpiredEntryNotServed(t *testing.T) {
	cache, durable := newMemstore(t), newMemstore(t)
	s := New(cache, durable, WithLogger(discardLogger()))
	ctx := context.Background()
	key := session.NewKey()
	past := session.Record{Data: []byte("dead"), Version: 9, Expiry: time.Now().Add(-time.Second)}
	// The cache's own expiry is later than the record's, as with a clock
	// skew between the tiers.
	if _, err := cache.Create(ctx, key, session.Record{Data: encodeRecord(past, time.Now()), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx, key)
	wantErr(t, "Load of an expired entry", err, session.ErrNotFound)
}

func TestListCountUnsupported(t *testing.T) {
	s := New(newMemstore(t), newHookStore(newMemstore(t)))
	ctx := context.Background()
	_, err := s.List(ctx, "", 10)
	wantErr(t, "List", err, errors.ErrUnsupported)
	_, err = s.Count(ctx)
	wantErr(t, "Count", err, errors.ErrUnsupported)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.List(cancelled, "", 10)
	wantErr(t, "List with a cancelled context", err, context.Canceled)
	_, err = s.Count(cancelled)
	wantErr(t, "Count with a cancelled context", err, context.Canceled)
}

func TestNewNeedsBothStores(t *testing.T) {
	for _, c := range []struct{ cache, durable session.Store }{{nil, newMemstore(t)}, {newMemstore(t), nil}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("New with a nil store did not panic")
				}
			}()
			New(c.cache, c.durable)
		}()
	}
}

// TestCacheErrorsNeverReturned: with every cache call failing, every
// operation behaves as the durable store alone, and the warnings are
// rate-limited.
func TestCacheErrorsNeverReturned(t *testing.T) {
	cache := newHookStore(newMemstore(t))
	for _, p := range []string{"load:before", "create:before", "update:before", "delete:before", "deleteexpired:before"} {
		cache.on("*", p, func() error { return errInjected })
	}
	logs := &logRecorder{}
	s := New(cache, newSQLite(t), WithLogger(slog.New(logs)))
	clock := &fakeClock{} // the wall clock, until advanced
	s.now = clock.Now
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, s, key, "one")
	wantLoad(t, s, key, "one", v)
	v = mustUpdate(t, ctx, s, key, "two", v)
	wantLoad(t, s, key, "two", v)
	_, err := s.Update(ctx, key, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: v + 1})
	wantErr(t, "stale Update", err, session.ErrConflict)
	if _, err := s.DeleteExpired(ctx, 0); err != nil {
		t.Errorf("DeleteExpired: %v", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = s.Load(ctx, key)
	wantErr(t, "Load after Delete", err, session.ErrNotFound)
	if errors.Is(err, errInjected) {
		t.Errorf("a cache error reached the caller: %v", err)
	}
	if n := len(logs.at(slog.LevelWarn)); n != 1 {
		t.Errorf("%d warnings for a burst of cache failures, want 1 (rate-limited)", n)
	}

	// Past the interval (and the breaker's back-off, so the Load tries
	// the cache again), the next failure is logged with the count of
	// those that were not.
	clock.Advance(ratelog.DefaultInterval)
	s.Load(ctx, key)
	warns := logs.at(slog.LevelWarn)
	if len(warns) != 2 {
		t.Fatalf("%d warnings, want 2", len(warns))
	}
	var unlogged int64
	warns[1].Attrs(func(a slog.Attr) bool {
		if a.Key == "unlogged_failures" {
			unlogged = a.Value.Int64()
		}
		return true
	})
	if unlogged == 0 {
		t.Error("the second warning does not count the failures not logged")
	}

	// The cache comes back: once the breaker lets an operation try it
	// again, an Info record, and the cache is used.
	cache.clear()
	clock.Advance(MaxBreakerBackoff)
	k2 := session.NewKey()
	v2 := mustCreate(t, s, k2, "back")
	if len(logs.at(slog.LevelInfo)) != 1 {
		t.Errorf("want one Info record when the cache answers again:\n%s", logs.text())
	}
	if e, ok := cached(t, cache, k2); !ok || e.version != v2 {
		t.Errorf("cache not filled after it came back: %+v %v", e, ok)
	}
}

// TestCancelledWriteStillInvalidates: a caller that gives up after its
// durable write must not leave the old entry in the cache.
func TestCancelledWriteStillInvalidates(t *testing.T) {
	cache, durable := newMemstore(t), newHookStore(newMemstore(t))
	s := New(cache, durable, WithLogger(discardLogger()))
	key := session.NewKey()
	v1 := mustCreate(t, s, key, "one")
	ctx, cancel := context.WithCancel(context.Background())
	durable.on("*", "update:after", func() error { cancel(); return nil })
	v2, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: time.Now().Add(time.Hour), Version: v1})
	if err != nil {
		t.Fatal(err)
	}
	durable.clear()
	if e, ok := cached(t, cache, key); ok && e.version != v2 {
		t.Fatalf("the cache kept version %d after the write of %d", e.version, v2)
	}
	wantLoad(t, s, key, "two", v2)
}

// TestHitTouchesOnlyTheCache: a hit costs one cache Load and nothing else.
func TestHitTouchesOnlyTheCache(t *testing.T) {
	cache, durable := newHookStore(newMemstore(t)), newHookStore(newMemstore(t))
	s := New(cache, durable)
	key := session.NewKey()
	v := mustCreate(t, s, key, "x")
	loads, creates, updates := cache.count("load:before"), cache.count("create:before"), cache.count("update:before")
	durableLoads := durable.count("load:before")
	wantLoad(t, s, key, "x", v)
	if cache.count("load:before") != loads+1 || cache.count("create:before") != creates || cache.count("update:before") != updates {
		t.Error("a hit made cache calls besides one Load")
	}
	if durable.count("load:before") != durableLoads {
		t.Error("a hit reached the durable store")
	}
}
