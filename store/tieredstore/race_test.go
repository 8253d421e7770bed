package tieredstore

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// raceRig is a tiered store over memory stores, both wrapped in hooks.
type raceRig struct {
	cache, durable *hookStore
	s              *Store
	log            *logRecorder
}

func newRaceRig(t *testing.T) *raceRig {
	r := &raceRig{
		cache:   newHookStore(newMemstore(t)),
		durable: newHookStore(newMemstore(t)),
		log:     &logRecorder{},
	}
	r.s = New(r.cache, r.durable, WithLogger(slog.New(r.log)))
	return r
}

// pause makes the first call of tag at point wait: reached is closed when
// it gets there, and it goes on once release is closed.
func pause(h *hookStore, tag, point string) (reached, release chan struct{}) {
	reached, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.on(tag, point, func() error {
		once.Do(func() {
			close(reached)
			<-release
		})
		return nil
	})
	return reached, release
}

// goUpdate runs s.Update in a goroutine; the returned channel yields its
// version once it is done.
func goUpdate(t *testing.T, ctx context.Context, s *Store, key, data string, v session.Version) <-chan session.Version {
	done := make(chan session.Version, 1)
	go func() {
		nv, err := s.Update(ctx, key, session.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour), Version: v})
		if err != nil {
			t.Errorf("Update(%s): %v", data, err)
		}
		done <- nv
	}()
	return done
}

// wait receives from ch or fails the test after a deadline.
func wait[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still waiting after 10s", what)
		panic("unreachable")
	}
}

// TestRaceLateCacheWrite is the race of two writers: A writes durable
// version 2, B writes version 3, and A's cache step comes after B's
// entirely. The cache must not end up holding A's version 2.
func TestRaceLateCacheWrite(t *testing.T) {
	r := newRaceRig(t)
	bg := context.Background()
	key := session.NewKey()
	v1 := mustCreate(t, r.s, key, "one")
	wantLoad(t, r.s, key, "one", v1) // a hit: the cache holds version 1

	// A stops right after its durable write.
	reached, release := pause(r.durable, "A", "update:after")
	aDone := goUpdate(t, tagged(bg, "A"), r.s, key, "A", v1)
	wait(t, "A's durable write", reached)

	// B, a request that read A's write from the database, writes on.
	recA, err := r.durable.inner.Load(bg, key)
	if err != nil {
		t.Fatal(err)
	}
	vB := mustUpdate(t, tagged(bg, "B"), r.s, key, "B", recA.Version)

	close(release)
	vA := wait(t, "A's Update", aDone)
	if vA != recA.Version {
		t.Fatalf("A returned version %d, the durable store holds %d for it", vA, recA.Version)
	}
	if e, ok := cached(t, r.cache, key); ok && e.kind == kindRecord && e.version != vB {
		t.Fatalf("the cache holds version %d (%q) while the durable store holds %d", e.version, e.data, vB)
	}
	wantLoad(t, r.s, key, "B", vB)
	wantLoad(t, r.s, key, "B", vB) // and from the cache, refilled
}

// TestRaceInterleavedCacheSteps: A reads the cache entry (version 1), B
// writes and runs its whole cache step, then A's compare-and-swap on the
// cache lands. It must fail, whether B deleted the entry or a reader has
// refilled it with B's version meanwhile.
func TestRaceInterleavedCacheSteps(t *testing.T) {
	for _, refill := range []bool{false, true} {
		name := "deleted"
		if refill {
			name = "refilled"
		}
		t.Run(name, func(t *testing.T) {
			r := newRaceRig(t)
			bg := context.Background()
			key := session.NewKey()
			v1 := mustCreate(t, r.s, key, "one")

			// A stops between its cache Load and its cache Update.
			reached, release := pause(r.cache, "A", "load:after")
			aDone := goUpdate(t, tagged(bg, "A"), r.s, key, "A", v1)
			wait(t, "A's cache read", reached)

			recA, err := r.durable.inner.Load(bg, key)
			if err != nil {
				t.Fatal(err)
			}
			vB := mustUpdate(t, tagged(bg, "B"), r.s, key, "B", recA.Version)
			if refill {
				wantLoad(t, r.s, key, "B", vB) // a miss that fills version B
				if e, ok := cached(t, r.cache, key); !ok || e.version != vB {
					t.Fatalf("no refill of B: %+v %v", e, ok)
				}
			}
			close(release)
			wait(t, "A's Update", aDone)

			if e, ok := cached(t, r.cache, key); ok && e.kind == kindRecord && e.version != vB {
				t.Fatalf("the cache holds version %d (%q) while the durable store holds %d", e.version, e.data, vB)
			}
			wantLoad(t, r.s, key, "B", vB)
		})
	}
}

