package tieredstore

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// cacheCalls counts every call that reached the cache.
func cacheCalls(h *hookStore) int {
	n := 0
	for _, p := range []string{"load:before", "create:before", "update:before", "delete:before", "deleteexpired:before"} {
		n += h.count(p)
	}
	return n
}

// failCache makes every cache call fail.
func failCache(h *hookStore) {
	for _, p := range []string{"load:before", "create:before", "update:before", "delete:before", "deleteexpired:before"} {
		h.on("*", p, func() error { return errInjected })
	}
}

// newBreakerRig returns a tiered store on a memstore cache and a memstore
// durable store, both counted, on a stopped clock.
func newBreakerRig(t *testing.T, opts ...Option) (*Store, *hookStore, *hookStore, *fakeClock, *logRecorder) {
	t.Helper()
	cache, durable := newHookStore(newMemstore(t)), newHookStore(newMemstore(t))
	logs := &logRecorder{}
	s := New(cache, durable, append([]Option{WithLogger(slog.New(logs))}, opts...)...)
	clock := &fakeClock{}
	clock.Set(time.Now())
	s.now = clock.Now
	return s, cache, durable, clock, logs
}

// TestBreakerBypassesTheCache: after DefaultBreakerFailures failed cache
// calls, reads and writes touch only the durable store; and when the cache
// comes back holding an entry that the writes made meanwhile have made
// stale, that entry is never served.
func TestBreakerBypassesTheCache(t *testing.T) {
	s, cache, durable, clock, logs := newBreakerRig(t)
	ctx := context.Background()
	key := session.NewKey()
	v1 := mustCreate(t, s, key, "one")
	wantLoad(t, s, key, "one", v1)
	if e, ok := cached(t, cache.inner, key); !ok || e.version != v1 {
		t.Fatalf("the cache does not hold version %d before the outage", v1)
	}

	// The cache fails; the first failures still try it (Loads: they
	// leave the cache as it was).
	failCache(cache)
	for range DefaultBreakerFailures {
		wantLoad(t, s, key, "one", v1)
	}
	if !s.breaker.open.Load() {
		t.Fatalf("the breaker is closed after %d failures", DefaultBreakerFailures)
	}

	// Bypassed: writes and reads make no cache call at all.
	calls, durableCalls := cacheCalls(cache), cacheCalls(durable)
	v := v1
	for i := range 50 {
		v = mustUpdate(t, ctx, s, key, "two", v)
		wantLoad(t, s, key, "two", v)
		k := session.NewKey()
		mustCreate(t, s, k, "x")
		if err := s.Delete(ctx, k); err != nil {
			t.Fatalf("Delete %d: %v", i, err)
		}
	}
	if _, err := s.DeleteExpired(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got := cacheCalls(cache) - calls; got != 0 {
		t.Errorf("%d cache calls while the breaker was open, want 0", got)
	}
	if got := cacheCalls(durable) - durableCalls; got != 50*4+1 {
		t.Errorf("%d durable calls for 200 operations and a sweep, want %d", got, 50*4+1)
	}

	// The cache comes back, still holding version v1 ("one"): stale.
	cache.clear()
	if e, ok := cached(t, cache.inner, key); !ok || e.version != v1 {
		t.Fatal("test setup: the stale entry is gone")
	}
	// Within the back-off the cache is still bypassed.
	clock.Advance(DefaultBreakerBackoff / 2)
	calls = cacheCalls(cache)
	wantLoad(t, s, key, "two", v)
	if cacheCalls(cache) != calls {
		t.Error("a Load within the back-off tried the cache")
	}
	// Past it, one operation probes; every Load returns the durable
	// record, never the stale entry, until the cache is filled again and
	// serves it.
	clock.Advance(DefaultBreakerBackoff / 2)
	hit := false
	for range 20 {
		before := durable.count("load:before")
		wantLoad(t, s, key, "two", v)
		if durable.count("load:before") == before {
			hit = true
			break
		}
		clock.Advance(ClockSkewMargin / 4)
	}
	if cacheCalls(cache) == calls {
		t.Fatal("the cache was not tried again after the back-off")
	}
	if s.breaker.open.Load() {
		t.Error("the breaker is still open after a probe that worked")
	}
	if !hit {
		t.Error("the cache did not serve reads again after it came back")
	}
	if e, ok := cached(t, cache.inner, key); !ok || e.version != v {
		t.Errorf("the cache holds %+v (%v), want version %d", e, ok, v)
	}
	if n := len(logs.at(slog.LevelWarn)); n != 1 {
		t.Errorf("%d warnings for one outage within the log interval, want 1:\n%s", n, logs.text())
	}
	if n := len(logs.at(slog.LevelInfo)); n != 1 {
		t.Errorf("%d Info records, want one saying the cache answers again:\n%s", n, logs.text())
	}
}

// TestBreakerFailedProbe: a probe that fails opens the breaker again for
// twice the back-off, and only the probe touched the cache.
func TestBreakerFailedProbe(t *testing.T) {
	s, cache, _, clock, _ := newBreakerRig(t, WithBreaker(2, 100*time.Millisecond))
	key := session.NewKey()
	v := mustCreate(t, s, key, "one")
	failCache(cache)
	wantLoad(t, s, key, "one", v)
	wantLoad(t, s, key, "one", v)
	if !s.breaker.open.Load() {
		t.Fatal("the breaker is closed after 2 failures with WithBreaker(2, …)")
	}
	probe := func(wantTried bool, what string) {
		t.Helper()
		before := cacheCalls(cache)
		for range 5 {
			wantLoad(t, s, key, "one", v)
		}
		switch tried := cacheCalls(cache) - before; {
		case wantTried && tried != 1:
			t.Errorf("%s: %d cache calls in 5 Loads, want the probe's 1", what, tried)
		case !wantTried && tried != 0:
			t.Errorf("%s: %d cache calls in 5 Loads, want 0", what, tried)
		}
	}
	probe(false, "within the back-off")
	clock.Advance(100 * time.Millisecond)
	probe(true, "after the back-off")
	clock.Advance(100 * time.Millisecond)
	probe(false, "within the doubled back-off")
	clock.Advance(100 * time.Millisecond)
	probe(true, "after the doubled back-off")
	clock.Advance(time.Hour)
	probe(true, "much later")
	if got := s.breaker.backoff; got != 800*time.Millisecond {
		t.Errorf("back-off after 3 failed probes = %v, want 800ms", got)
	}
	for range 10 {
		clock.Advance(time.Hour)
		probe(true, "an hour later")
	}
	if got := s.breaker.backoff; got != MaxBreakerBackoff {
		t.Errorf("back-off after many failed probes = %v, want the cap %v", got, MaxBreakerBackoff)
	}
}

// newProbeRig returns a breaker rig whose breaker opened on failed Loads
// of key (version v, "one") and whose back-off has passed: the next
// operation probes.
func newProbeRig(t *testing.T) (*Store, *hookStore, string, session.Version) {
	t.Helper()
	s, cache, _, clock, _ := newBreakerRig(t)
	key := session.NewKey()
	v := mustCreate(t, s, key, "one")
	failCache(cache)
	for range DefaultBreakerFailures {
		wantLoad(t, s, key, "one", v)
	}
	clock.Advance(DefaultBreakerBackoff)
	return s, cache, key, v
}

// TestBreakerOneProbe: while the probe waits on the cache, the other
// operations bypass it; the probe's success closes the breaker.
func TestBreakerOneProbe(t *testing.T) {
	s, cache, key, v := newProbeRig(t)

	inProbe, release := make(chan struct{}), make(chan struct{})
	cache.on("probe", "load:before", func() error {
		close(inProbe)
		<-release
		return nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := s.Load(tagged(context.Background(), "probe"), key)
		done <- err
	}()
	<-inProbe
	before := cacheCalls(cache)
	for range 20 {
		wantLoad(t, s, key, "one", v)
	}
	if got := cacheCalls(cache) - before; got != 0 {
		t.Errorf("%d cache calls while the probe was out, want 0", got)
	}
	cache.clear()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("probe Load: %v", err)
	}
	if s.breaker.open.Load() {
		t.Error("the breaker is open after a probe that worked")
	}
	before = cacheCalls(cache)
	wantLoad(t, s, key, "one", v)
	if cacheCalls(cache) == before {
		t.Error("with the breaker closed, a Load did not try the cache")
	}
}

// TestBreakerCancelledProbe: a probe that stops on its context before
// reaching the cache does not keep the breaker open for good.
func TestBreakerCancelledProbe(t *testing.T) {
	s, cache, key, v := newProbeRig(t)
	ctx, cancel := context.WithCancel(tagged(context.Background(), "probe"))
	cache.on("probe", "load:before", func() error { cancel(); return context.Canceled })
	if _, err := s.Load(ctx, key); err == nil {
		t.Fatal("the cancelled Load succeeded")
	}
	if !s.breaker.open.Load() {
		t.Fatal("test setup: the breaker closed")
	}
	cache.clear()
	before := cacheCalls(cache)
	wantLoad(t, s, key, "one", v)
	if cacheCalls(cache) == before {
		t.Error("after a probe that never reached the cache, the next operation did not probe")
	}
	if s.breaker.open.Load() {
		t.Error("the breaker is still open")
	}
}

// TestBreakerDisabled: WithBreaker(0, …) keeps every operation trying the
// cache.
func TestBreakerDisabled(t *testing.T) {
	s, cache, _, _, _ := newBreakerRig(t, WithBreaker(0, 0))
	key := session.NewKey()
	v := mustCreate(t, s, key, "one")
	failCache(cache)
	before := cacheCalls(cache)
	for range 3 * DefaultBreakerFailures {
		wantLoad(t, s, key, "one", v)
	}
	if got := cacheCalls(cache) - before; got != 3*DefaultBreakerFailures {
		t.Errorf("%d cache calls for %d Loads with the breaker off, want one each", got, 3*DefaultBreakerFailures)
	}
}
