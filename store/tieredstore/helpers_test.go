package tieredstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memcachestore"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// errInjected is the failure hooks inject.
var errInjected = errors.New("injected failure")

// --- tagged contexts ---------------------------------------------------------

type tagKey struct{}

// tagged marks ctx so that hooks can tell one request's calls from
// another's.
func tagged(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, tagKey{}, tag)
}

func tagOf(ctx context.Context) string {
	tag, _ := ctx.Value(tagKey{}).(string)
	return tag
}

// --- hookStore ---------------------------------------------------------------

// hookStore wraps a session.Store, counts its calls, and runs hooks at
// points named "load:before", "load:after", "create:before" ... for the
// calls of a tag ("*" for every call). A hook at a ":before" point that
// returns an error fails the call without running it; one at an ":after"
// point replaces the call's error (the call happened, the caller hears it
// failed, as after a timeout). Hooks may block, to order two requests'
// steps deterministically.
type hookStore struct {
	inner session.Store
	mu    sync.Mutex
	hooks map[string]func() error
	calls map[string]int
}

func newHookStore(inner session.Store) *hookStore {
	return &hookStore{inner: inner, hooks: map[string]func() error{}, calls: map[string]int{}}
}

// on sets the hook run at point for the calls tagged tag.
func (h *hookStore) on(tag, point string, f func() error) {
	h.mu.Lock()
	h.hooks[tag+"/"+point] = f
	h.mu.Unlock()
}

// clear removes every hook.
func (h *hookStore) clear() {
	h.mu.Lock()
	clear(h.hooks)
	h.mu.Unlock()
}

// count returns how many calls reached point.
func (h *hookStore) count(point string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[point]
}

func (h *hookStore) run(ctx context.Context, point string) error {
	h.mu.Lock()
	h.calls[point]++
	f := h.hooks[tagOf(ctx)+"/"+point]
	if f == nil {
		f = h.hooks["*/"+point]
	}
	h.mu.Unlock()
	if f != nil {
		return f()
	}
	return nil
}

func (h *hookStore) Load(ctx context.Context, key string) (session.Record, error) {
	if err := h.run(ctx, "load:before"); err != nil {
		return session.Record{}, err
	}
	rec, err := h.inner.Load(ctx, key)
	if herr := h.run(ctx, "load:after"); herr != nil {
		return session.Record{}, herr
	}
	return rec, err
}

func (h *hookStore) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := h.run(ctx, "create:before"); err != nil {
		return 0, err
	}
	v, err := h.inner.Create(ctx, key, rec)
	if herr := h.run(ctx, "create:after"); herr != nil {
		return 0, herr
	}
	return v, err
}

func (h *hookStore) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	if err := h.run(ctx, "update:before"); err != nil {
		return 0, err
	}
	v, err := h.inner.Update(ctx, key, rec)
	if herr := h.run(ctx, "update:after"); herr != nil {
		return 0, herr
	}
	return v, err
}

func (h *hookStore) Delete(ctx context.Context, key string) error {
	if err := h.run(ctx, "delete:before"); err != nil {
		return err
	}
	err := h.inner.Delete(ctx, key)
	if herr := h.run(ctx, "delete:after"); herr != nil {
		return herr
	}
	return err
}

func (h *hookStore) DeleteExpired(ctx context.Context, limit int) (int, error) {
	if err := h.run(ctx, "deleteexpired:before"); err != nil {
		return 0, err
	}
	sw, ok := h.inner.(session.Sweeper)
	if !ok {
		return 0, nil
	}
	return sw.DeleteExpired(ctx, limit)
}

// --- log capture -------------------------------------------------------------

// logRecorder is a slog.Handler that keeps every record.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.records = append(l.records, r.Clone())
	l.mu.Unlock()
	return nil
}

func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// at returns the records logged at level.
func (l *logRecorder) at(level slog.Level) []slog.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []slog.Record
	for _, r := range l.records {
		if r.Level == level {
			out = append(out, r)
		}
	}
	return out
}

