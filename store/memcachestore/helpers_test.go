package memcachestore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// testTimeout is the client timeout of the tests: generous, for -race on
// a small machine moving 1 MiB values.
const testTimeout = 3 * time.Second

// newClient returns a client of addr, closed when the test ends.
func newClient(t testing.TB, addr string) *memcache.Client {
	t.Helper()
	c := memcache.New(addr)
	c.Timeout = testTimeout
	c.MaxIdleConns = 64
	t.Cleanup(func() { c.Close() })
	return c
}

// randomPrefix returns a prefix no other test uses.
func randomPrefix() string {
	var b [8]byte
	rand.Read(b[:])
	return "tether-test-" + hex.EncodeToString(b[:]) + ":"
}

// tracked is a Store that remembers every key it was asked to write, and
// deletes them all from the server when the test ends.
type tracked struct {
	*Store
	mu   sync.Mutex
	keys map[string]struct{}
}

// newTracked wraps s; cleanup goes through its own client of addr (s may
// talk through a proxy that is down when the test ends).
func newTracked(t testing.TB, addr string, s *Store) *tracked {
	t.Helper()
	tr := &tracked{Store: s, keys: map[string]struct{}{}}
	cleaner := newClient(t, addr)
	t.Cleanup(func() {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		for k := range tr.keys {
			if err := cleaner.Delete(s.ItemKey(k)); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
				t.Errorf("cleanup: delete %s: %v", s.ItemKey(k), err)
			}
		}
	})
	return tr
}

func (tr *tracked) note(key string) {
	tr.mu.Lock()
	tr.keys[key] = struct{}{}
	tr.mu.Unlock()
}

func (tr *tracked) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	tr.note(key)
	return tr.Store.Create(ctx, key, rec)
}

func (tr *tracked) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	tr.note(key)
	return tr.Store.Update(ctx, key, rec)
}

// newTestStore returns a store on the test memcached under a fresh prefix,
// deleting what it wrote when the test ends.
func newTestStore(t testing.TB, opts ...Option) *tracked {
	t.Helper()
	addr := servicetest.MemcachedAddr(t)
	s := New(newClient(t, addr), append([]Option{WithPrefix(randomPrefix())}, opts...)...)
	return newTracked(t, addr, s)
}

// withClock makes the store read the time from now.
func withClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// offsetClock is the wall clock moved by a settable offset, or stopped at
// a fixed time.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
	fixed  time.Time
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now().Add(c.offset)
}

// Set runs the clock d ahead of the wall clock.
func (c *offsetClock) Set(d time.Duration) {
	c.mu.Lock()
	c.offset, c.fixed = d, time.Time{}
	c.mu.Unlock()
}

// Stop stops the clock at t.
func (c *offsetClock) Stop(t time.Time) {
	c.mu.Lock()
	c.fixed = t
	c.mu.Unlock()
}

// commandCounter counts the protocol commands a client sends, by verb.
type commandCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

// dialer returns a DialContext for memcache.Client that counts commands.
func (cc *commandCounter) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, cc: cc}, nil
	}
}

// take returns the counts so far and starts again from zero.
func (cc *commandCounter) take() map[string]int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	m := cc.counts
	cc.counts = map[string]int{}
	return m
}

// countingConn counts the commands written on it. gomemcache flushes each
// command (with its value, when small) in one Write, so a Write starts with
// a verb.
type countingConn struct {
	net.Conn
	cc *commandCounter
}

func (c *countingConn) Write(p []byte) (int, error) {
	if verb, _, ok := strings.Cut(string(p[:min(len(p), 16)]), " "); ok {
		c.cc.mu.Lock()
		if c.cc.counts == nil {
			c.cc.counts = map[string]int{}
		}
		c.cc.counts[verb]++
		c.cc.mu.Unlock()
	}
	return c.Conn.Write(p)
}

func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got %v, want an error matching %v", what, err, target)
	}
}

func mustCreate(t testing.TB, s session.Store, key string, data string, expiry time.Time) session.Version {
	t.Helper()
	v, err := s.Create(context.Background(), key, session.Record{Data: []byte(data), Expiry: expiry})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return v
}

func mustLoad(t testing.TB, s session.Store, key string) session.Record {
	t.Helper()
	rec, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return rec
}
