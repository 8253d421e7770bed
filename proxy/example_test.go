package proxy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tetherweb/tether/proxy"
)

// A site behind a load balancer on 10.0.0.0/8 that terminates TLS and sets
// X-Forwarded-Proto and X-Forwarded-For.
func Example() {
	p, err := proxy.New(proxy.Config{Trusted: []string{"10.0.0.0/8"}})
	if err != nil {
		panic(err)
	}
	h := p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(proxy.IsHTTPS(r), proxy.Origin(r), proxy.ClientIP(r))
	}))

	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "10.0.0.7:51000"
	r.Host = "shop.example"
	r.Header.Set("X-Forwarded-Proto", "https")
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	h.ServeHTTP(httptest.NewRecorder(), r)

	// The same headers from a client on the internet are ignored.
	r.RemoteAddr = "203.0.113.9:40000"
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// true https://shop.example 198.51.100.7
	// false http://shop.example 203.0.113.9
}
