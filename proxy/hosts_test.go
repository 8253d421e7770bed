package proxy

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestAllowed(t *testing.T) {
	list := []string{"Example.com", ".example.org", "api.example.net:8443", "203.0.113.5", "[2001:DB8::1]", "::1", "localhost."}
	p := MustNew(Config{AllowedHosts: list})
	for host, want := range map[string]bool{
		// Exact names: case-insensitive, any port, one trailing dot.
		"example.com":      true,
		"EXAMPLE.COM":      true,
		"example.com:8000": true,
		"example.com.":     true,
		"example.com.:443": true,
		"example.com..":    false,
		"www.example.com":  false,
		"badexample.com":   false,
		"example.com.evil": false,
		"example.co":       false,
		"xexample.com":     false,
		"localhost":        true,
		"localhost:8000":   true,
		"app.localhost":    false,
		// A leading dot: the domain and every subdomain.
		"example.org":       true,
		"www.example.org":   true,
		"a.b.example.org":   true,
		"A.Example.ORG:80":  true,
		"badexample.org":    false,
		".example.org":      false,
		"example.org.evil":  false,
		"www.example.org..": false,
		// An entry with a port allows only that port.
		"api.example.net:8443":  true,
		"api.example.net":       false,
		"api.example.net:443":   false,
		"api.example.net:8444":  false,
		"api.example.net:08443": false,
		// IP literals, compared as addresses.
		"203.0.113.5":        true,
		"203.0.113.5:8080":   true,
		"203.0.113.50":       false,
		"3.0.113.5":          false,
		"[2001:db8::1]":      true,
		"[2001:0db8:0::1]":   true,
		"[2001:db8::1]:443":  true,
		"[2001:db8::2]":      false,
		"2001:db8::1":        false, // no brackets: not a Host
		"[::1]:8000":         true,
		"[::1]":              true,
		"[::ffff:127.0.0.1]": false,
		"[203.0.113.5]":      false,
		// Not hosts at all.
		"":                   false,
		" example.com":       false,
		"example.com ":       false,
		"example.com/":       false,
		"example.com:":       false,
		"example.com:x":      false,
		"example.com:1:2":    false,
		"example.com:123456": false,
		"user@example.com":   false,
		"[2001:db8::1":       false,
		"[2001:db8::1]x":     false,
		"[fe80::1%25eth0]":   false,
		".":                  false,
		"..":                 false,
		strings.Repeat("a.", 128) + "example.org": false, // longer than 255
	} {
		if got := p.Allowed(host); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", host, got, want)
		}
	}

	// An IP address has no subdomains: a leading-dot entry never
	// matches one, even when the address ends like the entry.
	if MustNew(Config{AllowedHosts: []string{".example"}}).Allowed("1.2.3.4") {
		t.Error(".example allowed an IP address")
	}

	// "*" allows every valid host, but not an invalid one (Django's
	// "if domain and validate_host(...)").
	star := MustNew(Config{AllowedHosts: []string{"*"}})
	for _, h := range []string{"anything.example", "[::1]:1", "10.0.0.1"} {
		if !star.Allowed(h) {
			t.Errorf("* refused %q", h)
		}
	}
	for _, h := range []string{"", "exa mple.com", "a/b", "x:"} {
		if star.Allowed(h) {
			t.Errorf("* allowed %q", h)
		}
	}

	// No list, or no Proxy: no check at all.
	for _, p := range []*Proxy{nil, MustNew(Config{}), MustNew(Config{AllowedHosts: []string{}})} {
		for _, h := range []string{"example.com", "", "exa mple.com"} {
			if !p.Allowed(h) {
				t.Errorf("no list refused %q", h)
			}
		}
	}
}

func TestAllowedHostsNormalised(t *testing.T) {
	p := MustNew(Config{AllowedHosts: []string{"Example.COM.", ".Sub.Example.com", "::1", "[2001:DB8:0::1]:08443", "127.0.0.1:8000", "*"}})
	want := []string{"example.com", ".sub.example.com", "[::1]", "[2001:db8::1]:8443", "127.0.0.1:8000", "*"}
	if got := p.AllowedHosts(); !slices.Equal(got, want) {
		t.Fatalf("AllowedHosts() = %q, want %q", got, want)
	}
	if got := (*Proxy)(nil).AllowedHosts(); got != nil {
		t.Fatalf("nil Proxy: %q", got)
	}
	if got := MustNew(Config{}).AllowedHosts(); len(got) != 0 {
		t.Fatalf("no list: %q", got)
	}
}

