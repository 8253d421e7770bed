package session_test

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/proxy"
)

// The session cookie is Secure whenever the request came over HTTPS, as
// the proxy setting judges it, and only then when Cookie.Secure is off.
func TestCookieSecureFollowsRequest(t *testing.T) {
	e := newEnv(t)
	p := proxy.MustNew(proxy.Config{Trusted: []string{"10.0.0.0/8"}})
	h := p.Middleware(e.mgr.Middleware(setHandler(t, "k", "v")))
	for _, c := range []struct {
		name   string
		remote string
		tls    bool
		proto  string
		want   bool
	}{
		{"plain http", "203.0.113.1:1", false, "", false},
		{"tls", "203.0.113.1:1", true, "", true},
		{"trusted proxy says https", "10.0.0.1:1", false, "https", true},
		{"untrusted peer says https", "203.0.113.1:1", false, "https", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			r.TLS = nil
			if c.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if c.proto != "" {
				r.Header.Set("X-Forwarded-Proto", c.proto)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			ck := sessionCookie(rec.Result())
			if ck == nil {
				t.Fatal("no session cookie")
			}
			if ck.Secure != c.want {
				t.Fatalf("Secure=%v, want %v", ck.Secure, c.want)
			}
		})
	}
}
