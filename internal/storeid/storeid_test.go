package storeid

import (
	"strings"
	"testing"

	"github.com/tetherweb/tether/session"
)

func TestValid(t *testing.T) {
	key := session.NewKey()
	hash := session.HashKey(key)
	for _, c := range []struct {
		id     string
		hashed bool
		want   bool
	}{
		{hash, true, true},
		{key, false, true},
		{key, true, false},
		{hash, false, false},
		{strings.ToUpper(hash), true, false},
		{hash[:63], true, false},
		{hash + "0", true, false},
		{hash[:63] + "g", true, false},
		{"", true, false},
		{"", false, false},
		{"../" + key[3:], false, false},
	} {
		if got := Valid(c.id, c.hashed); got != c.want {
			t.Errorf("Valid(%q, %v) = %v, want %v", c.id, c.hashed, got, c.want)
		}
	}
}

// FuzzValid: Valid never panics, and accepts exactly 64 lowercase hex
// digits (hashed) or a session key (not hashed): nothing that could climb
// out of a directory or widen a pattern.
func FuzzValid(f *testing.F) {
	key := session.NewKey()
	for _, s := range []string{"", key, session.HashKey(key), "../" + key, "*", "\x00", strings.Repeat("f", 64), strings.Repeat("F", 64), "é" + key[2:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if Valid(id, true) {
			if len(id) != 64 || strings.Trim(id, "0123456789abcdef") != "" {
				t.Fatalf("Valid(%q, true)", id)
			}
		}
		if Valid(id, false) != session.ValidKey(id) {
			t.Fatalf("Valid(%q, false) differs from session.ValidKey", id)
		}
	})
}
