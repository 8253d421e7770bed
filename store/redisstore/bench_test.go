package redisstore

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// benchData is a typical session: a few hundred bytes of JSON.
var benchData = bytes.Repeat([]byte(`{"cart":{"5":2},"user":"ada"}`), 16)

// benchStore returns a store on the shared Redis holding one record, and
// its key and version.
func benchStore(b *testing.B) (*Store, string, session.Version) {
	client := sharedClient(b)
	s := New(client, WithPrefix(newPrefix(b, client)))
	key := session.NewKey()
	v, err := s.Create(context.Background(), key, session.Record{Data: benchData, Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	return s, key, v
}

func BenchmarkLoad(b *testing.B) {
	s, key, _ := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadParallel(b *testing.B) {
	s, key, _ := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Load(ctx, key); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	s, key, v := benchStore(b)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		v, err = s.Update(ctx, key, session.Record{Data: benchData, Expiry: expiry, Version: v})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreate(b *testing.B) {
	s, _, _ := benchStore(b)
	ctx := context.Background()
	expiry := time.Now().Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: benchData, Expiry: expiry}); err != nil {
			b.Fatal(err)
		}
	}
}