func TestNewRejectsBadAllowedHosts(t *testing.T) {
	for entry, advice := range map[string]string{
		"":                       "list host names",
		"https://example.com/":   `write "example.com"`,
		"http://example.com:80":  `write "example.com:80"`,
		"example.com/app":        `write the host alone ("example.com")`,
		"example.com?x":          `("example.com")`,
		" example.com":           `write the bare host name ("example.com")`,
		"example.com\n":          "white space",
		"exa mple.com":           "white space",
		"*.example.com":          `".example.com" allows the domain and all its subdomains`,
		"user@example.com":       `("example.com")`,
		"example.com:":           "not a host name",
		"example.com:0":          "not a port number",
		"example.com:65536":      "not a port number",
		"example.com:http":       "not a host name",
		"[::1":                   "not a host name",
		"[1.2.3.4]":              "not an IPv6 address",
		"[fe80::1%eth0]":         "not an IPv6 address",
		"fe80::1%eth0":           "zone",
		".":                      "is not a host name",
		"..example.com":          "is not a host name",
		"example..com":           "is not a host name",
		".10.0.0.1":              "an IP address has none",
		"999.1.1.1":              "not an IPv4 address",
		"127.1":                  "not an IPv4 address",
		"*:8000":                 "wildcards",
		"exa$mple.com":           "is not a host name",
		"bücher.example":         "punycode",
		strings.Repeat("a", 256): "longer than 255",
	} {
		_, err := New(Config{AllowedHosts: []string{"good.example", entry}})
		if err == nil {
			t.Errorf("New accepted %q", entry)
			continue
		}
		if !strings.Contains(err.Error(), "AllowedHosts entry") || !strings.Contains(err.Error(), advice) {
			t.Errorf("%q: error %q does not say %q", entry, err, advice)
		}
	}
	// Every bad entry is reported, Trusted ones too.
	_, err := New(Config{Trusted: []string{"proxy.internal"}, AllowedHosts: []string{"https://a.example", "*.b.example"}})
	if err == nil || !strings.Contains(err.Error(), "a.example") || !strings.Contains(err.Error(), ".b.example") ||
		!strings.Contains(err.Error(), "proxy.internal") {
		t.Fatalf("error %v", err)
	}
	if e, ok := err.(interface{ Unwrap() []error }); !ok || len(e.Unwrap()) != 3 {
		t.Fatalf("want 3 joined errors, got %v", err)
	}
}

// recordLogs returns a logger whose records are kept, and a function
// that returns them.
func recordLogs() (*slog.Logger, func() []slog.Record) {
	var mu sync.Mutex
	var recs []slog.Record
	h := handlerFunc(func(_ context.Context, r slog.Record) error {
		mu.Lock()
		defer mu.Unlock()
		recs = append(recs, r.Clone())
		return nil
	})
	return slog.New(h), func() []slog.Record {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(recs)
	}
}

type handlerFunc func(context.Context, slog.Record) error

func (handlerFunc) Enabled(context.Context, slog.Level) bool          { return true }
func (f handlerFunc) Handle(ctx context.Context, r slog.Record) error { return f(ctx, r) }
func (f handlerFunc) WithAttrs([]slog.Attr) slog.Handler              { return f }
func (f handlerFunc) WithGroup(string) slog.Handler                   { return f }

func attr(r slog.Record, key string) string {
	var v string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}

