package memcachestore

import (
	"context"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// benchData is a typical small session: a user id, a cart, a CSRF secret.
var benchData = []byte(`{"_auth_user_id":"42","cart":{"5":2,"17":1},"csrf":"nB8dyQ3fJ2kLm9PqRs4tUv6wXy7zA1bC"}`)

// Run with: go test ./store/memcachestore -run '^$' -bench . -benchmem
// (a memcached on 127.0.0.1:11211 or at TETHER_MEMCACHED_ADDR).

func BenchmarkLoad(b *testing.B) {
	s := newTestStore(b)
	ctx := context.Background()
	key := session.NewKey()
	mustCreate(b, s, key, string(benchData), time.Now().Add(time.Hour))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate: Updates one after the other, each from the version the
// last returned, so without a CAS hint: "gets" then "cas".
func BenchmarkUpdate(b *testing.B) {
	s := newTestStore(b)
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(b, s, key, string(benchData), expiry)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		v, err = s.Update(ctx, key, session.Record{Data: benchData, Expiry: expiry, Version: v})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadUpdate is a request that changes its session, as the
// Manager does it: Load, then Update from the loaded version. The CAS hint
// makes it two round trips in all.
func BenchmarkLoadUpdate(b *testing.B) {
	benchLoadUpdate(b, DefaultCASHints)
}

// BenchmarkLoadUpdateNoHints is BenchmarkLoadUpdate without CAS hints:
// three round trips.
func BenchmarkLoadUpdateNoHints(b *testing.B) {
	benchLoadUpdate(b, 0)
}

func benchLoadUpdate(b *testing.B, hints int) {
	s := newTestStore(b, WithCASHints(hints))
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	mustCreate(b, s, key, string(benchData), expiry)
	b.ReportAllocs()
	for b.Loop() {
		rec, err := s.Load(ctx, key)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Update(ctx, key, session.Record{Data: benchData, Expiry: expiry, Version: rec.Version}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadParallel(b *testing.B) {
	s := newTestStore(b)
	ctx := context.Background()
	key := session.NewKey()
	mustCreate(b, s, key, string(benchData), time.Now().Add(time.Hour))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Load(ctx, key); err != nil {
				b.Fatal(err)
			}
		}
	})
}
