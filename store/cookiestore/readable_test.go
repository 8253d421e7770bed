package cookiestore_test

import (
	"encoding/base64"
	"net/http"
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

// A cookie session has no server state to delete: a copy of the cookie
// taken before a logout still opens until it expires (the documented
// limit; server-side stores end the session for every copy).
func TestCopiedCookieOutlivesLogout(t *testing.T) {
	a := encrypted(t)
	copied := sessionCookie(a.serve(set("user", "demo"), nil))
	resp := a.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() }, copied)
	if c := sessionCookie(resp); c == nil || c.MaxAge >= 0 {
		t.Fatalf("logout did not delete the cookie: %v", c)
	}
	a.serve(func(w http.ResponseWriter, r *http.Request) {
		if user, _ := session.Value[string](session.From(r), "user"); user != "demo" {
			t.Errorf("the copy taken before the logout: user %q; the documented limit changed, update docs/security.md", user)
		}
	}, copied)
}