func TestMiddlewareRefusesHost(t *testing.T) {
	logger, logs := recordLogs()
	p := MustNew(Config{
		Trusted:      []string{"10.0.0.0/8"},
		AllowedHosts: []string{"example.com", "[::1]:8000"},
		Logger:       logger,
	})
	called := 0
	var seen Info
	h := p.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called++
		seen = From(r)
	}))
	for _, tc := range []struct {
		name    string
		r       *http.Request
		allowed bool
		host    string // the host logged when refused
	}{
		{"listed host", req("203.0.113.5:1", "Example.com", false), true, ""},
		{"listed IPv6 and port", req("[::1]:5", "[::1]:8000", false), true, ""},
		{"unlisted port", req("[::1]:5", "[::1]:8001", false), false, "[::1]:8001"},
		{"forged Host", req("203.0.113.5:1", "evil.example", false), false, "evil.example"},
		{"invalid Host", req("203.0.113.5:1", "exa mple.com", false), false, "exa mple.com"},
		{"no Host", req("203.0.113.5:1", "", false), false, ""},
		{"loopback development is not implicit", req("127.0.0.1:5", "localhost:8000", false), false, "localhost:8000"},
		// The public host is checked: a trusted proxy's forwarded host,
		// not the internal name it connects to.
		{"trusted forwarded host", req("10.0.0.1:1", "app.internal:8080", false, "X-Forwarded-Host", "example.com", "X-Forwarded-Proto", "https"), true, ""},
		{"trusted forwarded evil host", req("10.0.0.1:1", "example.com", false, "X-Forwarded-Host", "evil.example"), false, "evil.example"},
		{"trusted proxy without forwarded host", req("10.0.0.1:1", "app.internal:8080", false), false, "app.internal:8080"},
		// An untrusted client's X-Forwarded-Host is ignored both ways.
		{"untrusted forwarded evil host", req("203.0.113.5:1", "example.com", false, "X-Forwarded-Host", "evil.example"), true, ""},
		{"untrusted forwarded good host", req("203.0.113.5:1", "evil.example", false, "X-Forwarded-Host", "example.com"), false, "evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, nlogs := called, len(logs())
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tc.r)
			res := rec.Result()
			if tc.allowed {
				if called != before+1 || res.StatusCode != 200 || len(logs()) != nlogs {
					t.Fatalf("allowed request: next called %d times, status %d, %d logs", called-before, res.StatusCode, len(logs())-nlogs)
				}
				if !p.Allowed(seen.Host) {
					t.Fatalf("handler saw host %q that Allowed refuses", seen.Host)
				}
				return
			}
			if called != before {
				t.Fatal("next handler called for a refused host")
			}
			if res.StatusCode != http.StatusBadRequest || res.Header.Get("Cache-Control") != "no-store" ||
				!strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || !strings.Contains(rec.Body.String(), "Bad Request") {
				t.Fatalf("status %d, Cache-Control %q, Content-Type %q, body %q", res.StatusCode,
					res.Header.Get("Cache-Control"), res.Header.Get("Content-Type"), rec.Body.String())
			}
			if strings.Contains(rec.Body.String(), "evil") {
				t.Fatalf("body echoes the host: %q", rec.Body.String())
			}
			got := logs()[nlogs:]
			if len(got) != 1 || got[0].Level != slog.LevelWarn || attr(got[0], "host") != strconv.Quote(tc.host) ||
				!strings.Contains(got[0].Message, "AllowedHosts") {
				t.Fatalf("want one warning naming host %q, got %v", tc.host, got)
			}
		})
	}
}

// The logged host of an invalid Host header is bounded.
func TestRefusedHostLogBounded(t *testing.T) {
	logger, logs := recordLogs()
	p := MustNew(Config{AllowedHosts: []string{"example.com"}, Logger: logger})
	p.Middleware(noop).ServeHTTP(httptest.NewRecorder(), req("1.1.1.1:1", strings.Repeat("é", 1000), false))
	if got := logs(); len(got) != 1 || len(attr(got[0], "host")) > 300 {
		t.Fatalf("logs %v", got)
	}
	// Through a text handler: a 900 KB Host or path adds a few hundred
	// bytes, quoted, and a newline cannot forge a second line.
	var text bytes.Buffer
	h := MustNew(Config{AllowedHosts: []string{"example.com"}, Logger: slog.New(slog.NewTextHandler(&text, nil))}).Middleware(noop)
	for _, host := range []string{strings.Repeat("h", 900_000) + ".example", "evil.example\nlevel=ERROR msg=forged"} {
		text.Reset()
		r := req("203.0.113.5:1", host, false)
		r.URL.Path = "/" + strings.Repeat("p", 900_000)
		h.ServeHTTP(httptest.NewRecorder(), r)
		out := text.String()
		if strings.Count(out, "\n") != 1 || len(out) > 3000 || !strings.Contains(out, `host="\"`) || !strings.Contains(out, `path="\"/ppp`) {
			t.Fatalf("%d bytes: %.600s", len(out), out)
		}
	}
}

