package memcachestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/djangocache"
	"github.com/tetherweb/tether/testkit/servicetest"
	"github.com/tetherweb/tether/testkit/storetest"
)

// trackedDjango is a DjangoCache that deletes every item it created when
// the test ends.
type trackedDjango struct {
	*DjangoCache
	mu   sync.Mutex
	keys []string
}

func (tr *trackedDjango) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	tr.mu.Lock()
	tr.keys = append(tr.keys, key)
	tr.mu.Unlock()
	return tr.DjangoCache.Create(ctx, key, rec)
}

func newTestDjangoCache(t testing.TB, opts ...DjangoOption) *trackedDjango {
	t.Helper()
	client := newClient(t, servicetest.MemcachedAddr(t))
	tr := &trackedDjango{DjangoCache: NewDjangoCache(client, append([]DjangoOption{WithDjangoPrefix(randomPrefix())}, opts...)...)}
	t.Cleanup(func() {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		for _, k := range tr.keys {
			if err := client.Delete(tr.prefix + k); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	return tr
}

// The suite runs with the exceptions package djangocache documents:
// content versions, and no Expiry to give back.
func TestDjangoCacheConformance(t *testing.T) {
	storetest.RunWithOptions(t, func(t *testing.T) session.Store {
		return newTestDjangoCache(t)
	}, storetest.Options{SelfExpiring: true, ContentVersions: true, ExpiryNotKept: true})
}

func TestDjangoCacheConcurrentRequests(t *testing.T) {
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store {
		return newTestDjangoCache(t)
	})
}

// Two handles (two processes' worth) on one prefix keep compare-and-swap
// between them.
func TestDjangoCacheConcurrentWritersTwoHandles(t *testing.T) {
	a := newTestDjangoCache(t) // creates the record, so it is cleaned up
	b := NewDjangoCache(newClient(t, servicetest.MemcachedAddr(t)), WithDjangoPrefix(a.prefix))
	storetest.RunConcurrentWriters(t, storetest.Writers, a, b)
}

// TestDjangoCacheLayout checks what Django's PyMemcacheCache reads: the
// Data itself with flags 1 under prefix+key; and the default prefix.
func TestDjangoCacheLayout(t *testing.T) {
	if s := NewDjangoCache(memcache.New("127.0.0.1:1")); s.prefix != ":1:django.contrib.sessions.cache" {
		t.Errorf("default prefix %q", s.prefix)
	}
	ctx := context.Background()
	var logs bytes.Buffer
	s := newTestDjangoCache(t, WithDjangoMaxAge(time.Hour), WithDjangoLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	key := session.NewKey()
	data := []byte("\x80\x05}\x94.")
	v, err := s.Create(ctx, key, session.Record{Data: data, Expiry: time.Now().Add(time.Minute)})
	if err != nil || v != djangocache.ContentVersion(data) {
		t.Fatalf("Create = %d, %v", v, err)
	}
	it, err := s.client.Get(s.prefix + key)
	if err != nil || string(it.Value) != string(data) || it.Flags != 1 {
		t.Fatalf("item = %+v, %v", it, err)
	}
	rec, err := s.Load(ctx, key)
	if err != nil || time.Until(rec.Expiry) < 59*time.Minute {
		t.Errorf("Load = %v, %v; want the expiry age of WithDjangoMaxAge", rec.Expiry, err)
	}

	// Another flag (a str, an int): not a session.
	for _, flags := range []uint32{0, 2, 16} {
		if err := s.client.Set(&memcache.Item{Key: s.prefix + key, Value: data, Flags: flags}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(ctx, key)
		if !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrDjangoFlags) {
			t.Errorf("flags %d: Load: %v", flags, err)
		}
		if want := fmt.Sprintf("flags=%d", flags); !strings.Contains(logs.String(), want) {
			t.Errorf("flags %d: not logged: %s", flags, logs.String())
		}
		_, err = s.Update(ctx, key, session.Record{Data: data, Expiry: time.Now().Add(time.Minute), Version: v})
		if !errors.Is(err, session.ErrNotFound) || !errors.Is(err, ErrDjangoFlags) {
			t.Errorf("flags %d: Update: %v", flags, err)
		}
	}
}

func TestDjangoExpiration(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		d    time.Duration
		want int32
	}{
		{-time.Second, -1}, {0, -1}, {time.Millisecond, 2}, {time.Second, 2}, {1500 * time.Millisecond, 3},
		{14 * 24 * time.Hour, 14*24*3600 + 1}, {30*24*time.Hour - time.Second, 30 * 24 * 3600},
		{30 * 24 * time.Hour, 1_700_000_000 + 30*24*3600 + 1},
		{31*24*time.Hour + time.Millisecond, 1_700_000_000 + 31*24*3600 + 2},
	} {
		if got := djangoExpiration(now.Add(tc.d), now); got != tc.want {
			t.Errorf("djangoExpiration(now+%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}
