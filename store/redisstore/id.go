package redisstore

import (
	"context"
	"fmt"

	"github.com/tetherweb/tether/session"
)

// LoadID is Load of the record whose ID, as List reports it (what follows
// the prefix in the Redis key: session.HashKey of the session key, or the
// key with WithHashKeys(false)), is id: for operators' tools that hold a
// listing but no session key. It works on a Cluster like Load (one
// command on the key's slot). An ID of another form gives an error
// matching session.ErrNotFound and ErrInvalidKey.
func (s *Store) LoadID(ctx context.Context, id string) (session.Record, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, fmt.Errorf("redisstore: load: %w", err)
	}
	if !s.validID(id) {
		return session.Record{}, errLoadInvalid
	}
	return s.load(ctx, s.prefix+id)
}

// UpdateID is Update (compare-and-swap on rec.Version) of the record
// listed under id (see LoadID).
func (s *Store) UpdateID(ctx context.Context, id string, rec session.Record) (session.Version, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("redisstore: update: %w", err)
	}
	if !s.validID(id) {
		return 0, errUpdateInvalid
	}
	return s.update(ctx, s.prefix+id, rec)
}

// DeleteID is Delete of the record listed under id (see LoadID). Deleting
// a missing record, or one under an ID of another form, is not an error.
func (s *Store) DeleteID(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	if !s.validID(id) {
		return nil
	}
	return s.delete(ctx, s.prefix+id)
}
