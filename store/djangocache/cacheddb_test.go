package djangocache

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/testkit/storetest"
)

// fakeCache stands for Django's cache entries: a memstore whose Delete
// can be made to fail, which counts the Deletes that reached it.
type fakeCache struct {
	session.Store
	mu      sync.Mutex
	down    bool
	deletes int
}

var errDown = errors.New("cache down")

func (c *fakeCache) Delete(ctx context.Context, key string) error {
	c.mu.Lock()
	down := c.down
	if !down {
		c.deletes++
	}
	c.mu.Unlock()
	if down {
		return errDown
	}
	return c.Store.Delete(ctx, key)
}

func newCachedDB(t *testing.T) (*CachedDB, session.Store, *fakeCache, *bytes.Buffer) {
	durable := memstore.New(memstore.WithCleanupInterval(0))
	cache := &fakeCache{Store: memstore.New(memstore.WithCleanupInterval(0))}
	t.Cleanup(func() { durable.Close(); cache.Store.(*memstore.Store).Close() })
	var logs bytes.Buffer
	return NewCachedDB(durable, cache, slog.New(slog.NewTextHandler(&logs, nil))), durable, cache, &logs
}

func TestCachedDBConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		s, _, _, _ := newCachedDB(t)
		return s
	})
}

// Every write removes Django's cache entry, so Django reads the new row.
func TestCachedDBInvalidates(t *testing.T) {
	ctx := context.Background()
	s, _, cache, _ := newCachedDB(t)
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	djangoEntry := func() {
		t.Helper()
		cache.Store.Delete(ctx, key)
		if _, err := cache.Store.Create(ctx, key, session.Record{Data: []byte("stale dict"), Expiry: expiry}); err != nil {
			t.Fatal(err)
		}
	}
	entryGone := func(what string) {
		t.Helper()
		if _, err := cache.Store.Load(ctx, key); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("after %s, Django's cache entry is still there (%v)", what, err)
		}
	}

	djangoEntry()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("one"), Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	entryGone("Create")
	djangoEntry()
	v, err = s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: v})
	if err != nil {
		t.Fatal(err)
	}
	entryGone("Update")
	djangoEntry()
	if _, err := s.Update(ctx, key, session.Record{Data: []byte("lost"), Expiry: expiry, Version: v + 1}); !errors.Is(err, session.ErrConflict) {
		t.Fatalf("stale Update: %v", err)
	}
	entryGone("a conflicting Update")
	djangoEntry()
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	entryGone("Delete")
	if cache.deletes != 7 {
		t.Errorf("%d cache deletes, want 2 for each of Create, Update and the stale Update, 1 for Delete", cache.deletes)
	}
}

// With the cache down, writes fail before touching the row (503 from the
// Manager), reads still work, and a logout still deletes the row.
func TestCachedDBCacheDown(t *testing.T) {
	ctx := context.Background()
	s, durable, cache, _ := newCachedDB(t)
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v, err := s.Create(ctx, key, session.Record{Data: []byte("one"), Expiry: expiry})
	if err != nil {
		t.Fatal(err)
	}
	cache.down = true
	if _, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: v}); !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("Update with the cache down: %v, want ErrUnavailable", err)
	}
	if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: expiry}); !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("Create with the cache down: %v, want ErrUnavailable", err)
	}
	rec, err := s.Load(ctx, key)
	if err != nil || string(rec.Data) != "one" {
		t.Fatalf("Load with the cache down = %q, %v", rec.Data, err)
	}
	if err := s.Delete(ctx, key); err == nil {
		t.Error("Delete with the cache down reported no error")
	}
	if _, err := durable.Load(ctx, key); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("the row survived a Delete with the cache down: %v", err)
	}
}

// flakyCache fails every second Delete: the one after the durable write.
type flakyCache struct {
	fakeCache
	n int
}

func (c *flakyCache) Delete(ctx context.Context, key string) error {
	c.n++
	if c.n%2 == 0 {
		return errDown
	}
	return nil
}

func TestCachedDBLogsLateInvalidation(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	durable := memstore.New(memstore.WithCleanupInterval(0))
	t.Cleanup(func() { durable.Close() })
	s := NewCachedDB(durable, &flakyCache{}, slog.New(slog.NewTextHandler(&logs, nil)))
	if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("Create: %v (the durable write succeeded)", err)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "not invalidated") {
		t.Errorf("log: %s", logs.String())
	}
}
