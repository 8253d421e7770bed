// Package storetest is the conformance suite every session.Store must pass.
//
// A store package runs it from its tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) session.Store {
//			s := mystore.New(...)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Each subtest calls newStore for a fresh, empty store, so a store backed by
// a shared service must empty it (or use a new table, prefix or database)
// in newStore. Subtests run one after the other.
//
// The suite uses only the session.Store interface, plus session.Lister and
// session.Counter when the store implements them. Beyond the interface's
// documentation it requires:
//
//   - Expiry is kept to at least millisecond precision: a loaded Expiry
//     must be within 1ms of the one stored.
//   - A record may be created or updated with an Expiry already in the
//     past; it is stored dead (never loaded) and is what DeleteExpired
//     removes. The suite makes expired records this way instead of
//     sleeping.
//   - Create and Update copy rec.Data: the caller may reuse its buffer as
//     soon as they return. Data returned by Load never changes afterwards
//     (a later Update stores a new slice instead of writing into it).
//   - Values of LargeValueSize bytes (1 MiB) round-trip, as do arbitrary
//     bytes (NUL, 0xff, invalid UTF-8, newlines, quotes).
//   - A method called with a cancelled context returns an error matching
//     context.Canceled within a second and changes nothing.
//   - Lister IDs are either the session key or session.HashKey of it, the
//     same form for every entry.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Sizes the suite works with; they keep a run to a few seconds per store.
const (
	// Writers is how many goroutines race on one key in the
	// concurrent-writers test.
	Writers = 50
	// Creators is how many goroutines race to create the same key.
	Creators = 20
	// LargeValueSize is the size of the large value that must round-trip.
	LargeValueSize = 1 << 20
)

// precision is the largest difference allowed between a stored and a
// loaded Expiry.
const precision = time.Millisecond

// prompt is how long a method may take to notice a cancelled context.
const prompt = time.Second

// Options adapts the suite to what a backend cannot do. The zero value
// asks for everything; Run uses it.
type Options struct {
	// SelfExpiring says the backend drops expired records by itself (Redis
	// or memcached TTLs), so DeleteExpired may find fewer expired records
	// than were created. The suite then checks only that DeleteExpired
	// terminates, never removes live records and leaves no expired record
	// loadable, instead of counting exactly.
	SelfExpiring bool
	// MaxValueSize, when positive and smaller than LargeValueSize, is the
	// largest Data the backend accepts; the large-value test uses it
	// instead. Stores that set it must document the limit.
	MaxValueSize int
}

// Run runs the whole conformance suite against the stores newStore makes.
// newStore must return a fresh, empty store and register its own cleanup
// with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	RunWithOptions(t, newStore, Options{})
}

// RunWithOptions is Run for backends with the limits that opts describes.
func RunWithOptions(t *testing.T, newStore func(t *testing.T) session.Store, opts Options) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s session.Store, o Options)
	}{
		{"LoadMissing", testLoadMissing},
		{"CreateLoad", testCreateLoad},
		{"CreateExisting", testCreateExisting},
		{"CreateDead", testCreateDead},
		{"CreateOverExpired", testCreateOverExpired},
		{"InputNotRetained", testInputNotRetained},
		{"LoadedDataStable", testLoadedDataStable},
		{"Update", testUpdate},
		{"UpdateStale", testUpdateStale},
		{"UpdateMissing", testUpdateMissing},
		{"UpdateAfterDelete", testUpdateAfterDelete},
		{"UpdateToPast", testUpdateToPast},
		{"VersionsNeverRepeat", testVersionsNeverRepeat},
		{"DeleteIdempotent", testDeleteIdempotent},
		{"Expiry", testExpiry},
		{"DeleteExpiredLimit", testDeleteExpiredLimit},
		{"DeleteExpiredAll", testDeleteExpiredAll},
		{"ConcurrentWriters", func(t *testing.T, s session.Store, _ Options) {
			RunConcurrentWriters(t, Writers, s)
		}},
		{"ConcurrentCreates", testConcurrentCreates},
		{"DeleteWhileUpdating", testDeleteWhileUpdating},
		{"LargeValue", testLargeValue},
		{"BinaryData", testBinaryData},
		{"SimilarKeys", testSimilarKeys},
		{"Cancelled", testCancelled},
		{"Lister", testLister},
		{"Counter", testCounter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t), opts)
		})
	}
}

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

