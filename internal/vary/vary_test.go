package vary

import (
	"net/http"
	"slices"
	"testing"
)

func TestCookie(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{nil, []string{"Cookie"}},
		{[]string{"Accept-Encoding"}, []string{"Accept-Encoding", "Cookie"}},
		{[]string{"Accept-Encoding, cookie"}, []string{"Accept-Encoding, cookie"}},
		{[]string{"*"}, []string{"*"}},
		{[]string{"Origin", " Cookie "}, []string{"Origin", " Cookie "}},
	} {
		h := http.Header{}
		if c.in != nil {
			h["Vary"] = slices.Clone(c.in)
		}
		Cookie(h)
		Cookie(h) // idempotent
		if got := h["Vary"]; !slices.Equal(got, c.want) {
			t.Errorf("Vary %q: got %q, want %q", c.in, got, c.want)
		}
	}
}
