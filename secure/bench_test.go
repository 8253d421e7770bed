package secure

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tetherweb/tether/proxy"
)

// nopWriter is a ResponseWriter that keeps nothing but its header map,
// which is cleared between iterations.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

func benchServe(b *testing.B, h http.Handler, r *http.Request) {
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })

// go test -run '^$' -bench . -benchmem ./secure/
func BenchmarkHeadersHTTPS(b *testing.B) {
	g := MustNew(Options{HSTSMaxAge: 365 * 24 * time.Hour, HSTSIncludeSubdomains: true})
	benchServe(b, g.Middleware(ok), httptest.NewRequest("GET", "https://example.com/", nil))
}

func BenchmarkHeadersBehindProxy(b *testing.B) {
	g := MustNew(Options{SSLRedirect: true, HSTSMaxAge: 365 * 24 * time.Hour})
	p := proxy.MustNew(proxy.Config{Trusted: []string{"10.0.0.0/8"}})
	r := httptest.NewRequest("GET", "http://example.com/", nil)
	r.RemoteAddr = "10.0.0.5:4000"
	r.Header.Set("X-Forwarded-Proto", "https")
	benchServe(b, p.Middleware(g.Middleware(ok)), r)
}

func BenchmarkRedirect(b *testing.B) {
	g := MustNew(Options{SSLRedirect: true})
	benchServe(b, g.Middleware(ok), httptest.NewRequest("GET", "http://example.com/some/path?x=1", nil))
}

func BenchmarkRedirectExempt(b *testing.B) {
	g := MustNew(Options{SSLRedirect: true, RedirectExempt: []string{"/healthz", "/static/", "GET /.well-known/acme-challenge/"}})
	benchServe(b, g.Middleware(ok), httptest.NewRequest("GET", "http://example.com/static/app.css", nil))
}

func BenchmarkSetHeaders(b *testing.B) {
	g := MustNew(Options{HSTSMaxAge: time.Hour})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	h := http.Header{}
	b.ReportAllocs()
	for b.Loop() {
		clear(h)
		g.SetHeaders(h, r)
	}
}