// Without AllowedHosts the middleware refuses nothing (today's
// behaviour) and costs what it did: the allocations of the context value
// and no more. With a list, checking an allowed host allocates nothing.
func TestMiddlewareCost(t *testing.T) {
	logger, logs := recordLogs()
	r := req("203.0.113.5:1", "anything.example", false)
	rec := httptest.NewRecorder()
	h := MustNew(Config{Logger: logger}).Middleware(noop)
	h.ServeHTTP(rec, req("1.1.1.1:1", "exa mple.com", false))
	if rec.Code != 200 || len(logs()) != 0 {
		t.Fatalf("no list: status %d, logs %v", rec.Code, logs())
	}
	base := testing.AllocsPerRun(100, func() { h.ServeHTTP(rec, r) })
	listed := MustNew(Config{AllowedHosts: []string{"a.example", ".b.example", "[::1]", "*.example"[1:]}}).Middleware(noop)
	withList := testing.AllocsPerRun(100, func() { listed.ServeHTTP(rec, r) })
	if base > 3 || withList != base {
		t.Fatalf("allocations per request: %v without a list (want at most 3), %v with one", base, withList)
	}
	p := MustNew(Config{AllowedHosts: []string{"a.example", ".b.example", "[::1]:8000"}})
	for _, host := range []string{"x.b.example", "[::1]:8000", "A.EXAMPLE."} {
		if n := testing.AllocsPerRun(100, func() { p.Allowed(host) }); n != 0 {
			t.Errorf("Allowed(%q): %v allocations", host, n)
		}
	}
}

// refOK is an independent statement of the rules, built on net/url and
// netip instead of the package's own parsing: whether the entry e (as
// given to Config) allows host.
func refOK(e, host string) bool {
	u, err := url.Parse("http://" + host)
	if err != nil || u.Host != host || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	if strings.ContainsAny(host, " %") || strings.HasSuffix(host, ":") || len(host) > 255 {
		return false
	}
	name, port := strings.ToLower(u.Hostname()), u.Port()
	bracketed := strings.HasPrefix(host, "[")
	if !bracketed {
		name = strings.TrimSuffix(name, ".")
	}
	if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
		return false
	}
	if e == "*" {
		return true
	}
	e = strings.ToLower(e)
	if a, err := netip.ParseAddr(e); err == nil && a.Is6() {
		b, err := netip.ParseAddr(name)
		return bracketed && err == nil && a == b
	}
	eu, err := url.Parse("http://" + e)
	if err != nil {
		return false
	}
	ename, eport := eu.Hostname(), eu.Port()
	if eport != "" {
		if strings.TrimLeft(eport, "0") != port {
			return false
		}
	}
	if strings.HasPrefix(e, "[") {
		a, err1 := netip.ParseAddr(ename)
		b, err2 := netip.ParseAddr(name)
		return bracketed && err1 == nil && err2 == nil && a == b
	}
	if bracketed {
		return false
	}
	if strings.HasPrefix(ename, ".") {
		d := strings.TrimSuffix(ename[1:], ".")
		if _, err := netip.ParseAddr(name); err == nil {
			return false
		}
		return name == d || strings.HasSuffix(name, "."+d)
	}
	return name == strings.TrimSuffix(ename, ".")
}

func FuzzAllowed(f *testing.F) {
	for _, s := range [][2]string{
		{"example.com", "EXAMPLE.com.:80"},
		{".example.com", "a.example.com"},
		{".example.com", "badexample.com"},
		{"[::1]:8000", "[0::1]:8000"},
		{"::1", "[::1]"},
		{"127.0.0.1", "127.0.0.1:1"},
		{"*", "x"},
		{"localhost", "localhost..:1"},
		{"a.b:80", "a.b:080"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, entry, host string) {
		p, err := New(Config{AllowedHosts: []string{entry}})
		if err != nil {
			return
		}
		got := p.Allowed(host)
		// Never allow what the list does not: the reference must agree
		// with every host allowed; and an allowed host is one Resolve
		// keeps.
		if got && !refOK(entry, host) {
			t.Fatalf("entry %q allowed host %q", entry, host)
		}
		if got && !validHost(host) {
			t.Fatalf("entry %q allowed invalid host %q", entry, host)
		}
		// The host the entry names is allowed (for "*" and a leading dot,
		// the bare domain).
		for _, own := range p.AllowedHosts() {
			own = strings.TrimPrefix(own, ".")
			if own != "*" && !p.Allowed(own) {
				t.Fatalf("entry %q does not allow its own host %q", entry, own)
			}
		}
		// Resolve's host for the same Host header gets the same answer,
		// whatever the case.
		r := req("203.0.113.5:1", host, false)
		if i := p.Resolve(r); i.Host != "" && p.Allowed(i.Host) != p.Allowed(strings.ToUpper(i.Host)) {
			t.Fatalf("case changes the answer for %q", i.Host)
		}
	})
}
