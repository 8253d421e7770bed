// Package memstore keeps sessions in a map inside the process: the
// zero-configuration default store. Sessions die with the process and are
// not shared between processes, so it suits development, tests and
// single-instance deployments.
//
// The map is split into shards, each behind its own sync.RWMutex, so that
// concurrent requests for different sessions rarely contend. Load, the hot
// path, takes a read lock and does not allocate. Versions come from one
// atomic counter per Store, so a version is never given twice, not even to
// a key that was deleted and created again.
//
// Expired records are never loaded; a background janitor removes them
// every CleanupInterval (one minute by default) so that abandoned sessions
// do not hold memory. Close stops it.
//
// The store holds at most DefaultMaxSessions records unless
// WithMaxSessions says otherwise: when it is full, a new session evicts
// the one closest to expiry (an expired one first), so a flood of new
// sessions cannot exhaust memory. Each shard keeps its records in a heap
// ordered by expiry, so an eviction, like the janitor's removal of an
// expired record, costs O(log n), not a scan.
//
// Costs, from go test -run '^$' -bench . -benchmem ./store/memstore/ on a
// 2-CPU AMD EPYC VM: Load about 100ns with no allocation, more than half of
// it the time.Now that checks the expiry; Update about 300ns with one
// allocation, the copy of the data. With every CPU loading, 64 shards beat
// one lock (about 105ns against 150ns a Load on 2 CPUs); the gap grows with
// the number of CPUs.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/session"
)

// DefaultCleanupInterval is how often the janitor removes expired records
// unless WithCleanupInterval says otherwise.
const DefaultCleanupInterval = time.Minute

// shardCount is the number of map shards; a power of two.
const shardCount = 64

// DefaultMaxSessions is the most records a Store holds unless
// WithMaxSessions says otherwise. A million sessions is more than a
// single instance (the only kind that can use an in-process store)
// serves, and takes a few hundred megabytes (the demo's records, with the
// map and heap, cost about 450 bytes each), which a server has; a flood of
// cookie-less requests that each create a session then evicts old
// sessions instead of growing the process without end.
const DefaultMaxSessions = 1_000_000

// Option configures a Store made by New.
type Option func(*config)

type config struct {
	cleanupInterval time.Duration
	shards          int
	maxSessions     int
}

// WithMaxSessions bounds the number of records the Store holds (default
// DefaultMaxSessions; n <= 0: no bound). When the store is full, creating
// a session evicts the record closest to expiry. The bound is kept per
// shard, each of the 64 shards holding at most n/64 records (rounded up),
// so the record evicted is the one closest to expiry among the records of
// the new key's shard: with keys spread evenly over the shards, that is
// one of the earliest to expire overall.
func WithMaxSessions(n int) Option {
	return func(c *config) { c.maxSessions = n }
}

// WithCleanupInterval sets how often the background janitor deletes
// expired records (default DefaultCleanupInterval). d <= 0 starts no
// janitor: expired records are then still never loaded, but stay in memory
// until DeleteExpired is called.
func WithCleanupInterval(d time.Duration) Option {
	return func(c *config) { c.cleanupInterval = d }
}

// Store is a session.Store, session.Lister and session.Counter kept in
// process memory. Make one with New. All methods are safe for concurrent
// use.
//
// Load returns the Data slice the store holds, without copying it: callers
// must not modify it (the session Manager never does). Create and Update
// copy the Data they are given, so callers may reuse their buffers, and
// never write into a slice handed out before.
//
// Expiry is compared with the wall clock: the monotonic reading a
// time.Time may carry is dropped when the record is stored.
type Store struct {
	c *core
}

var (
	_ session.Store   = (*Store)(nil)
	_ session.Lister  = (*Store)(nil)
	_ session.Counter = (*Store)(nil)
)

// core is the state shared with the janitor goroutine. The janitor holds
// only core, not the Store, so an unreachable Store can be collected and
// its cleanup can stop the janitor.
type core struct {
	seed    maphash.Seed
	mask    uint64
	shards  []shard
	version atomic.Uint64
	janitor *janitor // nil when disabled
}

type shard struct {
	mu  sync.RWMutex
	m   map[string]*entry
	h   expiryHeap // the entries of m, earliest expiry first
	max int        // the most entries m may hold; 0: no bound
	_   [32]byte   // keeps neighbouring shards' locks off one cache line
}