// --- the subtests -------------------------------------------------------

func testLoadMissing(t *testing.T, s session.Store, _ Options) {
	_, err := s.Load(context.Background(), session.NewKey())
	wantErr(t, "Load of a missing key", err, session.ErrNotFound)
}

func testCreateLoad(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	// Sub-millisecond digits check that the store keeps (at least) ms.
	expiry := time.Now().Add(time.Hour + 123456789*time.Nanosecond)
	data := []byte(`{"cart":{"5":2},"user":"ada"}`)
	v, err := s.Create(ctx, key, session.Record{Data: data, Expiry: expiry, Version: 42})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if v == 0 {
		t.Fatal("Create returned version 0")
	}
	wantRecord(t, s, key, data, expiry, v)
}

func testCreateExisting(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(t, s, key, []byte("first"), expiry)
	_, err := s.Create(ctx, key, session.Record{Data: []byte("second"), Expiry: expiry.Add(time.Hour)})
	wantErr(t, "Create over a live record", err, session.ErrExists)
	wantRecord(t, s, key, []byte("first"), expiry, v)
}

func testCreateDead(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("dead on arrival"), Expiry: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatalf("Create with a past expiry: %v", err)
	}
	if v == 0 {
		t.Fatal("Create returned version 0")
	}
	_, err = s.Load(ctx, key)
	wantErr(t, "Load of an expired record", err, session.ErrNotFound)
	_, err = s.Update(ctx, key, session.Record{Data: []byte("revived"), Expiry: time.Now().Add(time.Hour), Version: v})
	wantErr(t, "Update of an expired record", err, session.ErrNotFound)
	_, err = s.Load(ctx, key)
	wantErr(t, "Load after Update of an expired record", err, session.ErrNotFound)
}

func testCreateOverExpired(t *testing.T, s session.Store, _ Options) {
	key := session.NewKey()
	old := mustCreate(t, s, key, []byte("old"), time.Now().Add(-time.Second))
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(t, s, key, []byte("new"), expiry)
	if v == old {
		t.Errorf("Create over an expired record reused its version %d", v)
	}
	wantRecord(t, s, key, []byte("new"), expiry, v)
}

func testInputNotRetained(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	buf := []byte("created")
	v := mustCreate(t, s, key, buf, expiry)
	copy(buf, "XXXXXXX")
	wantRecord(t, s, key, []byte("created"), expiry, v)

	buf = []byte("updated")
	v, err := s.Update(ctx, key, session.Record{Data: buf, Expiry: expiry, Version: v})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	copy(buf, "YYYYYYY")
	wantRecord(t, s, key, []byte("updated"), expiry, v)
}

func testLoadedDataStable(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	mustCreate(t, s, key, []byte("version one"), expiry)
	rec := mustLoad(t, s, key)
	if _, err := s.Update(ctx, key, session.Record{Data: []byte("VERSION TWO"), Expiry: expiry, Version: rec.Version}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if string(rec.Data) != "version one" {
		t.Errorf("Data returned by an earlier Load changed to %q after Update", rec.Data)
	}
}

func testUpdate(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	v1 := mustCreate(t, s, key, []byte("one"), time.Now().Add(time.Hour))

	exp2 := time.Now().Add(2*time.Hour + 987654*time.Nanosecond)
	v2, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: exp2, Version: v1})
	if err != nil {
		t.Fatalf("Update with the current version: %v", err)
	}
	if v2 == 0 || v2 == v1 {
		t.Fatalf("Update returned version %d after %d, want a new non-zero one", v2, v1)
	}
	wantRecord(t, s, key, []byte("two"), exp2, v2)

	exp3 := time.Now().Add(30 * time.Minute)
	v3, err := s.Update(ctx, key, session.Record{Data: []byte("three"), Expiry: exp3, Version: v2})
	if err != nil {
		t.Fatalf("second Update: %v", err)
	}
	if v3 == 0 || v3 == v1 || v3 == v2 {
		t.Fatalf("second Update returned version %d after %d, %d", v3, v1, v2)
	}
	wantRecord(t, s, key, []byte("three"), exp3, v3)
}

func testUpdateStale(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v1 := mustCreate(t, s, key, []byte("one"), expiry)
	v2, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: v1})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	for _, stale := range []session.Version{v1, 0, ^v2} {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("lost"), Expiry: expiry.Add(time.Hour), Version: stale})
		wantErr(t, fmt.Sprintf("Update with version %d (current %d)", stale, v2), err, session.ErrConflict)
	}
	wantRecord(t, s, key, []byte("two"), expiry, v2)
}

