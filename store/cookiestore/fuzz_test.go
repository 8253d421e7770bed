package cookiestore_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/cookiestore"
)

// The session cookie is the client's: any value opens to a record this
// store sealed, or fails; it never panics, and a value sealed with another
// key never opens.
func FuzzOpenCookie(f *testing.F) {
	key := bytes.Repeat([]byte("k"), 32)
	enc, err := cookiestore.NewEncrypted(key)
	if err != nil {
		f.Fatal(err)
	}
	signed, err := cookiestore.NewSigned([]byte("a secret key long enough for django signing"))
	if err != nil {
		f.Fatal(err)
	}
	other, _ := cookiestore.NewEncrypted(bytes.Repeat([]byte("o"), 32))
	rec := session.Record{Data: []byte(`{"cart":{"1":2}}`), Expiry: time.Now().Add(time.Hour)}
	for _, s := range []session.CookieStore{enc, signed, other} {
		v, err := s.SealCookie(rec)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
		f.Add(v[:len(v)/2])
		f.Add(v + "A")
	}
	for _, s := range []string{"", ":", "::", ".", "eyJ9:1:x", "gAAAAA", "%00", "\xff\xfe", "!b64:e30="} {
		f.Add(s)
	}
	otherSeal, _ := other.SealCookie(rec)
	f.Fuzz(func(t *testing.T, value string) {
		for _, s := range []session.CookieStore{enc, signed} {
			got, err := s.OpenCookie(value)
			if err == nil && got.Data == nil && len(value) == 0 {
				t.Fatal("the empty cookie opened")
			}
		}
		if value == otherSeal {
			if _, err := enc.OpenCookie(value); err == nil {
				t.Fatal("a value sealed with another key opened")
			}
		}
	})
}
