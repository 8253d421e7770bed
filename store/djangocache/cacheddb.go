package djangocache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/internal/delegate"
)

// CachedDB is a session.Store for sharing sessions with Django's cached_db
// backend: the durable store holds the records (Django's django_session
// table: store/sqlstore with WithDjangoTable, used with
// session.DjangoCodec), and cache holds Django's cache entries for them
// (redisstore.DjangoCache or memcachestore.DjangoCache with the prefix
// CachedDBPrefix), which Django reads before the table.
//
// CachedDB never reads the cache: its entries carry no version the
// durable store's compare-and-swap could use, and reading the table is
// always right. Instead it keeps Django from serving a stale dict: every
// write deletes the session's cache entry before it changes the table and
// again after. The delete before makes a write fail (with an error
// matching session.ErrUnavailable, which the Manager answers with 503)
// rather than leave a stale entry when the cache cannot be reached, as
// Django's own cached_db writes fail then. The delete after removes an
// entry that a Django request refilled from the old row while the write
// was under way; when it fails, the failure is logged at Error (Django may
// then serve the old dict until its entry expires, as it would after one
// of its own processes lost that race). Django refills the entry from the
// table on its next read.
//
// Load, DeleteExpired, List and Count are the durable store's.
type CachedDB struct {
	durable, cache session.Store
	log            *slog.Logger
}

var (
	_ session.Store   = (*CachedDB)(nil)
	_ session.Lister  = (*CachedDB)(nil)
	_ session.Counter = (*CachedDB)(nil)
)

// NewCachedDB returns a CachedDB on the durable store and Django's cache
// entries in cache; only cache's Delete is used. logger receives the
// failures of the second invalidation (slog.Default() when nil). It panics
// if durable or cache is nil.
func NewCachedDB(durable, cache session.Store, logger *slog.Logger) *CachedDB {
	if durable == nil || cache == nil {
		panic("djangocache: NewCachedDB needs a durable store and a cache store")
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &CachedDB{durable: durable, cache: cache, log: logger}
}

// Load returns the durable store's record.
func (s *CachedDB) Load(ctx context.Context, key string) (session.Record, error) {
	rec, err := s.durable.Load(ctx, key)
	if err != nil {
		return session.Record{}, fmt.Errorf("djangocache: load: %w", err)
	}
	return rec, nil
}

// Create creates the durable record, invalidating the cache entry before
// and after.
func (s *CachedDB) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.write(ctx, "create", key, rec, s.durable.Create)
}

// Update updates the durable record, invalidating the cache entry before
// and after (also when the Update fails, whose outcome may be unknown).
func (s *CachedDB) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	return s.write(ctx, "update", key, rec, s.durable.Update)
}

// write runs op, the durable store's Create or Update, between
// invalidateBefore and invalidateAfter (which runs also when op fails).
func (s *CachedDB) write(ctx context.Context, op, key string, rec session.Record, durable func(context.Context, string, session.Record) (session.Version, error)) (session.Version, error) {
	if err := s.invalidateBefore(ctx, op, key); err != nil {
		return 0, err
	}
	v, err := durable(ctx, key, rec)
	s.invalidateAfter(ctx, op, key)
	if err != nil {
		return 0, fmt.Errorf("djangocache: %s: %w", op, err)
	}
	return v, nil
}

// Delete deletes the durable record and the cache entry. When the cache
// cannot be reached, the durable record is deleted all the same (a
// logout must not wait for the cache) and the error is returned.
func (s *CachedDB) Delete(ctx context.Context, key string) error {
	if err := s.durable.Delete(ctx, key); err != nil {
		s.invalidateAfter(ctx, "delete", key)
		return fmt.Errorf("djangocache: delete: %w", err)
	}
	if err := s.cache.Delete(context.WithoutCancel(ctx), key); err != nil {
		return fmt.Errorf("djangocache: delete: cache entry: %w", err)
	}
	return nil
}

// invalidateBefore deletes the cache entry before a durable write; the
// write must not happen when that fails.
func (s *CachedDB) invalidateBefore(ctx context.Context, op, key string) error {
	if err := s.cache.Delete(ctx, key); err != nil {
		if ctx.Err() == nil && !errors.Is(err, session.ErrUnavailable) {
			err = fmt.Errorf("%w: %w", session.ErrUnavailable, err)
		}
		return fmt.Errorf("djangocache: %s: invalidate the cache entry first: %w", op, err)
	}
	return nil
}

// invalidateAfter deletes the cache entry after a durable write, even when
// the caller has gone away; a failure is logged.
func (s *CachedDB) invalidateAfter(ctx context.Context, op, key string) {
	if err := s.cache.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "djangocache: cache entry not invalidated after a write; Django may serve the previous session data until the entry expires",
			slog.String("op", op), slog.Any("error", err))
	}
}

// DeleteExpired is the durable store's (Django's cache expires its
// entries by itself); it removes nothing when the durable store is no
// session.Sweeper.
func (s *CachedDB) DeleteExpired(ctx context.Context, limit int) (int, error) {
	sw, ok := s.durable.(session.Sweeper)
	if !ok {
		return 0, nil
	}
	n, err := sw.DeleteExpired(ctx, limit)
	if err != nil {
		return n, fmt.Errorf("djangocache: delete expired: %w", err)
	}
	return n, nil
}

// List is the durable store's (see session.Lister); errors.ErrUnsupported
// when it cannot list.
func (s *CachedDB) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	return delegate.List(ctx, "djangocache", s.durable, after, limit)
}

// Count is the durable store's (see session.Counter);
// errors.ErrUnsupported when it cannot count.
func (s *CachedDB) Count(ctx context.Context) (int, error) {
	return delegate.Count(ctx, "djangocache", s.durable)
}
