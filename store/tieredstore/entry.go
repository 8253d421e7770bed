package tieredstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tetherweb/tether/session"
)

// A cache entry is the Data of a record in the cache store:
//
//	offset 0   2 bytes  magic "TC"
//	offset 2   1 byte   kind: 'R' a durable record, 'L' a fill lease
//	offset 3   8 bytes  the durable version
//	offset 11  8 bytes  the durable expiry: Unix seconds (two's complement)
//	offset 19  4 bytes  and nanoseconds
//	offset 23  8 bytes  asOf, Unix nanoseconds: the entry was current then or later
//	offset 31           the durable data
//
// all big-endian. A lease carries zeros and no data.
const (
	entryMagic0, entryMagic1 = 'T', 'C'
	kindRecord               = 'R'
	kindLease                = 'L'
	entryHeader              = 31
)

// errBadEntry reports cache data that is not an entry of this package.
var errBadEntry = errors.New("tieredstore: malformed cache entry")

// leaseData is the Data of every lease. Cache stores copy what they are
// given, so one buffer serves all.
var leaseData = func() []byte {
	b := make([]byte, entryHeader)
	b[0], b[1], b[2] = entryMagic0, entryMagic1, kindLease
	return b
}()

// entry is a cache entry, decoded.
type entry struct {
	kind    byte
	version session.Version
	expiry  time.Time
	asOf    int64
	data    []byte // aliases the cache's Data
}

// encodeRecord returns the entry for rec (rec.Version is the durable
// version) known to be current at asOf.
func encodeRecord(rec session.Record, asOf time.Time) []byte {
	b := make([]byte, entryHeader+len(rec.Data))
	b[0], b[1], b[2] = entryMagic0, entryMagic1, kindRecord
	binary.BigEndian.PutUint64(b[3:11], uint64(rec.Version))
	binary.BigEndian.PutUint64(b[11:19], uint64(rec.Expiry.Unix()))
	binary.BigEndian.PutUint32(b[19:23], uint32(rec.Expiry.Nanosecond()))
	binary.BigEndian.PutUint64(b[23:31], uint64(asOf.UnixNano()))
	copy(b[entryHeader:], rec.Data)
	return b
}

// decodeEntry parses cache data; the returned entry's data aliases b.
func decodeEntry(b []byte) (entry, error) {
	if len(b) < entryHeader || b[0] != entryMagic0 || b[1] != entryMagic1 {
		return entry{}, errBadEntry
	}
	e := entry{
		kind:    b[2],
		version: session.Version(binary.BigEndian.Uint64(b[3:11])),
		expiry:  time.Unix(int64(binary.BigEndian.Uint64(b[11:19])), int64(binary.BigEndian.Uint32(b[19:23]))),
		asOf:    int64(binary.BigEndian.Uint64(b[23:31])),
		data:    b[entryHeader:len(b):len(b)],
	}
	switch {
	case e.kind == kindLease:
	case e.kind != kindRecord:
		return entry{}, fmt.Errorf("%w: kind %q", errBadEntry, e.kind)
	case e.version == 0:
		return entry{}, fmt.Errorf("%w: version 0", errBadEntry)
	}
	return e, nil
}

// record returns the durable record an entry of kind 'R' holds.
func (e entry) record() session.Record {
	return session.Record{Data: e.data, Expiry: e.expiry, Version: e.version}
}
