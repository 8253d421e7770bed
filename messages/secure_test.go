package messages

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The messages cookie is Secure on every request that came over HTTPS, as
// the session and CSRF cookies are, even when Options.Secure is off; its
// deletion too, so that it matches the cookie it removes.
func TestCookieSecureFollowsHTTPS(t *testing.T) {
	h := (&Manager{Storage: NewCookieStorage(testKey)}).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/read" {
			Get(r)
			return
		}
		Info(r, "x")
	}))
	for _, tc := range []struct {
		name   string
		https  bool
		secure bool
	}{{"http", false, false}, {"https", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/", nil)
			if tc.https {
				req.TLS = &tls.ConnectionState{}
			}
			h.ServeHTTP(rec, req)
			set := rec.Result().Cookies()
			if len(set) != 1 || set[0].Secure != tc.secure {
				t.Fatalf("Set-Cookie %q: want Secure %v", rec.Header().Values("Set-Cookie"), tc.secure)
			}

			rec = httptest.NewRecorder()
			req = httptest.NewRequest("GET", "/read", nil)
			req.AddCookie(set[0])
			if tc.https {
				req.TLS = &tls.ConnectionState{}
			}
			h.ServeHTTP(rec, req)
			sc := rec.Header().Get("Set-Cookie")
			if !strings.HasPrefix(sc, "messages=;") || strings.Contains(sc, "Secure") != tc.secure {
				t.Fatalf("deletion %q: want Secure %v", sc, tc.secure)
			}
		})
	}
}
