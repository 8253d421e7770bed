package secure

import (
	"bufio"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/proxy"
)

func TestSSLRedirect(t *testing.T) {
	on := Options{SSLRedirect: true, HSTSMaxAge: time.Hour}
	fwd := func(proto string) map[string]string { return map[string]string{"X-Forwarded-Proto": proto} }
	for _, tc := range []struct {
		name     string
		cfg      proxy.Config
		o        Options
		r        *http.Request
		status   int
		location string
	}{
		{"GET", proxy.Config{}, on, request("GET", "http://example.com/some/path?x=1", clientPeer, nil), 301, "https://example.com/some/path?x=1"},
		{"HEAD", proxy.Config{}, on, request("HEAD", "http://example.com/", clientPeer, nil), 301, "https://example.com/"},
		{"OPTIONS", proxy.Config{}, on, request("OPTIONS", "http://example.com/", clientPeer, nil), 301, "https://example.com/"},
		{"POST keeps its body with 308", proxy.Config{}, on, request("POST", "http://example.com/form", clientPeer, nil), 308, "https://example.com/form"},
		{"PUT", proxy.Config{}, on, request("PUT", "http://example.com/x", clientPeer, nil), 308, "https://example.com/x"},
		{"DELETE", proxy.Config{}, on, request("DELETE", "http://example.com/x", clientPeer, nil), 308, "https://example.com/x"},
		{"escaped path and empty query", proxy.Config{}, on, request("GET", "http://example.com/a%20b/%2F?", clientPeer, nil), 301, "https://example.com/a%20b/%2F?"},
		{"host keeps a non-default port", proxy.Config{}, on, request("GET", "http://example.com:8080/", clientPeer, nil), 301, "https://example.com:8080/"},
		{"host lower-cased, :80 dropped", proxy.Config{}, on, request("GET", "http://EXAMPLE.com:80/", clientPeer, nil), 301, "https://example.com/"},
		{"SSLHost", proxy.Config{}, Options{SSLRedirect: true, SSLHost: "secure.example.com:8443"}, request("GET", "http://example.com/p?q", clientPeer, nil), 301, "https://secure.example.com:8443/p?q"},
		{"already TLS", proxy.Config{}, on, request("GET", "https://example.com/", clientPeer, nil), 200, ""},
		{"off", proxy.Config{}, Options{}, request("GET", "http://example.com/", clientPeer, nil), 200, ""},
		{"trusted proxy says https", trusting, on, request("GET", "http://example.com/", proxyPeer, fwd("https")), 200, ""},
		{"untrusted client says https", trusting, on, request("GET", "http://example.com/", clientPeer, fwd("https")), 301, "https://example.com/"},
		{"no proxy trusted", proxy.Config{}, on, request("GET", "http://example.com/", proxyPeer, fwd("https")), 301, "https://example.com/"},
		{"trusted proxy's public host", trusting, on, request("GET", "http://internal:8000/x", proxyPeer, map[string]string{"X-Forwarded-Proto": "http", "X-Forwarded-Host": "www.example.com"}), 301, "https://www.example.com/x"},
		{"untrusted client's host header ignored", trusting, on, request("GET", "http://example.com/x", clientPeer, map[string]string{"X-Forwarded-Host": "evil.example"}), 301, "https://example.com/x"},
		{"path that looks like a host", proxy.Config{}, on, request("GET", "http://example.com//evil.example/", clientPeer, nil), 301, "https://example.com//evil.example/"},
	} {
		res := serve(t, tc.cfg, tc.o, nil, tc.r)
		if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
			t.Errorf("%s: %d %q, want %d %q", tc.name, res.StatusCode, res.Header.Get("Location"), tc.status, tc.location)
		}
		// Redirects carry the other headers, but never HSTS: they are
		// plain HTTP.
		if res.StatusCode == 301 || res.StatusCode == 308 {
			if res.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS on a plain-HTTP redirect", tc.name)
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("%s: redirect without the security headers: %v", tc.name, res.Header)
			}
		}
	}
}

