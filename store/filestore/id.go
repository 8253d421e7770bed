package filestore

import (
	"context"
	"path/filepath"

	"github.com/tetherweb/tether/internal/storeid"
	"github.com/tetherweb/tether/session"
)

// idPath returns the file of the record listed under id, or "" when id
// has not the form of this store's IDs: no file name is ever made from
// anything else.
func (s *Store) idPath(id string) string {
	if !storeid.Valid(id, !s.rawKeys) {
		return ""
	}
	return filepath.Join(s.dir, s.prefix+id)
}

// LoadID is Load of the record whose ID, as List reports it
// (session.HashKey of the key, or the key with WithHashKeys(false) or the
// Django layout), is id: for operators' tools that hold a listing but no
// session key. An ID of another form gives an error matching
// ErrInvalidKey and session.ErrNotFound.
func (s *Store) LoadID(ctx context.Context, id string) (session.Record, error) {
	return s.load(ctx, s.idPath(id))
}

// UpdateID is Update (compare-and-swap on rec.Version) of the record
// listed under id (see LoadID).
func (s *Store) UpdateID(ctx context.Context, id string, rec session.Record) (session.Version, error) {
	return s.update(ctx, s.idPath(id), rec)
}

// DeleteID is Delete of the record listed under id (see LoadID). Deleting
// a missing record is not an error; an ID of another form gives an error
// matching ErrInvalidKey and session.ErrNotFound, as Delete does for an
// invalid key.
func (s *Store) DeleteID(ctx context.Context, id string) error {
	return s.delete(ctx, s.idPath(id))
}
