package tieredstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/internal/ratelog"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/internal/delegate"
)

// Store is a session.Store made of a cache store in front of a durable
// store; see the package documentation for how the two are kept
// consistent. It also implements session.Lister and session.Counter by
// passing them to the durable store. Make one with New. Its methods are
// safe for concurrent use.
type Store struct {
	cache, durable session.Store
	log            *slog.Logger
	maxAge         time.Duration
	// now is this process's clock, for the durable expiry of entries and
	// for asOf and distrust (time.Now; tests set another).
	now func() time.Time

	// distrust is a Unix nanosecond time: cache entries whose asOf is
	// before it may be stale and are not served.
	distrust atomic.Int64

	breaker   breaker
	lim       *ratelog.Limiter // cache failures, logged sparingly
	down      atomic.Bool      // a cache call failed since the last that worked
	downSince atomic.Int64     // Unix nanoseconds of the first failure of the outage
}

var (
	_ session.Store   = (*Store)(nil)
	_ session.Lister  = (*Store)(nil)
	_ session.Counter = (*Store)(nil)
)

// New returns a store that serves reads from cache when it can and keeps
// the records in durable. Neither store may be nil; the caller keeps
// ownership of both (and closes them). The cache store must not be shared
// with other uses of the same keys.
func New(cache, durable session.Store, opts ...Option) *Store {
	if cache == nil || durable == nil {
		panic("tieredstore: New needs a cache store and a durable store")
	}
	cfg := config{maxAge: DefaultMaxCacheAge, breakerFailures: DefaultBreakerFailures, breakerBackoff: DefaultBreakerBackoff}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	s := &Store{cache: cache, durable: durable, log: cfg.logger, maxAge: cfg.maxAge, now: time.Now}
	s.breaker.threshold = max(cfg.breakerFailures, 0)
	s.breaker.minBackoff = min(max(cfg.breakerBackoff, time.Millisecond), MaxBreakerBackoff)
	s.lim = &ratelog.Limiter{Logger: cfg.logger, Now: func() time.Time { return s.now() }}
	return s
}

// Load returns the live record stored under key: from the cache when it
// holds a current entry, else from the durable store (filling the cache).
// Errors are the durable store's, wrapped.
func (s *Store) Load(ctx context.Context, key string) (session.Record, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, fmt.Errorf("tieredstore: load: %w", err)
	}
	p := s.use()
	if p == passBypass {
		return s.loadDurable(ctx, key, 0)
	}
	defer s.breaker.done(p)
	c, err := s.cache.Load(ctx, key)
	switch {
	case err == nil:
		s.cacheUp(ctx)
		e, err := decodeEntry(c.Data)
		switch {
		case err != nil:
			// Not an entry of ours: replace it, using its cache
			// version as the lease.
			return s.loadDurable(ctx, key, c.Version)
		case e.kind == kindLease:
			return s.loadDurable(ctx, key, 0) // another request is filling
		case s.usable(e):
			return e.record(), nil
		default:
			// Expired by the durable expiry, or distrusted: refill it,
			// with its cache version as the lease (a writer that
			// changes it in between makes the fill fail).
			return s.loadDurable(ctx, key, c.Version)
		}
	case errors.Is(err, session.ErrNotFound):
		s.cacheUp(ctx)
		return s.loadDurable(ctx, key, s.takeLease(ctx, key))
	default:
		if ctx.Err() != nil {
			return session.Record{}, fmt.Errorf("tieredstore: load: %w", err)
		}
		s.cacheDown(ctx, "load", err)
		return s.loadDurable(ctx, key, 0)
	}
}

// usable reports whether a record entry may be served: it is not
// distrusted, and its durable expiry is more than expiryMargin away. The
// entry's expiry was truncated to the millisecond when it was written
// (see entryExpiry), and the margin covers a durable store that kills
// the record up to a millisecond before that (sqlstore's Django mode), so
// an entry is never served after its durable record died.
func (s *Store) usable(e entry) bool {
	return e.kind == kindRecord && e.asOf >= s.distrust.Load() && e.expiry.After(s.now().Add(expiryMargin))
}

// expiryMargin is how long before its (truncated) durable expiry an entry
// stops being served.
const expiryMargin = time.Millisecond

// entryExpiry is the durable expiry an entry keeps: the record's, truncated
// to the millisecond, as the durable stores of this module keep it
// (sqlstore and memcachestore store Unix milliseconds, truncated, and
// compare them with the current millisecond).
func entryExpiry(expiry time.Time) time.Time {
	return expiry.Truncate(time.Millisecond)
}

// entryData is the cache data of the entry for rec (rec.Version is the
// durable version) known current at asOf, with the expiry entryExpiry
// gives.
func entryData(rec session.Record, asOf time.Time) []byte {
	rec.Expiry = entryExpiry(rec.Expiry)
	return encodeRecord(rec, asOf)
}