type entry struct {
	key     string
	data    []byte
	expiry  time.Time
	version session.Version
	index   int // position in the shard's heap
}

// live reports whether e may be loaded at time now.
func (e *entry) live(now time.Time) bool { return e.expiry.After(now) }

// put stores a new entry under key (which is not in m), evicting the
// entry closest to expiry first when the shard is full. The caller holds
// the write lock.
func (sh *shard) put(e *entry) {
	if sh.max > 0 && len(sh.m) >= sh.max {
		sh.remove(sh.h[0])
	}
	sh.m[e.key] = e
	sh.h.push(e)
}

// set gives e, which is in the shard, new data, expiry and version. The
// caller holds the write lock.
func (sh *shard) set(e *entry, data []byte, expiry time.Time, v session.Version) {
	e.data, e.expiry, e.version = data, expiry, v
	sh.h.fix(e.index)
}

// remove deletes e from the shard. The caller holds the write lock.
func (sh *shard) remove(e *entry) {
	delete(sh.m, e.key)
	sh.h.remove(e.index)
}

// Errors returned on the hot paths are made once, so a miss does not
// allocate.
var (
	errLoadNotFound   = fmt.Errorf("memstore: load: %w", session.ErrNotFound)
	errCreateExists   = fmt.Errorf("memstore: create: %w", session.ErrExists)
	errUpdateNotFound = fmt.Errorf("memstore: update: %w", session.ErrNotFound)
	errUpdateConflict = fmt.Errorf("memstore: update: %w", session.ErrConflict)
)

// New returns an empty Store and, unless WithCleanupInterval(0) is given,
// starts its janitor goroutine. Call Close when done with the Store to stop
// the janitor; a Store that becomes unreachable without Close has its
// janitor stopped by the garbage collector eventually.
func New(opts ...Option) *Store {
	cfg := config{cleanupInterval: DefaultCleanupInterval, shards: shardCount, maxSessions: DefaultMaxSessions}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return newStore(cfg)
}

func newStore(cfg config) *Store {
	n := 1
	for n < cfg.shards {
		n <<= 1
	}
	c := &core{seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]shard, n)}
	perShard := 0
	if cfg.maxSessions > 0 {
		perShard = (cfg.maxSessions + n - 1) / n
	}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*entry)
		c.shards[i].max = perShard
	}
	s := &Store{c: c}
	if cfg.cleanupInterval > 0 {
		j := newJanitor()
		c.janitor = j
		go j.run(c, cfg.cleanupInterval)
		runtime.AddCleanup(s, func(halt context.CancelFunc) { halt() }, j.halt)
	}
	return s
}

func (c *core) shard(key string) *shard {
	return &c.shards[maphash.String(c.seed, key)&c.mask]
}

func (c *core) nextVersion() session.Version {
	return session.Version(c.version.Add(1))
}

// Load returns the live record stored under key, or an error matching
// session.ErrNotFound. The returned Data is the store's own slice: do not
// modify it.
func (s *Store) Load(ctx context.Context, key string) (session.Record, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, fmt.Errorf("memstore: load: %w", err)
	}
	sh := s.c.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[key]
	var rec session.Record
	if ok {
		// Update changes the entry in place: copy it under the lock.
		rec = session.Record{Data: e.data, Expiry: e.expiry, Version: e.version}
	}
	sh.mu.RUnlock()
	if !ok || !rec.Expiry.After(time.Now()) {
		return session.Record{}, errLoadNotFound
	}
	return rec, nil
}

// Create stores a copy of rec.Data under key unless a live record is there
// (session.ErrExists), and returns the new record's version.
func (s *Store) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.write(ctx, "create", key, rec, func(sh *shard, e *entry, data []byte, expiry time.Time) (session.Version, error) {
		if e != nil && e.live(time.Now()) {
			return 0, errCreateExists
		}
		v := s.c.nextVersion()
		if e != nil { // an expired record the janitor has not removed yet
			sh.set(e, data, expiry, v)
			return v, nil
		}
		// The key may be a slice of a larger string (a Cookie header):
		// keep only its own bytes.
		sh.put(&entry{key: strings.Clone(key), data: data, expiry: expiry, version: v})
		return v, nil
	})
}