// all returns every record's message and attributes as text.
func (l *logRecorder) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s string
	for _, r := range l.records {
		s += r.Level.String() + " " + r.Message
		r.Attrs(func(a slog.Attr) bool {
			s += " " + a.String()
			return true
		})
		s += "\n"
	}
	return s
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// --- stores ------------------------------------------------------------------

// newMemstore returns a memory store closed when the test ends.
func newMemstore(t testing.TB) *memstore.Store {
	t.Helper()
	s := memstore.New()
	t.Cleanup(func() { s.Close() })
	return s
}

// newSQLite returns a store on a fresh SQLite file in the test's temporary
// directory.
func newSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// randomPrefix returns a memcached prefix no other test uses.
func randomPrefix() string {
	var b [8]byte
	rand.Read(b[:])
	return "tether-test-tiered-" + hex.EncodeToString(b[:]) + ":"
}

// newMemcachedClient returns a client of addr, closed when the test ends.
func newMemcachedClient(t testing.TB, addr string) *memcache.Client {
	t.Helper()
	c := memcache.New(addr)
	c.Timeout = 3 * time.Second
	c.MaxIdleConns = 64
	t.Cleanup(func() { c.Close() })
	return c
}

// trackedCache is a cache store that remembers the keys written to it and
// deletes them from memcached when the test ends.
type trackedCache struct {
	session.Store
	mu   sync.Mutex
	keys map[string]struct{}
}

func (c *trackedCache) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	c.mu.Lock()
	c.keys[key] = struct{}{}
	c.mu.Unlock()
	return c.Store.Create(ctx, key, rec)
}

// DeleteID passes to the memcachestore (the tiered store's DeleteID and
// UpdateID drop cache entries through it).
func (c *trackedCache) DeleteID(ctx context.Context, id string) error {
	return c.Store.(*memcachestore.Store).DeleteID(ctx, id)
}

// newMemcachedCache returns a memcachestore on client under a fresh prefix;
// what it wrote is deleted at the end through a client of addr (client may
// go through a proxy that is down by then).
func newMemcachedCache(t testing.TB, addr string, client *memcache.Client) *trackedCache {
	t.Helper()
	prefix := randomPrefix()
	c := &trackedCache{Store: memcachestore.New(client, memcachestore.WithPrefix(prefix)), keys: map[string]struct{}{}}
	cleaner := memcachestore.New(newMemcachedClient(t, addr), memcachestore.WithPrefix(prefix))
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for k := range c.keys {
			if err := cleaner.Delete(context.Background(), k); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	return c
}

// newTestMemcachedCache returns a memcached cache on the test server.
func newTestMemcachedCache(t testing.TB) *trackedCache {
	t.Helper()
	addr := servicetest.MemcachedAddr(t)
	return newMemcachedCache(t, addr, newMemcachedClient(t, addr))
}

// --- assertions --------------------------------------------------------------

func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got %v, want an error matching %v", what, err, target)
	}
}

func mustCreate(t testing.TB, s session.Store, key, data string) session.Version {
	t.Helper()
	v, err := s.Create(context.Background(), key, session.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return v
}

func mustUpdate(t testing.TB, ctx context.Context, s session.Store, key, data string, v session.Version) session.Version {
	t.Helper()
	v, err := s.Update(ctx, key, session.Record{Data: []byte(data), Expiry: time.Now().Add(time.Hour), Version: v})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return v
}

// wantLoad checks that s loads key with data and version v.
func wantLoad(t testing.TB, s session.Store, key, data string, v session.Version) {
	t.Helper()
	rec, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if string(rec.Data) != data || rec.Version != v {
		t.Fatalf("Load = %q version %d, want %q version %d", rec.Data, rec.Version, data, v)
	}
}

// cached returns the entry the cache holds under key, or ok false.
func cached(t testing.TB, cache session.Store, key string) (entry, bool) {
	t.Helper()
	c, err := cache.Load(context.Background(), key)
	if errors.Is(err, session.ErrNotFound) {
		return entry{}, false
	}
	if err != nil {
		t.Fatalf("cache Load: %v", err)
	}
	e, err := decodeEntry(c.Data)
	if err != nil {
		t.Fatalf("cache entry: %v", err)
	}
	return e, true
}
