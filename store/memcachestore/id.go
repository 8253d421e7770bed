package memcachestore

import (
	"context"
	"encoding/binary"
	"encoding/hex"

	"github.com/tetherweb/tether/internal/storeid"
)

// DeleteID removes the record whose ID is id: session.HashKey of its
// session key, the part of the item name after the prefix. It lets
// store/tieredstore drop the cache entry of a record that an operator
// deletes by the ID a listing shows, without the session key. Deleting a
// missing record, or one under an ID of another form, is not an error.
// (memcached cannot list its items, so there is no LoadID.)
func (s *Store) DeleteID(ctx context.Context, id string) error {
	if err := ctxErr(ctx, "delete"); err != nil {
		return err
	}
	if !storeid.Valid(id, true) {
		return nil
	}
	var sum [8]byte
	if _, err := hex.Decode(sum[:], []byte(id[:16])); err != nil {
		return nil // not reached: Valid checked the hex digits
	}
	return s.deleteItem(ctx, s.prefix+id, binary.LittleEndian.Uint64(sum[:]))
}
