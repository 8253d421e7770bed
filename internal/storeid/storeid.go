// Package storeid checks the record IDs that stores list (session.Entry.ID)
// before a store addresses a record by one (LoadID, UpdateID, DeleteID):
// an ID of any other form names no record and never reaches a file name,
// a query or a Redis key.
package storeid

import "github.com/tetherweb/tether/session"

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
