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
