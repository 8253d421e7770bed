package redisstore

import (
	"strconv"
	"testing"
)

// A record's fields come from Redis, which others may write to: any
// HMGET reply decodes to a record with a positive version and expiry, to
// "not found", or to a reason; never a panic.
func FuzzDecode(f *testing.F) {
	for _, c := range []struct {
		data, version, expiry string
		nils                  uint8 // bit i: field i is missing
	}{
		{`{"a":1}`, "1", "1700000000000", 0},
		{"", "9007199254740991", "9007199254740991", 0},
		{"", "9007199254740992", "1", 0}, // over 2^53-1
		{"", "0", "1", 0}, {"", "01", "1", 0}, {"", "-1", "1", 0}, {"", "+1", "1", 0},
		{"", " 1", "1", 0}, {"", "1e3", "1", 0}, {"", "99999999999999999", "1", 0},
		{"x", "1", "1", 1}, {"x", "1", "1", 2}, {"x", "1", "1", 4}, {"x", "1", "1", 7},
	} {
		f.Add(c.data, c.version, c.expiry, c.nils)
	}
	f.Fuzz(func(t *testing.T, data, version, expiry string, nils uint8) {
		vals := []any{data, version, expiry}
		for i := range vals {
			if nils&(1<<i) != 0 {
				vals[i] = nil
			}
		}
		rec, found, reason := decode(vals)
		switch {
		case !found:
			if nils&7 != 7 || reason != "" {
				t.Fatalf("not found for %q", vals)
			}
		case reason != "":
		default:
			if rec.Version == 0 || rec.Version > maxInt || string(rec.Data) != data || strconv.FormatUint(uint64(rec.Version), 10) != version {
				t.Fatalf("decoded %+v from %q", rec, vals)
			}
		}
		if _, _, reason := decode(vals[:2]); reason == "" {
			t.Fatal("a reply of two values decoded")
		}
	})
}
