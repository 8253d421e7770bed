package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Run with (services on this machine, see testkit/servicetest):
//
//	go test ./store/sqlstore -run '^$' -bench 'Postgres|MySQL' -benchmem

// serverBenchData is a typical small session: a user id, a cart, a CSRF
// secret.
var serverBenchData = []byte(`{"_auth_user_id":"42","cart":{"5":2,"17":1},"csrf":"nB8dyQ3fJ2kLm9PqRs4tUv6wXy7zA1bC"}`)

func BenchmarkPostgres(b *testing.B) {
	benchServer(b, openPostgres)
}

func BenchmarkMySQL(b *testing.B) {
	benchServer(b, openMySQL)
}

// benchServer measures Load and Update on one key, in tether mode and in
// Django mode.
func benchServer(b *testing.B, open opener) {
	modes := []struct {
		name string
		open opener
	}{
		{"", open},
		{"Django", djangoOn(open)},
	}
	for _, m := range modes {
		b.Run(m.name+"Load", func(b *testing.B) {
			s := m.open(b)
			ctx := context.Background()
			key := session.NewKey()
			if _, err := s.Create(ctx, key, session.Record{Data: serverBenchData, Expiry: time.Now().Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Load(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(m.name+"Update", func(b *testing.B) {
			s := m.open(b)
			ctx := context.Background()
			key := session.NewKey()
			expiry := time.Now().Add(time.Hour)
			v, err := s.Create(ctx, key, session.Record{Data: serverBenchData, Expiry: expiry})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				v, err = s.Update(ctx, key, session.Record{Data: serverBenchData, Expiry: expiry, Version: v})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
