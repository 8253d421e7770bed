package proxy

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func req(remote, host string, tlsOn bool, hdr ...string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remote
	r.Host = host
	if tlsOn {
		r.TLS = &tls.ConnectionState{}
	} else {
		r.TLS = nil
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	return r
}

func TestResolve(t *testing.T) {
	lb := MustNew(Config{Trusted: []string{"10.0.0.0/8", "192.168.1.1"}})
	fwd := MustNew(Config{Trusted: []string{"10.0.0.1"}, Headers: Forwarded})
	protoOnly := MustNew(Config{Trusted: []string{"10.0.0.1"}, Headers: XForwardedProto})
	cases := []struct {
		name   string
		p      *Proxy
		r      *http.Request
		https  bool
		origin string
		client string
		fw     bool
	}{
		{"direct http", nil, req("203.0.113.5:1234", "Example.com", false), false, "http://example.com", "203.0.113.5", false},
		{"direct tls", nil, req("203.0.113.5:1234", "example.com:443", true), true, "https://example.com", "203.0.113.5", false},
		{"direct keeps other port", nil, req("203.0.113.5:1", "example.com:8443", true), true, "https://example.com:8443", "203.0.113.5", false},
		{"untrusted peer forges proto", lb, req("203.0.113.5:1", "example.com", false, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.com", "X-Forwarded-For", "1.1.1.1"), false, "http://example.com", "203.0.113.5", false},
		{"nil proxy ignores headers", nil, req("10.0.0.1:1", "example.com", false, "X-Forwarded-Proto", "https"), false, "http://example.com", "10.0.0.1", false},
		{"trusted peer", lb, req("10.1.2.3:1", "internal:8080", false, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "Example.com", "X-Forwarded-For", "198.51.100.7"), true, "https://example.com", "198.51.100.7", true},
		{"trusted single address", lb, req("192.168.1.1:1", "x", false, "X-Forwarded-Proto", "HTTPS"), true, "https://x", "192.168.1.1", true},
		{"neighbour of single address", lb, req("192.168.1.2:1", "x", false, "X-Forwarded-Proto", "https"), false, "http://x", "192.168.1.2", false},
		{"proto says http over tls", lb, req("10.0.0.1:1", "x", true, "X-Forwarded-Proto", "http"), false, "http://x", "10.0.0.1", true},
		{"rightmost proto wins", lb, req("10.0.0.1:1", "x", false, "X-Forwarded-Proto", "https, http"), false, "http://x", "10.0.0.1", true},
		{"garbage proto ignored", lb, req("10.0.0.1:1", "x", false, "X-Forwarded-Proto", "ftp"), false, "http://x", "10.0.0.1", false},
		{"invalid forwarded host ignored", lb, req("10.0.0.1:1", "good.com", false, "X-Forwarded-Host", "evil.com/path"), false, "http://good.com", "10.0.0.1", false},
		{"xff skips trusted hops", lb, req("10.0.0.1:1", "x", false, "X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.9"), false, "http://x", "198.51.100.7", true},
		{"xff all trusted takes leftmost", lb, req("10.0.0.1:1", "x", false, "X-Forwarded-For", "10.0.0.3, 10.0.0.2"), false, "http://x", "10.0.0.3", true},
		{"xff garbage stops", lb, req("10.0.0.1:1", "x", false, "X-Forwarded-For", "1.2.3.4, junk"), false, "http://x", "10.0.0.1", false},
		{"xff multiple headers", lb, req("10.0.0.1:1", "x", false, "X-Forwarded-For", "5.5.5.5", "X-Forwarded-For", "7.7.7.7"), false, "http://x", "7.7.7.7", true},
		{"xff ipv6 with port", lb, req("10.0.0.1:1", "x", false, "X-Forwarded-For", "[2001:db8::1]:443"), false, "http://x", "2001:db8::1", true},
		{"headers not enabled", protoOnly, req("10.0.0.1:1", "x", false, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "y", "X-Forwarded-For", "1.1.1.1"), true, "https://x", "10.0.0.1", true},
		{"forwarded", fwd, req("10.0.0.1:1", "x", false, "Forwarded", `for=198.51.100.7;proto=https;host="Example.com"`), true, "https://example.com", "198.51.100.7", true},
		{"forwarded chain stops at untrusted", fwd, req("10.0.0.1:1", "x", false, "Forwarded", `for=6.6.6.6;proto=http;host=evil, for=198.51.100.7;proto=https;host=good`), true, "https://good", "198.51.100.7", true},
		{"forwarded quoted ipv6", fwd, req("10.0.0.1:1", "x", false, "Forwarded", `for="[2001:db8::1]:4711";proto=https`), true, "https://x", "2001:db8::1", true},
		{"forwarded ignores x-forwarded", fwd, req("10.0.0.1:1", "x", false, "X-Forwarded-Proto", "https"), false, "http://x", "10.0.0.1", false},
		{"forwarded from untrusted", fwd, req("10.0.0.2:1", "x", false, "Forwarded", "for=1.1.1.1;proto=https"), false, "http://x", "10.0.0.2", false},
		{"bad host", nil, req("1.1.1.1:1", "exa mple.com", false), false, "http://", "1.1.1.1", false},
		{"ipv4-mapped peer", lb, req("[::ffff:10.0.0.1]:1", "x", false, "X-Forwarded-Proto", "https"), true, "https://x", "10.0.0.1", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i := c.p.Resolve(c.r)
			if i.HTTPS != c.https || i.Origin() != c.origin || i.ClientIP.String() != c.client || i.Forwarded != c.fw {
				t.Fatalf("got https=%v origin=%q client=%v forwarded=%v; want %v %q %v %v",
					i.HTTPS, i.Origin(), i.ClientIP, i.Forwarded, c.https, c.origin, c.client, c.fw)
			}
		})
	}
}

// TestForwardedUnterminatedQuote: a client's Forwarded header ending in an
// open quoted string must not swallow the element the trusted proxy
// appends to the same line (whether the string never closes or closes on
// the proxy's own opening quote), and so pass the client's own proto=,
// host= and for= off as the proxy's.
func TestForwardedUnterminatedQuote(t *testing.T) {
	fwd := MustNew(Config{Trusted: []string{"10.0.0.1"}, Headers: Forwarded})
	for _, client := range []string{
		`proto=https;host=evil.com;x="`,
		`for=1.1.1.1;proto=https;host="evil.com`,
		`for=1.1.1.1;proto=https;host="evil.com\`,
	} {
		// The proxy's element, plain or with its IPv6 client quoted (on
		// whose opening quote the client's string would close).
		for _, appended := range []string{`, for=203.0.113.5;proto=http;host=real.com`, `, for="[2001:db8::5]:4711";proto=http`} {
			i := fwd.Resolve(req("10.0.0.1:1", "real.com", false, "Forwarded", client+appended))
			if i.HTTPS || i.Host != "real.com" || i.ClientIP.String() != "10.0.0.1" {
				t.Errorf("%s: got https=%v host=%q client=%v; want the connection's answers", client+appended, i.HTTPS, i.Host, i.ClientIP)
			}
		}
	}
	// On a line of its own, the proxy's element still counts.
	i := fwd.Resolve(req("10.0.0.1:1", "x", false, "Forwarded", `proto=https;host="evil.com`,
		"Forwarded", `for=203.0.113.5;proto=https;host=real.com`))
	if !i.HTTPS || i.Host != "real.com" || i.ClientIP.String() != "203.0.113.5" {
		t.Errorf("proxy's own line: got https=%v host=%q client=%v", i.HTTPS, i.Host, i.ClientIP)
	}
}

// TestTrustedIPv4MappedPrefix: peers are compared unmapped, so an
// IPv4-mapped entry must trust the IPv4 addresses it names.
func TestTrustedIPv4MappedPrefix(t *testing.T) {
	for _, entry := range []string{"::ffff:10.0.0.0/104", "::ffff:10.0.0.1"} {
		p := MustNew(Config{Trusted: []string{entry}})
		for _, remote := range []string{"10.0.0.1:1", "[::ffff:10.0.0.1]:1"} {
			if !p.Resolve(req(remote, "x", false, "X-Forwarded-Proto", "https")).HTTPS {
				t.Errorf("trusted %q: peer %s not trusted", entry, remote)
			}
		}
		if p.Resolve(req("11.0.0.1:1", "x", false, "X-Forwarded-Proto", "https")).HTTPS {
			t.Errorf("trusted %q: 11.0.0.1 trusted", entry)
		}
	}
	if !MustNew(Config{Trusted: []string{"::ffff:0.0.0.0/96"}}).TrustsEveryone() {
		t.Error("::ffff:0.0.0.0/96 covers every IPv4 address; TrustsEveryone is false")
	}
}

func TestLoopback(t *testing.T) {
	for _, c := range []struct {
		r    *http.Request
		want bool
	}{
		{req("127.0.0.1:5", "localhost:8000", false), true},
		{req("[::1]:5", "[::1]:8000", false), true},
		{req("127.0.0.1:5", "127.0.0.1:8000", false), true},
		{req("127.0.0.1:5", "app.localhost", false), true},
		{req("127.0.0.1:5", "example.com", false), false},
		{req("203.0.113.1:5", "localhost:8000", false), false},
		{req("127.0.0.1:5", "localhost:8000", true), false},
	} {
		if got := (*Proxy)(nil).Resolve(c.r).Loopback; got != c.want {
			t.Errorf("%s -> %s: Loopback %v, want %v", c.r.RemoteAddr, c.r.Host, got, c.want)
		}
	}
}

func TestNewRejectsBadEntries(t *testing.T) {
	for _, s := range []string{"proxy.internal", "10.0.0.0/33", "", "1.2.3"} {
		if _, err := New(Config{Trusted: []string{s}}); err == nil {
			t.Errorf("New accepted %q", s)
		}
	}
	p := MustNew(Config{Trusted: []string{"10.1.2.3/8", "::1"}})
	if got := p.Trusted(); got[0] != netip.MustParsePrefix("10.0.0.0/8") {
		t.Errorf("prefix not masked: %v", got)
	}
	if p.TrustsEveryone() {
		t.Error("TrustsEveryone for 10/8")
	}
	if !MustNew(Config{Trusted: []string{"::/0"}}).TrustsEveryone() || !MustNew(Config{Trusted: []string{"0.0.0.0/0"}}).TrustsEveryone() {
		t.Error("TrustsEveryone false for /0")
	}
	if p.Headers() != XForwarded {
		t.Errorf("default headers %v", p.Headers())
	}
	defer func() {
		if recover() == nil {
			t.Error("MustNew did not panic")
		}
	}()
	MustNew(Config{Trusted: []string{"nope"}})
}

func TestMiddlewareSharesAnswer(t *testing.T) {
	p := MustNew(Config{Trusted: []string{"10.0.0.0/8"}})
	var got Info
	var https bool
	var origin string
	var client netip.Addr
	h := p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, https, origin, client = From(r), IsHTTPS(r), Origin(r), ClientIP(r)
	}))
	h.ServeHTTP(httptest.NewRecorder(), req("10.0.0.1:9", "example.com", false,
		"X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.7"))
	if !got.HTTPS || !https || origin != "https://example.com" || client.String() != "198.51.100.7" {
		t.Fatalf("From=%+v IsHTTPS=%v Origin=%q ClientIP=%v", got, https, origin, client)
	}
	// Without the middleware only the connection counts.
	r := req("10.0.0.1:9", "example.com", false, "X-Forwarded-Proto", "https")
	if IsHTTPS(r) || Origin(r) != "http://example.com" {
		t.Fatal("headers believed without the middleware")
	}
	r.TLS = &tls.ConnectionState{}
	if !IsHTTPS(r) {
		t.Fatal("TLS request not HTTPS")
	}
}

