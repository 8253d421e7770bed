package memcachestore

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// An item's value comes from memcached, which anyone on its network may
// write to: every value decodes or fails with ErrMalformed, never panics,
// and what decodes encodes back to the same bytes.
func FuzzDecodeValue(f *testing.F) {
	good := encodeValue(7, time.UnixMilli(1_700_000_000_123), []byte(`{"a":1}`))
	f.Add(good)
	f.Add(good[:headerSize])
	f.Add(good[:headerSize-1])
	f.Add([]byte{})
	f.Add([]byte("TM"))
	f.Add(append([]byte("TM\x02"), make([]byte, 16)...))                                              // unknown format
	f.Add(append([]byte("TM\x01"), make([]byte, 16)...))                                              // version 0
	f.Add(append([]byte("TM\x01\xff\xff\xff\xff\xff\xff\xff\xff"), bytes.Repeat([]byte{0xff}, 8)...)) // negative expiry
	f.Add([]byte("VALUE key 0 5\r\nhello\r\n"))
	f.Fuzz(func(t *testing.T, value []byte) {
		h, data, err := decodeValue(value)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not match ErrMalformed: %v", err)
			}
			return
		}
		if h.version == 0 || len(data) != len(value)-headerSize || cap(data) != len(data) {
			t.Fatalf("decoded %+v, %d bytes of data (cap %d) from %d", h, len(data), cap(data), len(value))
		}
		if again := encodeValue(h.version, time.UnixMilli(h.expiryMs), data); !bytes.Equal(again, value) {
			t.Fatalf("round trip: %x, want %x", again, value)
		}
	})
}
