package session_test

import (
	"strings"
	"testing"

	"github.com/tetherweb/tether/session"
)

// FuzzValidKey: the session cookie's value is the client's; ValidKey
// accepts exactly KeyLength characters of a-z and 0-9 (so no other text
// reaches a store's file names or queries), and HashKey of anything is 64
// hex digits.
func FuzzValidKey(f *testing.F) {
	for _, s := range []string{"", session.NewKey(), strings.ToUpper(session.NewKey()), session.NewKey() + "a",
		session.NewKey()[1:], "../../../../etc/passwd", strings.Repeat("a", session.KeyLength-1) + "\x00",
		strings.Repeat("é", session.KeyLength/2), strings.Repeat("a", session.KeyLength-1) + "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		want := len(key) == session.KeyLength && strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
		if got := session.ValidKey(key); got != want {
			t.Fatalf("ValidKey(%q) = %v", key, got)
		}
		if h := session.HashKey(key); len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			t.Fatalf("HashKey(%q) = %q", key, h)
		}
	})
}