func TestRealTLSServer(t *testing.T) {
	var origin string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin = Origin(r)
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if origin != srv.URL {
		t.Fatalf("Origin %q, want %q", origin, srv.URL)
	}
}

func FuzzResolve(f *testing.F) {
	f.Add(`for=1.2.3.4;proto=https;host="a.b"`, "1.2.3.4, 5.6.7.8", "https", "h:1")
	f.Add(`for="[::1]:80", for=unknown;proto="ht\"tp`, "junk", "http, https", "[::1]")
	f.Add(`for=_hidden;by=_p, for="203.0.113.1:8080";proto=HTTPS;host=EXAMPLE.com`, "  , , 10.0.0.1,", "HTTPS", "example.com:443")
	f.Add(`for="[2001:db8::1`+"\x00"+`]";host=`, "2001:db8::1%eth0, ::ffff:1.2.3.4", "https\r\nX: y", "evil.example\n")
	f.Add(strings.Repeat(`for=1.1.1.1,`, 500), strings.Repeat("9.9.9.9,", 500), strings.Repeat("https,", 100), strings.Repeat("h", 300))
	f.Add(`for=;proto=;host=;`, `1.2.3.4:80`, ``, `[::1]:99999`)
	p := MustNew(Config{Trusted: []string{"0.0.0.0/0"}, Headers: XForwarded | Forwarded})
	px := MustNew(Config{Trusted: []string{"0.0.0.0/0"}})
	one := MustNew(Config{Trusted: []string{"10.0.0.1"}, Headers: Forwarded})
	f.Fuzz(func(t *testing.T, fwd, xff, proto, host string) {
		r := req("10.0.0.1:1", "x", false, "Forwarded", fwd, "X-Forwarded-For", xff, "X-Forwarded-Proto", proto, "X-Forwarded-Host", host)
		for _, p := range []*Proxy{p, px} {
			i := p.Resolve(r)
			if i.Host != "" && !validHost(i.Host) {
				t.Fatalf("invalid host %q", i.Host)
			}
		}
		// Whatever the client sent, the element its trusted proxy appends
		// to the same line decides, or nothing does: the client's own
		// proto, host and for never pass for the proxy's.
		for _, appended := range []string{`, for=203.0.113.5;proto=http;host=real.com`, `, for="[2001:db8::5]:4711";proto=http;host="real.com"`} {
			i := one.Resolve(req("10.0.0.1:1", "x", false, "Forwarded", fwd+appended))
			proxied := !i.HTTPS && i.Host == "real.com" && (i.ClientIP.String() == "203.0.113.5" || i.ClientIP.String() == "2001:db8::5")
			direct := !i.HTTPS && i.Host == "x" && i.ClientIP.String() == "10.0.0.1"
			if !proxied && !direct {
				t.Fatalf("Forwarded %q: https=%v host=%q client=%v", fwd+appended, i.HTTPS, i.Host, i.ClientIP)
			}
		}
	})
}
