package cookie_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/signing"
)

func ExampleSet() {
	w := httptest.NewRecorder()
	if err := cookie.Set(w, "theme", "dark", cookie.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Header().Get("Set-Cookie"))

	// What net/http would quietly alter is refused.
	err := cookie.Set(w, "theme", "dark blue", cookie.Options{})
	fmt.Println(errors.Is(err, cookie.ErrInvalid))
	err = cookie.Set(w, "theme", strings.Repeat("x", 5000), cookie.Options{})
	fmt.Println(errors.Is(err, cookie.ErrTooLarge))
	// Output:
	// theme=dark; Path=/; HttpOnly; SameSite=Lax
	// true
	// true
}

func ExampleSet_options() {
	w := httptest.NewRecorder()
	err := cookie.Set(w, "session", "abc123", cookie.Options{
		Path:     "/app",
		Domain:   "example.com",
		MaxAge:   90 * time.Minute,
		Secure:   true,
		SameSite: http.SameSiteStrictMode,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Print every attribute but Expires, which depends on the clock.
	var kept []string
	for attr := range strings.SplitSeq(w.Header().Get("Set-Cookie"), "; ") {
		if !strings.HasPrefix(attr, "Expires=") {
			kept = append(kept, attr)
		}
	}
	fmt.Println(strings.Join(kept, "; "))
	// Output:
	// session=abc123; Path=/app; Domain=example.com; Max-Age=5400; HttpOnly; Secure; SameSite=Strict
}

func ExampleDelete() {
	w := httptest.NewRecorder()
	// The same Options as Set, so the browser replaces that very cookie.
	cookie.Delete(w, "session", cookie.Options{Path: "/app"})
	fmt.Println(w.Header().Get("Set-Cookie"))
	// Output:
	// session=; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax
}

func ExampleValue() {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Add("Cookie", `theme="dark"; sessionid2=x`)
	r.Header.Add("Cookie", "sessionid=abc123")

	fmt.Println(cookie.Value(r, "theme"))
	fmt.Println(cookie.Value(r, "sessionid"))
	fmt.Println(cookie.Value(r, "lang"))
	// Output:
	// dark true
	// abc123 true
	//  false
}

func ExampleSigned() {
	s := &cookie.Signed{
		Key:  []byte("interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"),
		Salt: "color", // Django: response.set_signed_cookie("color", "blue", salt="color")
		Now:  func() time.Time { return time.Unix(1700000000, 0) },
	}
	w := httptest.NewRecorder()
	if err := s.Set(w, "color", "blue"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Header().Get("Set-Cookie"))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Cookie", "color=blue:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo")
	fmt.Println(s.Get(r, "color", time.Hour))

	r.Header.Set("Cookie", "color=red:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo")
	_, err := s.Get(r, "color", time.Hour)
	fmt.Println(errors.Is(err, signing.ErrBadSignature))
	// Output:
	// color=blue:1r31eq:McgY9FeuOH3U7F0sG2_Zlg4eDWaOZftZtkC_ThH5FPo; Path=/; HttpOnly; SameSite=Lax
	// blue <nil>
	// true
}

func ExampleEncrypted() {
	e := &cookie.Encrypted{Key: []byte("a long random secret, not this one")}
	w := httptest.NewRecorder()
	if err := e.Set(w, "prefs", `{"lang": "fr"; "theme": "dark"}`); err != nil {
		fmt.Println(err)
		return
	}

	// The browser sends the cookie back.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	v, err := e.Get(r, "prefs", 24*time.Hour)
	fmt.Println(v, err)
	// Output:
	// {"lang": "fr"; "theme": "dark"} <nil>
}