// takeLease creates a fill lease under key and returns its cache version,
// or 0 when the cache holds an entry already or cannot be reached.
func (s *Store) takeLease(ctx context.Context, key string) session.Version {
	v, err := s.cache.Create(ctx, key, session.Record{Data: leaseData, Expiry: time.Now().Add(leaseTTL)})
	switch {
	case err == nil:
		s.cacheUp(ctx)
		return v
	case errors.Is(err, session.ErrExists):
		s.cacheUp(ctx)
	case ctx.Err() == nil:
		s.cacheDown(ctx, "lease", err)
	}
	return 0
}

// loadDurable loads key from the durable store and, if lease is not 0,
// fills the cache with the record in place of the entry of that cache
// version.
func (s *Store) loadDurable(ctx context.Context, key string, lease session.Version) (session.Record, error) {
	asOf := s.now() // before the read: the record is current at least from then
	rec, err := s.durable.Load(ctx, key)
	if err != nil {
		return session.Record{}, fmt.Errorf("tieredstore: load: %w", err)
	}
	if lease != 0 {
		s.fill(ctx, key, lease, rec, asOf)
	}
	return rec, nil
}

// fill replaces the cache entry of version lease with rec, known current
// at asOf. It fails harmlessly when the entry changed or went meanwhile:
// then a writer invalidated it, and rec may be stale.
func (s *Store) fill(ctx context.Context, key string, lease session.Version, rec session.Record, asOf time.Time) {
	_, err := s.cache.Update(ctx, key, session.Record{Data: entryData(rec, asOf), Expiry: s.cacheExpiry(rec.Expiry), Version: lease})
	switch {
	case err == nil:
		s.cacheUp(ctx)
	case errors.Is(err, session.ErrConflict), errors.Is(err, session.ErrNotFound):
		s.cacheUp(ctx)
	case ctx.Err() == nil:
		s.cacheDown(ctx, "fill", err) // the lease stays until it expires: harmless
	}
}

// cacheExpiry is the cache expiry of an entry for a record dying at
// expiry.
func (s *Store) cacheExpiry(expiry time.Time) time.Time {
	if s.maxAge > 0 {
		if limit := time.Now().Add(s.maxAge); limit.Before(expiry) {
			return limit
		}
	}
	return expiry
}

// writeFunc is a write of one record: a store's Create or Update.
type writeFunc func(ctx context.Context, key string, rec session.Record) (session.Version, error)

// write runs op, Create or Update, on key: durable alone when the breaker
// bypasses the cache, else cached, holding a pass from the breaker.
func (s *Store) write(ctx context.Context, op, key string, rec session.Record, durable, cached writeFunc) (session.Version, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("tieredstore: %s: %w", op, err)
	}
	p := s.use()
	if p == passBypass {
		v, err := durable(ctx, key, rec)
		s.bypassWrite()
		if err != nil {
			return 0, fmt.Errorf("tieredstore: %s: %w", op, err)
		}
		return v, nil
	}
	defer s.breaker.done(p)
	return cached(ctx, key, rec)
}

// Create creates the record in the durable store and returns its durable
// version; errors are the durable store's. The cache is filled under a
// lease taken before the durable write.
func (s *Store) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.write(ctx, "create", key, rec, s.durable.Create, s.createCached)
}

// createCached is Create with the cache in use.
func (s *Store) createCached(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	lease, err := s.cache.Create(ctx, key, session.Record{Data: leaseData, Expiry: time.Now().Add(leaseTTL)})
	occupied := false
	switch {
	case err == nil:
		s.cacheUp(ctx)
	case errors.Is(err, session.ErrExists):
		s.cacheUp(ctx)
		occupied = true // deleted below if the durable Create succeeds
	case ctx.Err() != nil:
		return 0, fmt.Errorf("tieredstore: create: %w", err)
	default:
		s.cacheDown(ctx, "create", err)
	}

	asOf := s.now()
	v, err := s.durable.Create(ctx, key, rec)
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if lease != 0 || !errors.Is(err, session.ErrExists) {
			// Drop our lease; and an error other than ErrExists leaves
			// the outcome unknown: drop whatever the cache has.
			s.invalidate(bg, key)
		}
		return 0, fmt.Errorf("tieredstore: create: %w", err)
	}
	switch {
	case lease != 0:
		rec.Version = v
		s.fill(bg, key, lease, rec, asOf)
	case occupied:
		// The cache held an entry although the durable store had no
		// live record: it cannot describe the new one.
		s.invalidate(bg, key)
	}
	return v, nil
}

// Update updates the durable record from rec.Version and returns the new
// durable version; errors are the durable store's. Then the cache entry is
// moved to the new version if it held exactly the one replaced, and deleted
// otherwise; after a failed durable Update it is deleted.
func (s *Store) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.write(ctx, "update", key, rec, s.durable.Update, s.updateCached)
}

