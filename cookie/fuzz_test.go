package cookie

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzValue: any Cookie header yields a value or none, never a panic,
// and a value found is a substring of the header.
func FuzzValue(f *testing.F) {
	for _, s := range []string{"", "c=1", `c="q"`, `c="`, "c", "=c", "c=;c=2", " c = 1 ", "a=1; c=%00\xff", strings.Repeat("c=;", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", header)
		if v, ok := Value(r, "c"); ok && !strings.Contains(header, v) {
			t.Fatalf("Value(%q) = %q", header, v)
		}
	})
}

// FuzzSignedAndEncryptedGet: a signed or encrypted cookie is the client's
// to change: any value is accepted only when this key made it, and
// otherwise fails cleanly (GetDefault returns the default), never panics.
func FuzzSignedAndEncryptedGet(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	signed := &Signed{Key: []byte("a secret key long enough for the fuzzer"), Now: clock}
	enc := &Encrypted{Key: bytes.Repeat([]byte("k"), 32), Now: clock}
	for _, jar := range []interface {
		Set(http.ResponseWriter, string, string) error
	}{signed, enc} {
		rec := httptest.NewRecorder()
		if err := jar.Set(rec, "c", "value:with:colons"); err != nil {
			f.Fatal(err)
		}
		v := strings.TrimPrefix(strings.SplitN(rec.Header().Get("Set-Cookie"), ";", 2)[0], "c=")
		v = strings.Trim(v, `"`)
		f.Add(v)
		f.Add(v[:len(v)-1])
		f.Add(strings.ToUpper(v))
	}
	for _, s := range []string{"", ":", "a:b:c", "value:1:", "value::sig", "value:zzzzzz:sig", "%", "\x00", strings.Repeat("A", 5000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: "c", Value: value, Quoted: false})
		if v, err := signed.Get(r, "c", time.Hour); err == nil && v != "value:with:colons" {
			t.Fatalf("signed cookie %q verified to %q", value, v)
		}
		if v, err := enc.Get(r, "c", time.Hour); err == nil && v != "value:with:colons" {
			t.Fatalf("encrypted cookie %q opened to %q", value, v)
		}
	})
}
