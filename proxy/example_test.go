package proxy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

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

// AllowedHosts names the hosts the site answers to; a request for any
// other host (a forged Host header, a DNS-rebinding page, a forwarded
// host the proxy was tricked into passing on) gets 400 and never reaches
// the application.
func ExampleConfig_allowedHosts() {
	p, err := proxy.New(proxy.Config{
		Trusted: []string{"10.0.0.0/8"},
		// The apex and every subdomain, plus the local development
		// server: nothing is allowed implicitly once the list is set.
		AllowedHosts: []string{".shop.example", "localhost"},
	})
	if err != nil {
		panic(err)
	}
	h := p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "welcome to ", proxy.Origin(r))
	}))

	for _, host := range []string{"shop.example", "WWW.Shop.Example.", "localhost:8000", "evil.example", "shop.example.evil.example"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Printf("%-26s %d %s\n", host, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	fmt.Println(p.Allowed("api.shop.example:8443"), p.Allowed("127.0.0.1"))

	// Entries are host names, not URLs; New says what to write.
	_, err = proxy.New(proxy.Config{AllowedHosts: []string{"https://shop.example/"}})
	fmt.Println(err)
	// Output:
	// shop.example               200 welcome to http://shop.example
	// WWW.Shop.Example.          200 welcome to http://www.shop.example.
	// localhost:8000             200 welcome to http://localhost:8000
	// evil.example               400 400 Bad Request: unknown host
	// shop.example.evil.example  400 400 Bad Request: unknown host
	// true false
	// proxy: AllowedHosts entry "https://shop.example/": is a URL, not a host; write "shop.example"
}
