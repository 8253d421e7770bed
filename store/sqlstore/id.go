package sqlstore

import (
	"context"
	"fmt"

	"github.com/tetherweb/tether/internal/storeid"
	"github.com/tetherweb/tether/session"
)

// LoadID is Load of the record whose stored ID (the id column, as List
// reports it: session.HashKey of the key unless WithHashKeys(false) or
// WithDjangoTable) is id, for operators' tools that hold a listing but no
// session key. An ID of another form gives session.ErrNotFound without a
// query.
func (s *Store) LoadID(ctx context.Context, id string) (session.Record, error) {
	if !storeid.Valid(id, s.hashKeys) {
		return session.Record{}, fmt.Errorf("sqlstore: load: invalid ID: %w", session.ErrNotFound)
	}
	return s.load(ctx, id)
}

// UpdateID is Update (compare-and-swap on rec.Version) of the record whose
// stored ID is id (see LoadID).
func (s *Store) UpdateID(ctx context.Context, id string, rec session.Record) (session.Version, error) {
	if !storeid.Valid(id, s.hashKeys) {
		return 0, fmt.Errorf("sqlstore: update: invalid ID: %w", session.ErrNotFound)
	}
	return s.update(ctx, id, rec)
}

// DeleteID is Delete of the record whose stored ID is id (see LoadID).
// Deleting a missing record, or one under an ID of another form, is not an
// error.
func (s *Store) DeleteID(ctx context.Context, id string) error {
	if !storeid.Valid(id, s.hashKeys) {
		return nil
	}
	return s.delete(ctx, id)
}