func testUpdateMissing(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	for _, v := range []session.Version{1, 0, 1 << 40} {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("ghost"), Expiry: time.Now().Add(time.Hour), Version: v})
		wantErr(t, "Update of a missing key", err, session.ErrNotFound)
	}
	_, err := s.Load(ctx, key)
	wantErr(t, "Load after Update of a missing key", err, session.ErrNotFound)
}

func testUpdateAfterDelete(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("alive"), time.Now().Add(time.Hour))
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.Update(ctx, key, session.Record{Data: []byte("resurrected"), Expiry: time.Now().Add(time.Hour), Version: v})
	wantErr(t, "Update after Delete", err, session.ErrNotFound)
	_, err = s.Load(ctx, key)
	wantErr(t, "Load after Update after Delete", err, session.ErrNotFound)
}

func testUpdateToPast(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("alive"), time.Now().Add(time.Hour))
	v2, err := s.Update(ctx, key, session.Record{Data: []byte("expired"), Expiry: time.Now().Add(-time.Second), Version: v})
	if err != nil {
		t.Fatalf("Update to a past expiry: %v", err)
	}
	_, err = s.Load(ctx, key)
	wantErr(t, "Load after Update to a past expiry", err, session.ErrNotFound)
	_, err = s.Update(ctx, key, session.Record{Data: []byte("revived"), Expiry: time.Now().Add(time.Hour), Version: v2})
	wantErr(t, "Update of a record made expired", err, session.ErrNotFound)
}

func testVersionsNeverRepeat(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	seen := make(map[session.Version]string)
	note := func(v session.Version, what string) {
		t.Helper()
		if v == 0 {
			t.Fatalf("%s returned version 0", what)
		}
		if prev, ok := seen[v]; ok {
			t.Fatalf("%s returned version %d, already given by %s", what, v, prev)
		}
		seen[v] = what
	}
	for cycle := range 5 {
		v := mustCreate(t, s, key, []byte("created"), expiry)
		note(v, fmt.Sprintf("cycle %d Create", cycle))
		for u := range 2 {
			var err error
			v, err = s.Update(ctx, key, session.Record{Data: []byte("updated"), Expiry: expiry, Version: v})
			if err != nil {
				t.Fatalf("cycle %d Update %d: %v", cycle, u, err)
			}
			note(v, fmt.Sprintf("cycle %d Update %d", cycle, u))
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("cycle %d Delete: %v", cycle, err)
		}
	}
	current := mustCreate(t, s, key, []byte("current"), expiry)
	note(current, "final Create")
	for v, what := range seen {
		if v == current {
			continue
		}
		_, err := s.Update(ctx, key, session.Record{Data: []byte("stale write"), Expiry: expiry, Version: v})
		wantErr(t, fmt.Sprintf("Update with the version of %s", what), err, session.ErrConflict)
	}
	wantRecord(t, s, key, []byte("current"), expiry, current)
}

func testDeleteIdempotent(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	mustCreate(t, s, key, []byte("x"), time.Now().Add(time.Hour))
	other := session.NewKey()
	otherV := mustCreate(t, s, other, []byte("other"), time.Now().Add(time.Hour))
	for i := range 2 {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		_, err := s.Load(ctx, key)
		wantErr(t, "Load after Delete", err, session.ErrNotFound)
	}
	if rec := mustLoad(t, s, other); rec.Version != otherV || string(rec.Data) != "other" {
		t.Errorf("Delete of one key changed another: %+v", rec)
	}
}

