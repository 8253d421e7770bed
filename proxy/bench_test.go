package proxy

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// go test -run '^$' -bench . -benchmem ./proxy/

var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func benchMiddleware(b *testing.B, p *Proxy, r *http.Request) {
	h := p.Middleware(noop)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// BenchmarkMiddlewareDirect is a server facing the internet: no proxy
// trusted, no AllowedHosts (no host check).
func BenchmarkMiddlewareDirect(b *testing.B) {
	benchMiddleware(b, MustNew(Config{}), req("203.0.113.5:1234", "example.com", false))
}

// BenchmarkMiddlewareBehindProxy resolves X-Forwarded-* from a trusted
// peer, no AllowedHosts.
func BenchmarkMiddlewareBehindProxy(b *testing.B) {
	p := MustNew(Config{Trusted: []string{"10.0.0.0/8"}})
	benchMiddleware(b, p, req("10.0.0.1:1", "internal:8080", false,
		"X-Forwarded-Proto", "https", "X-Forwarded-Host", "example.com", "X-Forwarded-For", "198.51.100.7"))
}

// BenchmarkMiddlewareAllowedHosts checks the public host against a list
// of three entries; an allowed host costs no allocation more.
func BenchmarkMiddlewareAllowedHosts(b *testing.B) {
	p := MustNew(Config{Trusted: []string{"10.0.0.0/8"}, AllowedHosts: []string{"example.org", "[::1]", ".example.com"}})
	benchMiddleware(b, p, req("10.0.0.1:1", "internal:8080", false,
		"X-Forwarded-Proto", "https", "X-Forwarded-Host", "www.example.com", "X-Forwarded-For", "198.51.100.7"))
}

// BenchmarkAllowed is the check alone.
func BenchmarkAllowed(b *testing.B) {
	p := MustNew(Config{AllowedHosts: []string{"example.org", "[::1]", ".example.com"}})
	b.ReportAllocs()
	for b.Loop() {
		p.Allowed("www.example.com")
	}
}
