package secure_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/secure"
)

func hello(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello") }

// The zero Options are Django's defaults: the security headers, no HSTS,
// no redirect.
func ExampleGuard_Middleware() {
	h := secure.MustNew(secure.Options{}).Middleware(http.HandlerFunc(hello))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/", nil))
	for _, k := range []string{"X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options", "Strict-Transport-Security"} {
		fmt.Printf("%s: %q\n", k, rec.Header().Get(k))
	}
	// Output:
	// X-Content-Type-Options: "nosniff"
	// Referrer-Policy: "same-origin"
	// Cross-Origin-Opener-Policy: "same-origin"
	// X-Frame-Options: "DENY"
	// Strict-Transport-Security: ""
}

// Behind a TLS-terminating proxy, package proxy says which requests were
// HTTPS: the proxy's own requests with X-Forwarded-Proto: https get HSTS,
// a client claiming the same is redirected.
func ExampleNew() {
	g, err := secure.New(secure.Options{
		SSLRedirect:    true,
		RedirectExempt: []string{"GET /healthz"},
		HSTSMaxAge:     365 * 24 * time.Hour,
	})
	if err != nil {
		panic(err)
	}
	p := proxy.MustNew(proxy.Config{Trusted: []string{"10.0.0.0/8"}})
	h := p.Middleware(g.Middleware(http.HandlerFunc(hello)))

	for _, peer := range []string{"10.0.0.5:4000", "203.0.113.7:5000"} {
		r := httptest.NewRequest("POST", "http://example.com/cart?add=5", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(peer, rec.Code, rec.Header().Get("Location"), rec.Header().Get("Strict-Transport-Security"))
	}
	// Output:
	// 10.0.0.5:4000 200  max-age=31536000
	// 203.0.113.7:5000 308 https://example.com/cart?add=5
}

// A page meant to be embedded elsewhere (a widget) opts out of
// X-Frame-Options with a nil header, Django's xframe_options_exempt, and
// names who may frame it with Content-Security-Policy frame-ancestors.
// Every other page keeps the default DENY.
func ExampleOptions_frameOptions() {
	g := secure.MustNew(secure.Options{}) // FrameOptions "" is DENY
	mux := http.NewServeMux()
	mux.HandleFunc("/", hello)
	mux.HandleFunc("/widget", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Frame-Options"] = nil
		w.Header().Set("Content-Security-Policy", "frame-ancestors https://partner.example")
		hello(w, r)
	})
	h := g.Middleware(mux)
	for _, path := range []string{"/", "/widget"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "https://example.com"+path, nil))
		fmt.Printf("%s: X-Frame-Options %q, CSP %q\n", path, rec.Header().Get("X-Frame-Options"), rec.Header().Get("Content-Security-Policy"))
	}
	// Output:
	// /: X-Frame-Options "DENY", CSP ""
	// /widget: X-Frame-Options "", CSP "frame-ancestors https://partner.example"
}
