package memstore

import (
	"context"
	"fmt"

	"github.com/tetherweb/tether/internal/storeid"
	"github.com/tetherweb/tether/session"
)

// keyOf returns the key whose session.HashKey is id (the ID List shows),
// by hashing every key of the store: O(n) in the number of records, for
// operators' tools, not request paths. It locks one shard at a time.
func (s *Store) keyOf(ctx context.Context, id string) (string, bool, error) {
	if !storeid.Valid(id, true) {
		return "", false, nil
	}
	for i := range s.c.shards {
		if err := ctx.Err(); err != nil {
			return "", false, err
		}
		sh := &s.c.shards[i]
		sh.mu.RLock()
		for k := range sh.m {
			if session.HashKey(k) == id {
				sh.mu.RUnlock()
				return k, true, nil
			}
		}
		sh.mu.RUnlock()
	}
	return "", false, nil
}

// LoadID is Load of the record whose ID, as List reports it
// (session.HashKey of its key), is id: for operators' tools that hold a
// listing but no session key. It scans the whole store (O(n)).
func (s *Store) LoadID(ctx context.Context, id string) (session.Record, error) {
	key, ok, err := s.keyOf(ctx, id)
	switch {
	case err != nil:
		return session.Record{}, fmt.Errorf("memstore: load: %w", err)
	case !ok:
		return session.Record{}, errLoadNotFound
	}
	return s.Load(ctx, key)
}

// UpdateID is Update (compare-and-swap on rec.Version) of the record
// listed under id (see LoadID). It scans the whole store (O(n)).
func (s *Store) UpdateID(ctx context.Context, id string, rec session.Record) (session.Version, error) {
	key, ok, err := s.keyOf(ctx, id)
	switch {
	case err != nil:
		return 0, fmt.Errorf("memstore: update: %w", err)
	case !ok:
		return 0, errUpdateNotFound
	}
	return s.Update(ctx, key, rec)
}

// DeleteID is Delete of the record listed under id (see LoadID); deleting
// a missing record is not an error. It scans the whole store (O(n)).
func (s *Store) DeleteID(ctx context.Context, id string) error {
	key, ok, err := s.keyOf(ctx, id)
	switch {
	case err != nil:
		return fmt.Errorf("memstore: delete: %w", err)
	case !ok:
		return nil
	}
	return s.Delete(ctx, key)
}