// Update replaces the record under key with a copy of rec.Data and
// rec.Expiry if its version is rec.Version, and returns the new version.
// It returns an error matching session.ErrConflict when the version
// differs and session.ErrNotFound when no live record is there.
func (s *Store) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.write(ctx, "update", key, rec, func(sh *shard, e *entry, data []byte, expiry time.Time) (session.Version, error) {
		if e == nil || !e.live(time.Now()) {
			return 0, errUpdateNotFound
		}
		if e.version != rec.Version {
			return 0, errUpdateConflict
		}
		v := s.c.nextVersion()
		sh.set(e, data, expiry, v)
		return v, nil
	})
}

// write runs change, the body of op (Create or Update), with key's shard
// locked for writing, the entry under key (nil when there is none) and
// rec's data and expiry as they are kept: a copy of the bytes, and the
// time without its monotonic clock reading.
func (s *Store) write(ctx context.Context, op, key string, rec session.Record, change func(sh *shard, e *entry, data []byte, expiry time.Time) (session.Version, error)) (session.Version, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("memstore: %s: %w", op, err)
	}
	data := bytes.Clone(rec.Data)
	expiry := rec.Expiry.Round(0)
	sh := s.c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return change(sh, sh.m[key], data, expiry)
}

// Delete removes the record under key, if any.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: delete: %w", err)
	}
	sh := s.c.shard(key)
	sh.mu.Lock()
	if e, ok := sh.m[key]; ok {
		sh.remove(e)
	}
	sh.mu.Unlock()
	return nil
}

// Local reports true: the store answers from memory and never blocks, so
// the session Manager does not bound its calls with a timer (see
// session.Local).
func (s *Store) Local() bool { return true }

// DeleteExpired removes up to limit expired records (all when limit <= 0)
// and returns how many it removed. It locks one shard at a time.
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("memstore: delete expired: %w", err)
	}
	n := s.c.deleteExpired(ctx, limit)
	if err := ctx.Err(); err != nil {
		return n, fmt.Errorf("memstore: delete expired: %w", err)
	}
	return n, nil
}

// deleteExpired removes up to limit expired records (all when limit <= 0),
// stopping early when ctx is done.
func (c *core) deleteExpired(ctx context.Context, limit int) int {
	removed := 0
	for i := range c.shards {
		if ctx.Err() != nil {
			break
		}
		sh := &c.shards[i]
		now := time.Now()
		sh.mu.Lock()
		// The heap's top is the earliest expiry: pop while it is dead.
		for len(sh.h) > 0 && !sh.h[0].live(now) {
			if limit > 0 && removed >= limit {
				break
			}
			sh.remove(sh.h[0])
			removed++
		}
		sh.mu.Unlock()
		if limit > 0 && removed >= limit {
			break
		}
	}
	return removed
}

// List returns up to limit live entries (all when limit <= 0) whose IDs
// sort after the given one, in ID order. An entry's ID is
// session.HashKey of its key, so a listing never shows a key that could be
// presented as a session cookie. Each call hashes and sorts every live key:
// it is meant for operators, not for request paths.
func (s *Store) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: list: %w", err)
	}
	var entries []session.Entry
	for i := range s.c.shards {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("memstore: list: %w", err)
		}
		sh := &s.c.shards[i]
		now := time.Now()
		sh.mu.RLock()
		for k, e := range sh.m {
			if !e.live(now) {
				continue
			}
			if id := session.HashKey(k); id > after {
				entries = append(entries, session.Entry{ID: id, Expiry: e.expiry, Size: len(e.data)})
			}
		}
		sh.mu.RUnlock()
	}
	slices.SortFunc(entries, func(a, b session.Entry) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	if limit > 0 && len(entries) > limit {
		entries = slices.Clip(entries[:limit])
	}
	return entries, nil
}

// Count returns the number of live records.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("memstore: count: %w", err)
	}
	n := 0
	for i := range s.c.shards {
		sh := &s.c.shards[i]
		now := time.Now()
		sh.mu.RLock()
		for _, e := range sh.m {
			if e.live(now) {
				n++
			}
		}
		sh.mu.RUnlock()
	}
	return n, nil
}

// Close stops the janitor goroutine and waits for it to finish. It is
// idempotent and always returns nil. The Store keeps working after Close;
// only the periodic cleanup is gone (DeleteExpired still works).
func (s *Store) Close() error {
	if j := s.c.janitor; j != nil {
		j.halt()
		<-j.done
	}
	return nil
}
