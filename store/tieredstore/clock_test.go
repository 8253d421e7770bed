package tieredstore

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// fakeClock is a settable clock: a fixed instant, moved by Set, or the
// wall clock plus an offset.
type fakeClock struct {
	mu     sync.Mutex
	fixed  time.Time
	offset time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now().Add(c.offset)
}

// Set stops the clock at t.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.fixed = t
	c.mu.Unlock()
}

// Advance moves the clock by d.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	if !c.fixed.IsZero() {
		c.fixed = c.fixed.Add(d)
	}
	c.mu.Unlock()
}

// TestEntryNeverOutlivesDurable: sqlstore keeps expiry instants truncated
// to the millisecond (and its Django mode moves them back by up to 999µs),
// so a cache entry holding the caller's exact Expiry could be served for up
// to a millisecond after the durable record died. The tiered store and the
// durable store share a fake clock here; the cache (memstore) keeps the
// entries, whose expiry is an hour away on the wall clock.
func TestEntryNeverOutlivesDurable(t *testing.T) {
	ctx := context.Background()
	newRig := func(t *testing.T, opts ...sqlstore.Option) (*Store, *hookStore, *fakeClock) {
		clock := &fakeClock{}
		clock.Set(time.Now())
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"), append(opts, sqlstore.WithClock(clock.Now))...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		durable := newHookStore(db)
		s := New(newMemstore(t), durable, WithLogger(discardLogger()))
		s.now = clock.Now
		return s, durable, clock
	}

	t.Run("milliseconds", func(t *testing.T) {
		s, durable, clock := newRig(t)
		ms := time.Now().Add(time.Hour).Truncate(time.Millisecond)
		expiry := ms.Add(500 * time.Microsecond) // the durable record dies at ms
		key := session.NewKey()
		v, err := s.Create(ctx, key, session.Record{Data: []byte("x"), Expiry: expiry})
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			at      time.Time
			durable bool // the Load reaches the durable store
			live    bool
		}{
			{ms.Add(-time.Millisecond - time.Microsecond), false, true}, // served from the cache
			{ms.Add(-time.Millisecond), true, true},                     // the entry is dead 1ms early
			{ms.Add(-time.Microsecond), true, true},
			{ms, true, false}, // the durable record is dead
			{expiry.Add(-time.Microsecond), true, false},
		}
		for _, st := range steps {
			clock.Set(st.at)
			before := durable.count("load:before")
			rec, err := s.Load(ctx, key)
			if reached := durable.count("load:before") != before; reached != st.durable {
				t.Errorf("at expiry%+v: Load reached the durable store: %v, want %v", st.at.Sub(expiry), reached, st.durable)
			}
			if st.live && (err != nil || rec.Version != v) {
				t.Errorf("at expiry%+v: Load = %+v, %v; want the record", st.at.Sub(expiry), rec, err)
			}
			if !st.live {
				wantErr(t, "Load after the durable record died", err, session.ErrNotFound)
			}
			if err == nil && rec.Expiry.After(ms) {
				t.Errorf("Load returned expiry %v, after the stored %v", rec.Expiry, ms)
			}
		}
	})

	t.Run("django", func(t *testing.T) {
		s, _, clock := newRig(t, sqlstore.WithDjangoTable())
		expiry := time.Now().Add(time.Hour).Truncate(time.Millisecond)
		// Django mode stores expiry moved back by 0-999µs; find a
		// record it moved.
		var (
			key    string
			stored time.Time
		)
		for range 10 {
			key = session.NewKey()
			if _, err := s.Create(ctx, key, session.Record{Data: []byte("x"), Expiry: expiry}); err != nil {
				t.Fatal(err)
			}
			rec, err := s.durable.Load(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if stored = rec.Expiry; stored.Before(expiry) {
				break
			}
		}
		if !stored.Before(expiry) {
			t.Fatalf("Django mode stored %v for %v ten times", stored, expiry)
		}
		clock.Set(stored) // the durable record is dead from then on
		_, err := s.Load(ctx, key)
		wantErr(t, "Load once the durable record died", err, session.ErrNotFound)
	})
}

// TestDistrustClockSkew: after a failed invalidation, an entry filled by a
// process whose clock runs ahead (its asOf is later than the failure on
// this process's clock) must still be distrusted; the distrust ends
// ClockSkewMargin after the failure.
func TestDistrustClockSkew(t *testing.T) {
	r := newRaceRig(t)
	bg := context.Background()
	clock := &fakeClock{} // this process: the wall clock, until advanced
	r.s.now = clock.Now
	other := New(r.cache, r.durable, WithLogger(discardLogger()))
	other.now = func() time.Time { return time.Now().Add(ClockSkewMargin / 2) } // a clock running ahead

	key := session.NewKey()
	v1 := mustCreate(t, r.s, key, "one")
	if err := r.cache.inner.Delete(bg, key); err != nil {
		t.Fatal(err)
	}
	wantLoad(t, other, key, "one", v1) // the other process fills the cache
	if e, ok := cached(t, r.cache, key); !ok || e.version != v1 {
		t.Fatalf("the other process's fill: %+v, %v", e, ok)
	}

	// This process writes version 2; its cache steps all fail, leaving
	// the other process's entry for version 1.
	for _, p := range []string{"load:before", "update:before", "delete:before"} {
		r.cache.on("W", p, func() error { return errInjected })
	}
	v2 := mustUpdate(t, tagged(bg, "W"), r.s, key, "two", v1)
	wantLoad(t, r.s, key, "two", v2)

	// The distrust ends ClockSkewMargin after the failure: the entry is
	// then refilled once and served from the cache again.
	clock.Advance(ClockSkewMargin)
	wantLoad(t, r.s, key, "two", v2) // refills
	before := r.durable.count("load:before")
	wantLoad(t, r.s, key, "two", v2)
	if r.durable.count("load:before") != before {
		t.Error("the entry is still distrusted ClockSkewMargin after the failure")
	}
}