// testExpiry is the one test that waits for time to pass: a record made to
// live a short while must load before its expiry and not after.
func testExpiry(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(250 * time.Millisecond)
	v := mustCreate(t, s, key, []byte("short-lived"), expiry)
	if _, err := s.Load(ctx, key); err != nil && time.Now().Before(expiry) {
		t.Fatalf("Load before expiry: %v", err)
	}
	time.Sleep(time.Until(expiry)) // wait for the expiry, then check at once
	// Backends on another machine may be a little behind our clock.
	deadline := expiry.Add(2 * time.Second)
	for {
		_, err := s.Load(ctx, key)
		if errors.Is(err, session.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Load %v after expiry: got err %v, want ErrNotFound", time.Since(expiry), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err := s.Update(ctx, key, session.Record{Data: []byte("late"), Expiry: time.Now().Add(time.Hour), Version: v})
	wantErr(t, "Update after expiry", err, session.ErrNotFound)
}

func testDeleteExpiredLimit(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	const expired, live, limit = 25, 5, 10
	past := time.Now().Add(-time.Second)
	dead := make([]string, expired)
	for i := range dead {
		dead[i] = session.NewKey()
		mustCreate(t, s, dead[i], []byte("expired "+strconv.Itoa(i)), past)
	}
	liveKeys := make(map[string]session.Version)
	future := time.Now().Add(time.Hour)
	for i := range live {
		k := session.NewKey()
		liveKeys[k] = mustCreate(t, s, k, []byte("live "+strconv.Itoa(i)), future)
	}

	sw, ok := s.(session.Sweeper)
	if !ok {
		// The backend expires records by itself: there is no sweep to
		// count, but the same outcome must hold.
		checkSwept(t, s, dead, liveKeys)
		return
	}
	total, calls := 0, 0
	for {
		calls++
		if calls > expired+2 {
			t.Fatalf("DeleteExpired(%d) still removing after %d calls (%d so far)", limit, calls-1, total)
		}
		n, err := sw.DeleteExpired(ctx, limit)
		if err != nil {
			t.Fatalf("DeleteExpired(%d) call %d: %v", limit, calls, err)
		}
		if n < 0 || n > limit {
			t.Fatalf("DeleteExpired(%d) call %d returned %d", limit, calls, n)
		}
		if !o.SelfExpiring && total+limit <= expired && n != limit {
			t.Errorf("DeleteExpired(%d) call %d removed %d with %d expired left, want %d",
				limit, calls, n, expired-total, limit)
		}
		total += n
		if n < limit {
			break
		}
	}
	if o.SelfExpiring {
		if total > expired {
			t.Errorf("DeleteExpired removed %d records in all, but only %d were expired", total, expired)
		}
	} else if total != expired {
		t.Errorf("DeleteExpired removed %d records in all, want %d", total, expired)
	}
	if n, err := sw.DeleteExpired(ctx, limit); err != nil || n != 0 {
		t.Errorf("DeleteExpired on a clean store = %d, %v; want 0, nil", n, err)
	}
	checkSwept(t, s, dead, liveKeys)
	if c, ok := s.(session.Counter); ok {
		if n, err := c.Count(ctx); err != nil || n != live {
			t.Errorf("Count after DeleteExpired = %d, %v; want %d", n, err, live)
		}
	}
}

// checkSwept checks what a sweep (or a backend's own expiry) must leave:
// no expired record loadable, every live one unchanged.
func checkSwept(t *testing.T, s session.Store, dead []string, live map[string]session.Version) {
	t.Helper()
	for k, v := range live {
		if rec := mustLoad(t, s, k); rec.Version != v {
			t.Errorf("live record changed version %d -> %d", v, rec.Version)
		}
	}
	for _, k := range dead {
		_, err := s.Load(context.Background(), k)
		wantErr(t, "Load of an expired record after DeleteExpired", err, session.ErrNotFound)
	}
}

func testDeleteExpiredAll(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	live := session.NewKey()
	lv := mustCreate(t, s, live, []byte("live"), time.Now().Add(time.Hour))
	sw, sweeps := s.(session.Sweeper)
	for _, limit := range []int{0, -1} {
		var dead []string
		for range 3 {
			k := session.NewKey()
			mustCreate(t, s, k, []byte("expired"), time.Now().Add(-time.Second))
			dead = append(dead, k)
		}
		if !sweeps {
			checkSwept(t, s, dead, map[string]session.Version{live: lv})
			continue
		}
		n, err := sw.DeleteExpired(ctx, limit)
		if err != nil {
			t.Fatalf("DeleteExpired(%d): %v", limit, err)
		}
		if n != 3 && !(o.SelfExpiring && n >= 0 && n <= 3) {
			t.Errorf("DeleteExpired(%d) = %d, want all 3 expired records", limit, n)
		}
	}
	if rec := mustLoad(t, s, live); rec.Version != lv {
		t.Errorf("live record changed version %d -> %d", lv, rec.Version)
	}
}

func testConcurrentCreates(t *testing.T, s session.Store, _ Options) {
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
	wantRecord(t, s, key, []byte("creator "+strconv.Itoa(winners[0])), expiry, version)
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

func testLargeValue(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	size := LargeValueSize
	if o.MaxValueSize > 0 && o.MaxValueSize < size {
		size = o.MaxValueSize
	}
	rng := rand.NewChaCha8([32]byte{'t', 'e', 't', 'h', 'e', 'r'})
	data := make([]byte, size)
	rng.Read(data)
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(t, s, key, data, expiry)
	wantRecord(t, s, key, data, expiry, v)

	data2 := make([]byte, size)
	rng.Read(data2)
	v2, err := s.Update(ctx, key, session.Record{Data: data2, Expiry: expiry, Version: v})
	if err != nil {
		t.Fatalf("Update with %d bytes: %v", size, err)
	}
	wantRecord(t, s, key, data2, expiry, v2)
}

// binaryCases are Data values that break stores which treat data as text.
var binaryCases = []struct {
	name string
	data []byte
}{
	{"empty", []byte{}},
	{"NUL", []byte("a\x00b\x00")},
	{"only NUL", []byte{0}},
	{"0xff", []byte{0xff, 0xfe, 0xfd, 0x00, 0xff}},
	{"invalid UTF-8", []byte{'x', 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82}},
	{"newlines", []byte("\nfirst\r\nsecond\n\n")},
	{"quotes", []byte(`"double" 'single' ` + "`back`" + ` \"escaped\" \\ %s %d`)},
	{"unicode", []byte("héllo wörld — 世界 🎉 \u200b\ufeff")},
	{"looks like a header", []byte("tether-session v1 1 2\nsessionid\x00{\"k\":1}")},
	{"SQL and JSON", []byte(`'); DROP TABLE sessions; -- {"a":[1,2,{"b":null}]}`)},
	{"all bytes", allBytes()},
}

func allBytes() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func testBinaryData(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	for i, c := range binaryCases {
		key := session.NewKey()
		v := mustCreate(t, s, key, c.data, expiry)
		rec := mustLoad(t, s, key)
		if !bytes.Equal(rec.Data, c.data) {
			t.Errorf("%s: Create/Load returned %q, want %q", c.name, rec.Data, c.data)
		}
		// Update with another case's bytes, so every value goes through
		// both paths.
		next := binaryCases[(i+1)%len(binaryCases)].data
		v, err := s.Update(ctx, key, session.Record{Data: next, Expiry: expiry, Version: v})
		if err != nil {
			t.Fatalf("%s: Update: %v", c.name, err)
		}
		rec = mustLoad(t, s, key)
		if !bytes.Equal(rec.Data, next) || rec.Version != v {
			t.Errorf("%s: Update/Load returned %q (version %d), want %q (version %d)", c.name, rec.Data, rec.Version, next, v)
		}
	}
}

// testSimilarKeys checks that keys one character apart are different
// records: a store that hashes, truncates or folds keys must not confuse
// them. (Stores only ever get valid keys, so this, not odd characters, is
// what key handling can get wrong.)
func testSimilarKeys(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("original"), expiry)

	neighbours := []string{
		changeAt(key, len(key)-1),
		changeAt(key, 0),
		changeAt(key, len(key)/2),
	}
	for _, n := range neighbours {
		if !session.ValidKey(n) {
			t.Fatalf("test bug: %q is not a valid key", n)
		}
		_, err := s.Load(ctx, n)
		wantErr(t, "Load of a neighbouring key", err, session.ErrNotFound)
		_, err = s.Update(ctx, n, session.Record{Data: []byte("wrong"), Expiry: expiry, Version: v})
		wantErr(t, "Update of a neighbouring key with the original's version", err, session.ErrNotFound)
		if err := s.Delete(ctx, n); err != nil {
			t.Fatalf("Delete of a neighbouring key: %v", err)
		}
		wantRecord(t, s, key, []byte("original"), expiry, v)
	}
	versions := map[string]session.Version{key: v}
	for i, n := range neighbours {
		versions[n] = mustCreate(t, s, n, []byte("neighbour "+strconv.Itoa(i)), expiry)
	}
	wantRecord(t, s, key, []byte("original"), expiry, v)
	for i, n := range neighbours {
		wantRecord(t, s, n, []byte("neighbour "+strconv.Itoa(i)), expiry, versions[n])
	}
	if err := s.Delete(ctx, neighbours[0]); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantRecord(t, s, key, []byte("original"), expiry, v)
}

// changeAt returns key with the character at i replaced by its neighbour in
// the key alphabet.
func changeAt(key string, i int) string {
	b := []byte(key)
	switch c := b[i]; {
	case c == 'z':
		b[i] = '0'
	case c == '9':
		b[i] = 'a'
	default:
		b[i] = c + 1
	}
	return string(b)
}

func testCancelled(t *testing.T, s session.Store, o Options) {
	bg := context.Background()
	ctx, cancel := context.WithCancel(bg)
	cancel()

	expiry := time.Now().Add(time.Hour)
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("kept"), expiry)
	mustCreate(t, s, session.NewKey(), []byte("expired"), time.Now().Add(-time.Second))

	call := func(what string, fn func() error) {
		t.Helper()
		start := time.Now()
		err := fn()
		if d := time.Since(start); d > prompt {
			t.Errorf("%s with a cancelled context took %v", what, d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: got %v, want an error matching context.Canceled", what, err)
		}
	}

	call("Load", func() error { _, err := s.Load(ctx, key); return err })

	fresh := session.NewKey()
	call("Create", func() error {
		_, err := s.Create(ctx, fresh, session.Record{Data: []byte("new"), Expiry: expiry})
		return err
	})
	_, err := s.Load(bg, fresh)
	wantErr(t, "Load after a cancelled Create", err, session.ErrNotFound)

	call("Update", func() error {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("changed"), Expiry: expiry, Version: v})
		return err
	})
	wantRecord(t, s, key, []byte("kept"), expiry, v)

	call("Delete", func() error { return s.Delete(ctx, key) })
	wantRecord(t, s, key, []byte("kept"), expiry, v)

	if sw, ok := s.(session.Sweeper); ok {
		call("DeleteExpired", func() error { _, err := sw.DeleteExpired(ctx, 0); return err })
		if !o.SelfExpiring {
			if n, err := sw.DeleteExpired(bg, 0); err != nil || n != 1 {
				t.Errorf("DeleteExpired after a cancelled one = %d, %v; want 1, nil", n, err)
			}
		}
	}

	if l, ok := s.(session.Lister); ok {
		call("List", func() error { _, err := l.List(ctx, "", 10); return err })
	}
	if c, ok := s.(session.Counter); ok {
		call("Count", func() error { _, err := c.Count(ctx); return err })
	}
	wantRecord(t, s, key, []byte("kept"), expiry, v)
}

