package cookiestore_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/cookiestore"
)

// What each cookie store hides: Django's signed_cookies format is signed,
// not encrypted, so anyone holding the cookie reads the session (the
// limit Django documents); the encrypted store's cookie shows nothing.
func TestSignedSessionIsReadable(t *testing.T) {
	rec := session.Record{Data: []byte(`{"secret":"visible"}`), Expiry: time.Now().Add(time.Hour)}
	signed, err := cookiestore.NewSigned([]byte(djangoKey))
	if err != nil {
		t.Fatal(err)
	}
	v, err := signed.SealCookie(rec)
	if err != nil {
		t.Fatal(err)
	}
	payload, _, _ := strings.Cut(v, ":")
	plain, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || !strings.Contains(string(plain), "visible") {
		t.Fatalf("the signed cookie %q does not read without the key: %q, %v", v, plain, err)
	}
	enc, err := cookiestore.NewEncrypted([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	v, err = enc.SealCookie(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, dec := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding} {
		if b, err := dec.DecodeString(v); err == nil && strings.Contains(string(b), "visible") {
			t.Fatal("the encrypted cookie shows the session")
		}
	}
	if strings.Contains(v, "visible") {
		t.Fatal("the encrypted cookie shows the session")
	}
}
