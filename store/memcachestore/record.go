package memcachestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tetherweb/tether/session"
)

// The record header; see the package documentation.
const (
	magic0, magic1 = 'T', 'M'
	formatVersion  = 1
	headerSize     = 19
)

// ErrMalformed is matched (with errors.Is) by the error Load and Update
// return for an item whose value is not a record of this package. That
// error also matches session.ErrNotFound.
var ErrMalformed = errors.New("memcachestore: malformed record")

// encodeValue returns a new buffer holding the header for version and
// expiry followed by a copy of data. The version may be rewritten in place
// with setVersion.
func encodeValue(version session.Version, expiry time.Time, data []byte) []byte {
	buf := make([]byte, headerSize+len(data))
	buf[0], buf[1], buf[2] = magic0, magic1, formatVersion
	setVersion(buf, version)
	binary.BigEndian.PutUint64(buf[11:19], uint64(expiry.UnixMilli()))
	copy(buf[headerSize:], data)
	return buf
}

// setVersion writes version into the header of buf.
func setVersion(buf []byte, version session.Version) {
	binary.BigEndian.PutUint64(buf[3:11], uint64(version))
}

// header is a record's header, parsed.
type header struct {
	version  session.Version
	expiryMs int64 // Unix milliseconds
}

// live reports whether the record may be used at time now.
func (h header) live(now time.Time) bool { return h.expiryMs > now.UnixMilli() }

// decodeValue parses an item's value. The returned data aliases value.
func decodeValue(value []byte) (header, []byte, error) {
	switch {
	case len(value) < headerSize:
		return header{}, nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrMalformed, len(value), headerSize)
	case value[0] != magic0 || value[1] != magic1:
		return header{}, nil, fmt.Errorf("%w: bad magic %q", ErrMalformed, value[:2])
	case value[2] != formatVersion:
		return header{}, nil, fmt.Errorf("%w: unknown format version %d", ErrMalformed, value[2])
	}
	h := header{
		version:  session.Version(binary.BigEndian.Uint64(value[3:11])),
		expiryMs: int64(binary.BigEndian.Uint64(value[11:19])),
	}
	if h.version == 0 {
		return header{}, nil, fmt.Errorf("%w: version 0", ErrMalformed)
	}
	// Cap the capacity: the buffer gomemcache read also holds the
	// protocol's trailing CRLF.
	return h, value[headerSize:len(value):len(value)], nil
}

// Expiration limits of the memcached protocol.
const (
	// maxRelative is the longest expiration memcached reads as seconds
	// from now (30 days); larger values are absolute Unix times.
	maxRelative = 30 * 24 * 60 * 60
	// serverSlack is added to every expiration: memcached's clock ticks
	// once a second and may lag behind by a tick, so an item given n
	// seconds may die up to about two seconds early by our clock.
	serverSlack = 2
)

// expiration returns the memcached expiration for a record dying at expiry
// when the time is now: a negative number when expiry has passed (memcached
// drops the item at once), seconds from now rounded up (plus slack) for up
// to 30 days, an absolute Unix time rounded up (plus slack) beyond that,
// and 0 (no expiration) when that time does not fit the protocol's 32-bit
// field. The server never drops the item before expiry.
func expiration(expiry, now time.Time) int32 {
	d := expiry.Sub(now)
	if d <= 0 {
		return -1
	}
	secs := int64(d / time.Second)
	if d%time.Second != 0 {
		secs++
	}
	secs += serverSlack
	if secs <= maxRelative {
		return int32(secs)
	}
	abs := expiry.Unix()
	if expiry.Nanosecond() != 0 {
		abs++
	}
	abs += serverSlack
	if abs > math.MaxInt32 {
		return 0
	}
	return int32(abs)
}