func testLister(t *testing.T, s session.Store, _ Options) {
	l, ok := s.(session.Lister)
	if !ok {
		t.Skip("store does not implement session.Lister")
	}
	ctx := context.Background()
	const live, pageSize = 7, 3

	type want struct {
		key    string
		expiry time.Time
		size   int
	}
	byID := make(map[string]want) // both forms of each live key
	for i := range live {
		k := session.NewKey()
		data := bytes.Repeat([]byte{'x'}, 10+i)
		exp := time.Now().Add(time.Duration(i+1) * time.Hour)
		mustCreate(t, s, k, data, exp)
		w := want{key: k, expiry: exp, size: len(data)}
		byID[k], byID[session.HashKey(k)] = w, w
	}
	for range 3 {
		k := session.NewKey()
		mustCreate(t, s, k, []byte("expired"), time.Now().Add(-time.Second))
		byID[k], byID[session.HashKey(k)] = want{key: k}, want{key: k}
	}

	var all []session.Entry
	after := ""
	for page := 0; ; page++ {
		if page > live+1 {
			t.Fatalf("List keeps returning pages after %d entries", len(all))
		}
		entries, err := l.List(ctx, after, pageSize)
		if err != nil {
			t.Fatalf("List(%q, %d): %v", after, pageSize, err)
		}
		if len(entries) > pageSize {
			t.Fatalf("List(%q, %d) returned %d entries", after, pageSize, len(entries))
		}
		all = append(all, entries...)
		if len(entries) < pageSize {
			break
		}
		after = entries[len(entries)-1].ID
	}

	hashed := -1 // unknown, 0 raw keys, 1 hashes
	seen := make(map[string]bool)
	for i, e := range all {
		if i > 0 && e.ID <= all[i-1].ID {
			t.Errorf("List not in ID order: %q after %q", e.ID, all[i-1].ID)
		}
		w, ok := byID[e.ID]
		if !ok {
			t.Errorf("List returned ID %q, neither a stored key nor its hash", e.ID)
			continue
		}
		form := 0
		if e.ID != w.key {
			form = 1
		}
		if hashed >= 0 && form != hashed {
			t.Errorf("List mixes raw keys and hashes")
		}
		hashed = form
		if w.expiry.IsZero() {
			t.Errorf("List returned the expired record %q", e.ID)
			continue
		}
		if seen[w.key] {
			t.Errorf("List returned %q twice", e.ID)
		}
		seen[w.key] = true
		if d := e.Expiry.Sub(w.expiry).Abs(); d >= precision {
			t.Errorf("entry %q: Expiry %v, want %v", e.ID, e.Expiry, w.expiry)
		}
		if e.Size != w.size {
			t.Errorf("entry %q: Size %d, want %d", e.ID, e.Size, w.size)
		}
	}
	if len(seen) != live {
		t.Errorf("List returned %d live entries in all, want %d", len(seen), live)
	}
	if len(all) == 0 {
		return
	}

	// Starting in the middle, and past the end.
	mid := all[len(all)/2].ID
	rest, err := l.List(ctx, mid, len(all))
	if err != nil {
		t.Fatalf("List(%q): %v", mid, err)
	}
	if got, want := ids(rest), ids(all[len(all)/2+1:]); got != want {
		t.Errorf("List(%q) = %s, want %s", mid, got, want)
	}
	if rest, err := l.List(ctx, all[len(all)-1].ID, pageSize); err != nil || len(rest) != 0 {
		t.Errorf("List after the last ID = %s, %v; want nothing", ids(rest), err)
	}
	// A limit of 1 gives exactly the first entry.
	if one, err := l.List(ctx, "", 1); err != nil || len(one) != 1 || one[0].ID != all[0].ID {
		t.Errorf("List(\"\", 1) = %s, %v; want [%s]", ids(one), err, all[0].ID)
	}
}

