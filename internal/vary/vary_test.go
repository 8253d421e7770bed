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

// TestSharedValueNeverChanged: the shared "Cookie" value Cookie puts in
// an empty header is copied, not written into, by a later Add.
func TestSharedValueNeverChanged(t *testing.T) {
	a := http.Header{}
	Cookie(a)
	a.Add("Vary", "Origin")
	b := http.Header{}
	Cookie(b)
	if got := b["Vary"]; len(got) != 1 || got[0] != "Cookie" {
		t.Fatalf("second header: %q", got)
	}
	if got := a["Vary"]; len(got) != 2 || got[0] != "Cookie" || got[1] != "Origin" {
		t.Fatalf("first header: %q", got)
	}
}