// updateCached is Update with the cache in use.
func (s *Store) updateCached(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	asOf := s.now()
	v, err := s.durable.Update(ctx, key, rec)
	bg := context.WithoutCancel(ctx)
	if err != nil {
		// A conflict or a missing record means the cache may be stale;
		// any other error leaves the outcome unknown.
		s.invalidate(bg, key)
		return 0, fmt.Errorf("tieredstore: update: %w", err)
	}
	old := rec.Version
	rec.Version = v
	s.advance(bg, key, old, rec, asOf)
	return v, nil
}

// advance brings the cache entry of key from durable version old to rec
// after a successful durable write, or deletes it.
func (s *Store) advance(ctx context.Context, key string, old session.Version, rec session.Record, asOf time.Time) {
	c, err := s.cache.Load(ctx, key)
	if errors.Is(err, session.ErrNotFound) {
		s.cacheUp(ctx)
		return // nothing cached: the next Load fills
	}
	if err != nil {
		s.cacheDown(ctx, "update", err)
		s.invalidate(ctx, key)
		return
	}
	s.cacheUp(ctx)
	e, err := decodeEntry(c.Data)
	if err == nil && e.kind == kindRecord && e.version == rec.Version {
		return // a reader already filled in what we wrote
	}
	if err != nil || e.kind != kindRecord || e.version != old {
		s.invalidate(ctx, key) // a lease, another version, or garbage
		return
	}
	_, err = s.cache.Update(ctx, key, session.Record{Data: entryData(rec, asOf), Expiry: s.cacheExpiry(rec.Expiry), Version: c.Version})
	if err == nil {
		return
	}
	if !errors.Is(err, session.ErrConflict) && !errors.Is(err, session.ErrNotFound) {
		s.cacheDown(ctx, "update", err)
	}
	s.invalidate(ctx, key)
}

// invalidate deletes the cache entry of key. When that fails, every entry
// as of now plus ClockSkewMargin or earlier is distrusted: one of them may
// be stale, and may have been filled by a process whose clock runs ahead
// of this one's.
func (s *Store) invalidate(ctx context.Context, key string) {
	if err := s.cache.Delete(ctx, key); err != nil {
		s.distrustUntil(s.now().Add(ClockSkewMargin))
		s.cacheDown(ctx, "invalidate", err)
		return
	}
	s.cacheUp(ctx)
}

// distrustUntil makes entries whose asOf is before t unusable.
func (s *Store) distrustUntil(t time.Time) {
	n := t.UnixNano()
	for {
		cur := s.distrust.Load()
		if n <= cur || s.distrust.CompareAndSwap(cur, n) {
			return
		}
	}
}

// Delete deletes the durable record, then the cache entry (also when the
// durable Delete failed, since it may have happened).
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("tieredstore: delete: %w", err)
	}
	err := s.durable.Delete(ctx, key)
	if p := s.use(); p == passBypass {
		s.bypassWrite()
	} else {
		s.invalidate(context.WithoutCancel(ctx), key)
		s.breaker.done(p)
	}
	if err != nil {
		return fmt.Errorf("tieredstore: delete: %w", err)
	}
	return nil
}

// DeleteExpired removes up to limit expired records from the durable store
// (all when limit <= 0) and returns how many it removed. It then asks the
// cache to drop up to limit expired entries; a failure there is only
// logged. Either step is skipped when that store is no session.Sweeper
// (Redis and memcached expire their entries themselves).
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("tieredstore: delete expired: %w", err)
	}
	n := 0
	if sw, ok := s.durable.(session.Sweeper); ok {
		var err error
		if n, err = sw.DeleteExpired(ctx, limit); err != nil {
			return n, fmt.Errorf("tieredstore: delete expired: %w", err)
		}
	}
	if sw, ok := s.cache.(session.Sweeper); ok {
		if p := s.use(); p != passBypass {
			_, err := sw.DeleteExpired(ctx, limit)
			switch {
			case err == nil:
				s.cacheUp(ctx)
			case ctx.Err() == nil:
				s.cacheDown(ctx, "delete expired", err)
			}
			s.breaker.done(p)
		}
	}
	return n, nil
}

// List lists the durable store's records (see session.Lister). It fails
// with errors.ErrUnsupported when the durable store cannot list.
func (s *Store) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tieredstore: list: %w", err)
	}
	return delegate.List(ctx, "tieredstore", s.durable, after, limit)
}

// Count counts the durable store's live records (see session.Counter). It
// fails with errors.ErrUnsupported when the durable store cannot count.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("tieredstore: count: %w", err)
	}
	return delegate.Count(ctx, "tieredstore", s.durable)
}
