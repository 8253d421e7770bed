package sqlstore

import (
	"bytes"
	"testing"
)

// Django's table is written by Django and by anyone with access to the
// database: the text columns tether reads back (session_data, the
// version the database computed, expire_date) never panic on any input.
func FuzzDjangoColumns(f *testing.F) {
	for _, s := range []string{"", "!b64:", "!b64:e30=", "!b64:e30", "!b64:!!!", "!", `{"a":1}`, "\x00\xff",
		"0000000000000000", "ffffffffffffffff", "fffffffffffffffff", "+fffffffffffffff", "-000000000000001",
		"2026-12-04 01:02:03.123456", " 2026-12-04 01:02:03 ", "2026-13-40 25:61:61", "9999-12-31 23:59:59.999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		back := djangoDataBack(b)
		if !bytes.HasPrefix(b, []byte(djangoEscape)) && !bytes.Equal(back, b) {
			t.Fatalf("plain text changed: %q -> %q", s, back)
		}
		// What tether writes reads back as it was.
		if got := djangoDataBack([]byte(djangoData(b))); !bytes.Equal(got, b) {
			t.Fatalf("djangoData round trip of %q: %q", s, got)
		}
		if v, ok := parseVersionHex(s); ok && (v == 0 || len(s) != 16) {
			t.Fatalf("version %d from %q", v, s)
		}
		if tm, err := parseDjangoExpiry(s); err == nil {
			again, err := parseDjangoExpiry(tm.Format("2006-01-02 15:04:05.999999999"))
			if err != nil || !again.Equal(tm) {
				t.Fatalf("expire_date %q read as %v, which reads back as %v, %v", s, tm, again, err)
			}
		}
	})
}
