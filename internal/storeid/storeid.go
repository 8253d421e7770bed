// Package storeid checks the record IDs that stores list (session.Entry.ID)
// before a store addresses a record by one (LoadID, UpdateID, DeleteID):
// an ID of any other form names no record and never reaches a file name,
// a query or a Redis key.
package storeid

import (
	"context"

	"github.com/tetherweb/tether/session"
)

// hashLength is the length of session.HashKey's hex form.
const hashLength = 64

// Valid reports whether id has the form of the IDs a store keeps: that of
// session.HashKey (64 lowercase hex digits) when the store hashes keys,
// else that of a session key (session.ValidKey).
func Valid(id string, hashed bool) bool {
	if !hashed {
		return session.ValidKey(id)
	}
	if len(id) != hashLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Addressable is implemented by stores that address a record by the ID
// their listing shows (session.Entry.ID): store/sqlstore, store/filestore,
// store/redisstore (Cluster included), store/memstore and
// store/tieredstore. Operators' tools (the tether CLI) use it to show,
// revoke and re-seal a record found in a listing without the session key,
// which a listing never shows. It is meant to move to package session (as
// session.IDStore) with the same methods.
type Addressable interface {
	// LoadID is Load of the record listed under id. An ID of a form the
	// store never lists finds nothing (session.ErrNotFound).
	LoadID(ctx context.Context, id string) (session.Record, error)
	// UpdateID is Update (compare-and-swap on rec.Version) of the record
	// listed under id.
	UpdateID(ctx context.Context, id string, rec session.Record) (session.Version, error)
	// DeleteID is Delete of the record listed under id. Deleting a
	// missing record is not an error; an ID of a form the store never
	// lists may give session.ErrNotFound.
	DeleteID(ctx context.Context, id string) error
}
