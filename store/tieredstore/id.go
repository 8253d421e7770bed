package tieredstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetherweb/tether/session"
)

// cacheIDs is what the cache implements to drop an entry by its ID
// (store/memcachestore, store/memstore, store/redisstore).
type cacheIDs interface {
	DeleteID(ctx context.Context, id string) error
}

// errNoIDs reports a durable store or cache that cannot address records by
// ID.
var errNoIDs = fmt.Errorf("tieredstore: the durable store and the cache must implement LoadID, UpdateID and DeleteID (DeleteID for the cache): %w", errors.ErrUnsupported)

// LoadID loads the record listed under id (List's IDs are the durable
// store's) from the durable store; the cache is not read. It fails with
// errors.ErrUnsupported when the durable store has no LoadID.
func (s *Store) LoadID(ctx context.Context, id string) (session.Record, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, fmt.Errorf("tieredstore: load: %w", err)
	}
	d, ok := s.durable.(session.IDStore)
	if !ok {
		return session.Record{}, fmt.Errorf("tieredstore: load: %w", errNoIDs)
	}
	rec, err := d.LoadID(ctx, id)
	if err != nil {
		return session.Record{}, fmt.Errorf("tieredstore: load: %w", err)
	}
	return rec, nil
}

// UpdateID is Update (compare-and-swap on rec.Version, at the durable
// store) of the record listed under id; the cache entry is then deleted
// (see byID), and the next Load fills it again.
func (s *Store) UpdateID(ctx context.Context, id string, rec session.Record) (session.Version, error) {
	var v session.Version
	err := s.byID(ctx, "update", id, func(d session.IDStore) (err error) {
		v, err = d.UpdateID(ctx, id, rec)
		return err
	})
	return v, err
}

// DeleteID is Delete of the record listed under id: the durable record,
// then the cache entry (see byID).
func (s *Store) DeleteID(ctx context.Context, id string) error {
	return s.byID(ctx, "delete", id, func(d session.IDStore) error { return d.DeleteID(ctx, id) })
}

// byID runs write on the durable store, then deletes the cache entry of
// the record listed under id (also when write failed, since it may have
// happened). The cache keeps entries under session keys. When id is a
// session key (a durable store that keeps plain keys), that is the entry
// under id. Otherwise id is session.HashKey of the key, and the entry goes
// through the cache's own DeleteID, which finds it when the cache too
// keeps entries under hashed keys: memcachestore always does, memstore
// does, redisstore does unless WithHashKeys(false) (a cache configured so
// keeps the entry, served until it leaves the cache, MaxCacheAge at
// most). A cache without DeleteID makes byID fail with
// errors.ErrUnsupported before anything is written: a revoked session
// must not live on in the cache. As after any write, a failed cache
// delete makes this process distrust the cache's entries.
func (s *Store) byID(ctx context.Context, op, id string, write func(d session.IDStore) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("tieredstore: %s: %w", op, err)
	}
	d, ok := s.durable.(session.IDStore)
	c, cacheOK := s.cache.(cacheIDs)
	plain := session.ValidKey(id)
	if !ok || !plain && !cacheOK {
		return fmt.Errorf("tieredstore: %s: %w", op, errNoIDs)
	}
	err := write(d)
	if p := s.use(); p == passBypass {
		s.bypassWrite()
	} else {
		bg := context.WithoutCancel(ctx)
		if plain {
			s.invalidate(bg, id)
		} else if cerr := c.DeleteID(bg, id); cerr != nil {
			s.distrustUntil(s.now().Add(ClockSkewMargin))
			s.cacheDown(bg, "invalidate", cerr)
		} else {
			s.cacheUp(bg)
		}
		s.breaker.done(p)
	}
	if err != nil {
		return fmt.Errorf("tieredstore: %s: %w", op, err)
	}
	return nil
}