func ids(entries []session.Entry) string {
	s := make([]string, len(entries))
	for i, e := range entries {
		s[i] = e.ID
	}
	return "[" + strings.Join(s, " ") + "]"
}

func testCounter(t *testing.T, s session.Store, _ Options) {
	c, ok := s.(session.Counter)
	if !ok {
		t.Skip("store does not implement session.Counter")
	}
	ctx := context.Background()
	count := func(want int) {
		t.Helper()
		n, err := c.Count(ctx)
		if err != nil {
			t.Fatalf("Count: %v", err)
		}
		if n != want {
			t.Errorf("Count = %d, want %d", n, want)
		}
	}
	count(0)
	var keys []string
	for range 4 {
		k := session.NewKey()
		mustCreate(t, s, k, []byte("live"), time.Now().Add(time.Hour))
		keys = append(keys, k)
	}
	for range 3 {
		mustCreate(t, s, session.NewKey(), []byte("expired"), time.Now().Add(-time.Second))
	}
	count(4)
	if err := s.Delete(ctx, keys[0]); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	count(3)
}

// --- helpers ------------------------------------------------------------

func mustCreate(t *testing.T, s session.Store, key string, data []byte, expiry time.Time) session.Version {
	t.Helper()
	v, err := s.Create(context.Background(), key, session.Record{Data: data, Expiry: expiry})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if v == 0 {
		t.Fatal("Create returned version 0")
	}
	return v
}

func mustLoad(t *testing.T, s session.Store, key string) session.Record {
	t.Helper()
	rec, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return rec
}

// wantRecord checks that key loads with exactly data, expiry (to the
// suite's precision) and version v.
func wantRecord(t *testing.T, s session.Store, key string, data []byte, expiry time.Time, v session.Version) {
	t.Helper()
	rec := mustLoad(t, s, key)
	if !bytes.Equal(rec.Data, data) {
		if len(data) > 64 || len(rec.Data) > 64 {
			t.Errorf("loaded %d bytes of Data that differ from the %d stored", len(rec.Data), len(data))
		} else {
			t.Errorf("loaded Data %q, want %q", rec.Data, data)
		}
	}
	if d := rec.Expiry.Sub(expiry).Abs(); d >= precision {
		t.Errorf("loaded Expiry %v, want %v (off by %v; stores must keep millisecond precision)", rec.Expiry, expiry, d)
	}
	if rec.Version != v {
		t.Errorf("loaded Version %d, want %d", rec.Version, v)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one matching %v", what, err, target)
	}
}
