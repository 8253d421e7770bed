package filestore

import (
	"bytes"
	"errors"
	"testing"
)

// A session file's header line is read from disk, which another process
// (or a disk error) may have filled with anything: every input parses or
// fails with ErrCorrupt, never panics, and what parses writes back the same.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{
		"tether-session v1 1 1700000000000000000\n{}",
		"tether-session v1 18446744073709551615 -9223372036854775808\n",
		"tether-session v1 18446744073709551616 1\n", // version overflows
		"tether-session v1 0 1\n",                    // version 0
		"tether-session v1 1 9223372036854775808\n",  // expiry overflows
		"tether-session v1 1 -\n", "tether-session v1 1 --1\n", "tether-session v1 +1 1\n",
		"tether-session v1 1  1\n", "tether-session v1 1 1", "tether-session v2 1 1\n", "",
		"\n", "tether-session v1 \n", "tether-session v1 1 1 1\n", "tether-session v1 1 1\r\n",
		"tether-session v1 ١ 1\n", // Arabic-Indic digit
		"tether-session v1 00000000000000000001 00000000000000000001\n",
		"tether-session v1 000000000000000000001 1\n", // over maxHeader
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error does not match ErrCorrupt: %v", err)
			}
			return
		}
		if h.version == 0 || h.size < len(magic)+4 || h.size > maxHeader || h.size > len(b) || b[h.size-1] != '\n' {
			t.Fatalf("parsed %+v from %q", h, b)
		}
		again, err := parseHeader(appendHeader(nil, h.version, h.expiry))
		if err != nil || again.version != h.version || again.expiry != h.expiry {
			t.Fatalf("round trip of %+v: %+v, %v", h, again, err)
		}
		if !bytes.HasPrefix(b, []byte(magic)) {
			t.Fatalf("parsed without the magic: %q", b)
		}
	})
}