// A request without a usable host, or whose target is not a path, gets
// 400: the Host header or an absolute-form target must never choose where
// the redirect goes.
func TestSSLRedirectBadHost(t *testing.T) {
	on := Options{SSLRedirect: true}
	noHost := request("GET", "http://example.com/x", clientPeer, nil)
	noHost.Host = ""
	badHost := request("GET", "http://example.com/x", clientPeer, nil)
	badHost.Host = "evil.example/@x"
	star := request("OPTIONS", "http://example.com/", clientPeer, nil)
	star.URL.Path, star.RequestURI = "*", "*"
	opaque := readRequest(t, "GET x:.evil.example/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
	for name, r := range map[string]*http.Request{"no host": noHost, "bad host": badHost, "asterisk": star, "opaque target": opaque} {
		res := serve(t, proxy.Config{}, on, nil, r)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
			t.Errorf("%s: %d %q, want 400", name, res.StatusCode, res.Header.Get("Location"))
		}
		if _, _, err := MustNew(on).Redirect(r); !errors.Is(err, ErrBadHost) {
			t.Errorf("%s: Redirect error %v", name, err)
		}
	}
	// With SSLHost the request's own host does not matter.
	res := serve(t, proxy.Config{}, Options{SSLRedirect: true, SSLHost: "example.com"}, nil, noHost)
	if res.StatusCode != 301 || res.Header.Get("Location") != "https://example.com/x" {
		t.Errorf("SSLHost with no request host: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func readRequest(t *testing.T, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	r.RemoteAddr = clientPeer
	return r
}

func TestRedirectExempt(t *testing.T) {
	o := Options{SSLRedirect: true, RedirectExempt: []string{
		"/healthz",
		"GET /.well-known/acme-challenge/",
		"/static/",
		"status.example.com/",
	}}
	for _, tc := range []struct {
		method, target string
		host           string // X-Forwarded-Host from the trusted proxy
		exempt         bool
	}{
		{"GET", "http://example.com/healthz", "", true},
		{"POST", "http://example.com/healthz", "", true},
		{"GET", "http://example.com/healthz/more", "", false}, // no trailing slash: exact
		{"GET", "http://example.com/.well-known/acme-challenge/token", "", true},
		{"HEAD", "http://example.com/.well-known/acme-challenge/token", "", true}, // GET patterns match HEAD
		{"POST", "http://example.com/.well-known/acme-challenge/token", "", false},
		{"GET", "http://example.com/static/app.css", "", true},
		{"GET", "http://example.com/static", "", false},                 // ServeMux would redirect to /static/
		{"GET", "http://example.com/static/../admin", "", false},        // needs cleaning: never exempt
		{"GET", "http://example.com/admin/static/x", "", false},         // anchored, unlike Django's regexps
		{"GET", "http://status.example.com/anything", "", true},         // host pattern
		{"GET", "http://internal/anything", "status.example.com", true}, // the public host counts
		{"GET", "http://status.example.com/anything", "example.com", false},
		{"GET", "http://example.com/", "", false},
	} {
		var hdr map[string]string
		peer := clientPeer
		if tc.host != "" {
			hdr, peer = map[string]string{"X-Forwarded-Host": tc.host}, proxyPeer
		}
		r := request(tc.method, tc.target, peer, hdr)
		if tc.target == "http://example.com/static/../admin" {
			r.URL.Path = "/static/../admin" // httptest.NewRequest would not keep it
		}
		res := serve(t, trusting, o, nil, r)
		if got := res.StatusCode == 200; got != tc.exempt {
			t.Errorf("%s %s (host %q): exempt = %v (status %d), want %v", tc.method, tc.target, tc.host, got, res.StatusCode, tc.exempt)
		}
	}
}

func TestRedirectDecision(t *testing.T) {
	g := MustNew(Options{SSLRedirect: true})
	target, code, err := g.Redirect(request("POST", "http://example.com/a?b=c", clientPeer, nil))
	if err != nil || target != "https://example.com/a?b=c" || code != 308 {
		t.Fatalf("Redirect = %q %d %v", target, code, err)
	}
	target, code, err = g.Redirect(request("GET", "https://example.com/a", clientPeer, nil))
	if err != nil || target != "" || code != 0 {
		t.Fatalf("Redirect of an HTTPS request = %q %d %v", target, code, err)
	}
}
