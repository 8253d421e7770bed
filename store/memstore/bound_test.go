package memstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

// A bounded store passes the same suite.
func TestConformanceBounded(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		s := New(WithMaxSessions(100_000))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// When full, a new session evicts the record closest to expiry: an
// expired one first, then the earliest to expire; an update that moves a
// record's expiry moves its place in the order.
func TestEvictionOrder(t *testing.T) {
	s := newStore(config{shards: 1, maxSessions: 4})
	ctx := context.Background()
	now := time.Now()
	keys := map[string]string{}
	create := func(name string, expiry time.Time) session.Version {
		t.Helper()
		keys[name] = session.NewKey()
		v, err := s.Create(ctx, keys[name], session.Record{Data: []byte(name), Expiry: expiry})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	has := func(name string) bool {
		_, err := s.Load(ctx, keys[name])
		return err == nil
	}
	create("dead", now.Add(-time.Second)) // expired, not yet swept
	create("in3h", now.Add(3*time.Hour))
	v1 := create("in1h", now.Add(time.Hour))
	create("in2h", now.Add(2*time.Hour))
	// Full: the expired record goes first.
	create("in4h", now.Add(4*time.Hour))
	if _, err := s.Load(ctx, keys["dead"]); !errors.Is(err, session.ErrNotFound) || stored(s) != 4 {
		t.Fatalf("dead: %v, %d stored", err, stored(s))
	}
	// in1h is extended to 5h: in2h is now the closest to expiry.
	if _, err := s.Update(ctx, keys["in1h"], session.Record{Data: []byte("in1h"), Expiry: now.Add(5 * time.Hour), Version: v1}); err != nil {
		t.Fatal(err)
	}
	create("in6h", now.Add(6*time.Hour))
	if has("in2h") || !has("in1h") || !has("in3h") || !has("in4h") || !has("in6h") {
		t.Fatal("the update did not move the record in the order")
	}
	create("in7h", now.Add(7*time.Hour))
	if has("in3h") || stored(s) != 4 {
		t.Fatalf("in3h not evicted, %d stored", stored(s))
	}
	// A deleted record leaves room: nothing is evicted.
	if err := s.Delete(ctx, keys["in4h"]); err != nil {
		t.Fatal(err)
	}
	create("in8h", now.Add(8*time.Hour))
	for _, name := range []string{"in1h", "in6h", "in7h", "in8h"} {
		if !has(name) {
			t.Fatalf("%s evicted with room to spare", name)
		}
	}
}

// A flood of new sessions leaves the store at its bound, the newest
// sessions loadable.
func TestFloodStaysBounded(t *testing.T) {
	const max = 1000
	s := New(WithMaxSessions(max), WithCleanupInterval(0))
	ctx := context.Background()
	start := time.Now()
	var last []string
	for i := range 50_000 {
		key := session.NewKey()
		if _, err := s.Create(ctx, key, session.Record{Data: []byte("bot"), Expiry: start.Add(time.Hour + time.Duration(i)*time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		if i >= 50_000-10 {
			last = append(last, key)
		}
	}
	// Per shard the bound is max/64 rounded up.
	if n := stored(s); n > (max+shardCount-1)/shardCount*shardCount || n < max/2 {
		t.Fatalf("%d records stored after the flood, bound %d", n, max)
	}
	for _, k := range last {
		if _, err := s.Load(ctx, k); err != nil {
			t.Fatalf("a newest session was evicted: %v", err)
		}
	}
	if n, _ := s.Count(ctx); n != stored(s) {
		t.Fatalf("Count %d, stored %d", n, stored(s))
	}
}

// WithMaxSessions(0) is no bound; the default is DefaultMaxSessions.
func TestMaxSessionsSetting(t *testing.T) {
	if s := New(WithCleanupInterval(0)); s.c.shards[0].max != (DefaultMaxSessions+shardCount-1)/shardCount {
		t.Fatalf("default per-shard bound %d", s.c.shards[0].max)
	}
	s := New(WithMaxSessions(0), WithCleanupInterval(0))
	ctx := context.Background()
	for range 5000 {
		s.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)})
	}
	if stored(s) != 5000 {
		t.Fatalf("unbounded store holds %d of 5000", stored(s))
	}
}

// The heap stays ordered and in step with the map through random
// creates, updates, deletes, evictions and sweeps.
func TestHeapInvariant(t *testing.T) {
	s := newStore(config{shards: 1, maxSessions: 50})
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	var keys []string
	for range 20_000 {
		exp := now.Add(time.Duration(rng.IntN(3600)-600) * time.Second)
		switch op := rng.IntN(10); {
		case op < 4 || len(keys) == 0:
			k := session.NewKey()
			keys = append(keys, k)
			s.Create(ctx, k, session.Record{Data: []byte("c"), Expiry: exp})
		case op < 7:
			k := keys[rng.IntN(len(keys))]
			if rec, err := s.Load(ctx, k); err == nil {
				s.Update(ctx, k, session.Record{Data: []byte("u"), Expiry: exp, Version: rec.Version})
			}
		case op < 9:
			s.Delete(ctx, keys[rng.IntN(len(keys))])
		default:
			s.DeleteExpired(ctx, rng.IntN(5))
		}
		sh := &s.c.shards[0]
		if len(sh.h) != len(sh.m) || len(sh.m) > 50 {
			t.Fatalf("heap %d, map %d", len(sh.h), len(sh.m))
		}
		for i, e := range sh.h {
			if e.index != i || sh.m[e.key] != e {
				t.Fatalf("entry %d out of step", i)
			}
			if i > 0 && sh.h[(i-1)/2].expiry.After(e.expiry) {
				t.Fatalf("heap order broken at %d", i)
			}
		}
	}
}
