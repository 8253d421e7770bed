package tieredstore

import (
	"context"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// benchData is a typical small session: a user id, a cart, a CSRF secret.
var benchData = []byte(`{"_auth_user_id":"42","cart":{"5":2,"17":1},"csrf":"nB8dyQ3fJ2kLm9PqRs4tUv6wXy7zA1bC"}`)

// Run with: go test ./store/tieredstore -run '^$' -bench . -benchmem
// The Memcached benchmarks need a memcached (127.0.0.1:11211 or
// TETHER_MEMCACHED_ADDR); the others use memstore in front of SQLite.

func benchMemstore(b *testing.B) *Store {
	return New(newMemstore(b), newSQLite(b), WithLogger(discardLogger()))
}

func benchMemcached(b *testing.B) *Store {
	return New(newTestMemcachedCache(b), newSQLite(b), WithLogger(discardLogger()))
}

// benchLoadHit loads a record the cache holds.
func benchLoadHit(b *testing.B, s *Store) {
	ctx := context.Background()
	key := session.NewKey()
	mustCreate(b, s, key, string(benchData))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// benchLoadMiss loads a record after dropping its cache entry each time:
// the Load takes a lease, reads SQLite and fills the cache. The Delete is
// part of the measured time.
func benchLoadMiss(b *testing.B, s *Store) {
	ctx := context.Background()
	key := session.NewKey()
	mustCreate(b, s, key, string(benchData))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.cache.Delete(ctx, key); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// benchUpdate is a request that changes its session: Load (a hit), then
// Update (SQLite, then the cache entry moved to the new version).
func benchUpdate(b *testing.B, s *Store) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	mustCreate(b, s, key, string(benchData))
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

func BenchmarkLoadHit(b *testing.B)           { benchLoadHit(b, benchMemstore(b)) }
func BenchmarkLoadMiss(b *testing.B)          { benchLoadMiss(b, benchMemstore(b)) }
func BenchmarkLoadUpdate(b *testing.B)        { benchUpdate(b, benchMemstore(b)) }
func BenchmarkLoadHitMemcached(b *testing.B)  { benchLoadHit(b, benchMemcached(b)) }
func BenchmarkLoadMissMemcached(b *testing.B) { benchLoadMiss(b, benchMemcached(b)) }
func BenchmarkLoadUpdateMemcached(b *testing.B) {
	benchUpdate(b, benchMemcached(b))
}

// BenchmarkDurableLoad is SQLite alone, for comparison with the hits.
func BenchmarkDurableLoad(b *testing.B) {
	s := newSQLite(b)
	ctx := context.Background()
	key := session.NewKey()
	mustCreate(b, s, key, string(benchData))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}
