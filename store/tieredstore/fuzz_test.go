package tieredstore

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// A cache entry comes from the cache store (Redis, memcached), which
// others may write to: every input decodes or fails with errBadEntry,
// never panics, and a decoded record encodes back to the same bytes.
func FuzzDecodeEntry(f *testing.F) {
	good := encodeRecord(session.Record{Data: []byte(`{"a":1}`), Expiry: time.Unix(1_700_000_000, 123), Version: 9}, time.Unix(0, 42))
	f.Add(good)
	f.Add(good[:entryHeader])
	f.Add(good[:entryHeader-1])
	f.Add(leaseData)
	f.Add(append(bytes.Clone(leaseData), "data after a lease"...))
	f.Add([]byte{})
	f.Add([]byte("TCX"))
	bad := bytes.Clone(good)
	bad[2] = 'Z'
	f.Add(bad)
	zero := bytes.Clone(good)
	copy(zero[3:11], make([]byte, 8))
	f.Add(zero)
	huge := bytes.Clone(good)
	copy(huge[11:23], bytes.Repeat([]byte{0xff}, 12)) // nanoseconds over a second, negative seconds
	f.Add(huge)
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			if !errors.Is(err, errBadEntry) {
				t.Fatalf("error does not match errBadEntry: %v", err)
			}
			return
		}
		if len(e.data) != len(b)-entryHeader || cap(e.data) != len(e.data) {
			t.Fatalf("data %d bytes (cap %d) of %d", len(e.data), cap(e.data), len(b))
		}
		if e.kind == kindRecord {
			if e.version == 0 {
				t.Fatal("a record of version 0 decoded")
			}
			rec := e.record()
			again, err := decodeEntry(encodeRecord(rec, time.Unix(0, e.asOf)))
			if err != nil || again.version != e.version || !again.expiry.Equal(e.expiry) || !bytes.Equal(again.data, e.data) || again.asOf != e.asOf {
				t.Fatalf("round trip: %+v, %v; want %+v", again, err, e)
			}
		}
	})
}
