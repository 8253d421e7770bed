package secure

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/proxy"
)

// Peers used by the tests: the trusted reverse proxy and an ordinary
// client on the internet.
const (
	proxyPeer  = "10.0.0.5:41000"
	clientPeer = "203.0.113.7:52000"
)

// trusting is the proxy setting of the tests: only 10.0.0.0/8 is trusted.
var trusting = proxy.Config{Trusted: []string{"10.0.0.0/8"}}

// request builds a server request for target ("http://…" or "https://…",
// the latter with r.TLS set) from the peer remote.
func request(method, target, remote string, header map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.RemoteAddr = remote
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

// serve runs r through proxy middleware of cfg, a Guard of o and handler
// (a 200 "ok" when nil), and returns the response.
func serve(t *testing.T, cfg proxy.Config, o Options, handler http.Handler, r *http.Request) *http.Response {
	t.Helper()
	g, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p, err := proxy.New(cfg)
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	if handler == nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	}
	rec := httptest.NewRecorder()
	p.Middleware(g.Middleware(handler)).ServeHTTP(rec, r)
	res := rec.Result()
	t.Cleanup(func() { res.Body.Close() })
	return res
}