// TestRaceFillOvertaken: a reader misses, loads version 1 from the
// durable store, and is overtaken by a writer before it fills the cache.
// Its fill must not land.
func TestRaceFillOvertaken(t *testing.T) {
	r := newRaceRig(t)
	bg := context.Background()
	key := session.NewKey()
	v1 := mustCreate(t, r.s, key, "one")
	if err := r.cache.inner.Delete(bg, key); err != nil { // evicted
		t.Fatal(err)
	}

	reached, release := pause(r.durable, "R", "load:after")
	loaded := make(chan session.Record, 1)
	go func() {
		rec, err := r.s.Load(tagged(bg, "R"), key)
		if err != nil {
			t.Errorf("reader: %v", err)
		}
		loaded <- rec
	}()
	wait(t, "the reader's durable read", reached)
	if e, ok := cached(t, r.cache, key); !ok || e.kind != kindLease {
		t.Fatalf("the reader holds no lease: %+v", e)
	}

	v2 := mustUpdate(t, tagged(bg, "W"), r.s, key, "two", v1)
	close(release)
	if rec := wait(t, "the reader", loaded); string(rec.Data) != "one" {
		t.Fatalf("reader got %q, want what it read, %q", rec.Data, "one")
	}
	if e, ok := cached(t, r.cache, key); ok {
		t.Fatalf("the overtaken fill landed: the cache holds %q version %d", e.data, e.version)
	}
	wantLoad(t, r.s, key, "two", v2)
	before := r.durable.count("load:before")
	wantLoad(t, r.s, key, "two", v2)
	if r.durable.count("load:before") != before {
		t.Error("the second Load after the refill reached the durable store")
	}
}

// TestRaceFillAfterDelete: a reader overtaken by a Delete (a logout) must
// not bring the session back into the cache.
func TestRaceFillAfterDelete(t *testing.T) {
	r := newRaceRig(t)
	bg := context.Background()
	key := session.NewKey()
	mustCreate(t, r.s, key, "logged in")
	if err := r.cache.inner.Delete(bg, key); err != nil {
		t.Fatal(err)
	}

	reached, release := pause(r.durable, "R", "load:after")
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.s.Load(tagged(bg, "R"), key)
	}()
	wait(t, "the reader's durable read", reached)
	if err := r.s.Delete(bg, key); err != nil {
		t.Fatal(err)
	}
	close(release)
	wait(t, "the reader", done)
	_, err := r.s.Load(bg, key)
	wantErr(t, "Load after the Delete", err, session.ErrNotFound)
}

// TestRaceCreateFill: a Create fills the cache under a lease taken before
// its durable write; a writer that gets in between (it would need the new
// key, so another caller than the Manager) makes the fill fail.
func TestRaceCreateFill(t *testing.T) {
	r := newRaceRig(t)
	bg := context.Background()
	key := session.NewKey()

	reached, release := pause(r.durable, "C", "create:after")
	created := make(chan session.Version, 1)
	go func() {
		v, err := r.s.Create(tagged(bg, "C"), key, session.Record{Data: []byte("created"), Expiry: time.Now().Add(time.Hour)})
		if err != nil {
			t.Errorf("Create: %v", err)
		}
		created <- v
	}()
	wait(t, "the durable Create", reached)
	rec, err := r.durable.inner.Load(bg, key)
	if err != nil {
		t.Fatal(err)
	}
	v2 := mustUpdate(t, bg, r.s, key, "updated", rec.Version)
	close(release)
	wait(t, "Create", created)
	wantLoad(t, r.s, key, "updated", v2)

	// Without a race, Create leaves the record in the cache.
	k2 := session.NewKey()
	v := mustCreate(t, r.s, k2, "fresh")
	if e, ok := cached(t, r.cache, k2); !ok || e.version != v || string(e.data) != "fresh" {
		t.Fatalf("after Create the cache holds %+v (%v)", e, ok)
	}
}

// TestFailedInvalidationDistrusts: when a writer's cache step fails, the
// entry it could not fix must not be served once the cache answers again.
func TestFailedInvalidationDistrusts(t *testing.T) {
	cases := []struct {
		name   string
		points []string // cache points that fail for the writer
	}{
		{"cache down", []string{"load:before", "update:before", "delete:before"}},
		// The compare-and-swap happened but its answer was lost, and the
		// delete that follows fails too.
		{"answer lost", []string{"update:after", "delete:before"}},
		{"delete fails after a conflict", []string{"delete:before"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRaceRig(t)
			clock := &fakeClock{}
			r.s.now = clock.Now
			bg := context.Background()
			key := session.NewKey()
			v1 := mustCreate(t, r.s, key, "one")
			wantLoad(t, r.s, key, "one", v1)
			for _, p := range c.points {
				r.cache.on("W", p, func() error { return errInjected })
			}
			var v2 session.Version
			if c.name == "delete fails after a conflict" {
				// The database changed; the writer's stale Update
				// conflicts and its invalidation fails.
				rec, _ := r.durable.inner.Load(bg, key)
				v2 = mustUpdate(t, bg, r.durable.inner, key, "two", rec.Version)
				_, err := r.s.Update(tagged(bg, "W"), key, session.Record{Data: []byte("lost"), Expiry: time.Now().Add(time.Hour), Version: v1})
				wantErr(t, "stale Update", err, session.ErrConflict)
			} else {
				v2 = mustUpdate(t, tagged(bg, "W"), r.s, key, "two", v1)
			}
			if len(r.log.at(slog.LevelWarn)) == 0 {
				t.Error("no warning logged for the failed cache step")
			}
			wantLoad(t, r.s, key, "two", v2)
			// Entries filled within ClockSkewMargin of the failure are
			// distrusted too (see TestDistrustClockSkew); after it, the
			// entry is refilled once and served again.
			before := r.durable.count("load:before")
			wantLoad(t, r.s, key, "two", v2)
			if r.durable.count("load:before") == before {
				t.Error("an entry filled just after the failure was served")
			}
			clock.Advance(ClockSkewMargin)
			wantLoad(t, r.s, key, "two", v2)
			before = r.durable.count("load:before")
			wantLoad(t, r.s, key, "two", v2)
			if r.durable.count("load:before") != before {
				t.Error("the entry was not refilled: a second Load reached the durable store")
			}
		})
	}
}
