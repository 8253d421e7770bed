package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/djangocache"
	"github.com/tetherweb/tether/testkit/storetest"
)

// djangoOptions: Redis expires the keys, and versions are content hashes.
var djangoOptions = storetest.Options{SelfExpiring: true, ContentVersions: true}

func TestDjangoCacheConformance(t *testing.T) {
	t.Parallel()
	client := sharedClient(t)
	storetest.RunWithOptions(t, func(t *testing.T) session.Store {
		return NewDjangoCache(client, WithPrefix(newPrefix(t, client)))
	}, djangoOptions)
}

func TestDjangoCacheConcurrentRequests(t *testing.T) {
	t.Parallel()
	client := sharedClient(t)
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		return NewDjangoCache(client, WithPrefix(newPrefix(t, client)))
	})
}

// Two handles on one prefix keep compare-and-swap between them.
func TestDjangoCacheConcurrentWritersTwoHandles(t *testing.T) {
	t.Parallel()
	client := sharedClient(t)
	prefix := newPrefix(t, client)
	other := sharedClient(t)
	storetest.RunConcurrentWriters(t, storetest.Writers, NewDjangoCache(client, WithPrefix(prefix)), NewDjangoCache(other, WithPrefix(prefix)))
}

// TestDjangoCacheLayout checks what Django's RedisCache reads: a plain
// string under prefix+key holding exactly the Data, with a Redis expiry at
// the record's Expiry; and the default prefix.
func TestDjangoCacheLayout(t *testing.T) {
	if s := NewDjangoCache(sharedClient(t)); s.prefix != ":1:django.contrib.sessions.cache" {
		t.Errorf("default prefix %q", s.prefix)
	}
	client := sharedClient(t)
	ctx := context.Background()
	prefix := newPrefix(t, client)
	s := NewDjangoCache(client, WithPrefix(prefix))
	key := session.NewKey()
	data := []byte("\x80\x05}\x94.")
	expiry := time.Now().Add(time.Hour)
	v, err := s.Create(ctx, key, session.Record{Data: data, Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	if v != djangocache.ContentVersion(data) {
		t.Errorf("Create returned version %d, want the content version %d", v, djangocache.ContentVersion(data))
	}
	got, err := client.Get(ctx, prefix+key).Bytes()
	if err != nil || string(got) != string(data) {
		t.Fatalf("GET %s = %q, %v", prefix+key, got, err)
	}
	at, err := client.PExpireTime(ctx, prefix+key).Result()
	if err != nil || at.Milliseconds() != expiry.UnixMilli() {
		t.Errorf("PEXPIRETIME = %v, %v; want %d", at, err, expiry.UnixMilli())
	}

	// A key Django set without a timeout reads as live.
	if err := client.Set(ctx, prefix+key, data, 0).Err(); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Load(ctx, key)
	if err != nil || rec.Expiry.Before(time.Now().AddDate(100, 0, 0)) {
		t.Errorf("Load of a key without expiry = %v, %v", rec.Expiry, err)
	}
}

// A key of another type is a corrupt record: missing for Load and Update,
// replaced by nothing (Create reports it exists, as Django's add would).
func TestDjangoCacheCorrupt(t *testing.T) {
	client := sharedClient(t)
	ctx := context.Background()
	prefix := newPrefix(t, client)
	s := NewDjangoCache(client, WithPrefix(prefix))
	key := session.NewKey()
	if err := client.HSet(ctx, prefix+key, "data", "x").Err(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx, key)
	if !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load of a hash: %v", err)
	}
	_, err = s.Update(ctx, key, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: 1})
	if !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrCorrupt) {
		t.Errorf("Update of a hash: %v", err)
	}
	if _, err := s.Load(ctx, "not a session key"); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load of an invalid key: %v", err)
	}
}

// TestDjangoCacheVersionRepeats pins down the documented consequence of
// content versions: after A -> B -> A, an Update made from the first A
// succeeds, and it is given the same content its writer loaded.
func TestDjangoCacheVersionRepeats(t *testing.T) {
	client := sharedClient(t)
	ctx := context.Background()
	s := NewDjangoCache(client, WithPrefix(newPrefix(t, client)))
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	va, err := s.Create(ctx, key, session.Record{Data: []byte("A"), Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	vb, err := s.Update(ctx, key, session.Record{Data: []byte("B"), Expiry: expiry, Version: va})
	if err != nil || vb == va {
		t.Fatalf("Update to B = %d, %v", vb, err)
	}
	if _, err := s.Update(ctx, key, session.Record{Data: []byte("C"), Expiry: expiry, Version: va}); !errors.Is(err, session.ErrConflict) {
		t.Fatalf("Update from A while B is stored: %v", err)
	}
	va2, err := s.Update(ctx, key, session.Record{Data: []byte("A"), Expiry: expiry, Version: vb})
	if err != nil || va2 != va {
		t.Fatalf("Update back to A = %d, %v; want version %d again", va2, err, va)
	}
	if _, err := s.Update(ctx, key, session.Record{Data: []byte("A+1"), Expiry: expiry, Version: va}); err != nil {
		t.Fatalf("Update from the first A over the same content: %v", err)
	}
}
