package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// benchData is a typical small session: a user id, a cart, a CSRF secret.
var benchData = []byte(`{"_auth_user_id":"42","cart":{"5":2,"17":1},"csrf":"nB8dyQ3fJ2kLm9PqRs4tUv6wXy7zA1bC"}`)

// Run with: go test ./store/sqlstore -run '^$' -bench . -benchmem

func BenchmarkLoad(b *testing.B) {
	s := openTest(b)
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

func BenchmarkLoadParallel(b *testing.B) {
	s := openTest(b)
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

func BenchmarkUpdate(b *testing.B) {
	s := openTest(b)
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

// BenchmarkUpdateParallel: concurrent updates of different sessions, all
// going through SQLite's single writer.
func BenchmarkUpdateParallel(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		key := session.NewKey()
		v := mustCreate(b, s, key, string(benchData), expiry)
		for pb.Next() {
			var err error
			v, err = s.Update(ctx, key, session.Record{Data: benchData, Expiry: expiry, Version: v})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCreate(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: benchData, Expiry: expiry}); err != nil {
			b.Fatal(err)
		}
	}
}
