package secure

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/proxy"
)

func TestDefaultHeaders(t *testing.T) {
	for _, target := range []string{"http://example.com/", "https://example.com/"} {
		res := serve(t, proxy.Config{}, Options{}, nil, request("GET", target, clientPeer, nil))
		want := map[string]string{
			"X-Content-Type-Options":     "nosniff",
			"Referrer-Policy":            "same-origin",
			"Cross-Origin-Opener-Policy": "same-origin",
			"Strict-Transport-Security":  "", // HSTS is off by default
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", target, k, got, v)
			}
		}
		if res.StatusCode != 200 {
			t.Errorf("%s: status %d", target, res.StatusCode)
		}
	}
}

func TestHSTSValues(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{HSTSMaxAge: time.Hour}, "max-age=3600"},
		{Options{HSTSMaxAge: time.Hour, HSTSIncludeSubdomains: true}, "max-age=3600; includeSubDomains"},
		{Options{HSTSMaxAge: time.Hour, HSTSPreload: true}, "max-age=3600; preload"},
		{Options{HSTSMaxAge: 365 * 24 * time.Hour, HSTSIncludeSubdomains: true, HSTSPreload: true}, "max-age=31536000; includeSubDomains; preload"},
		{Options{HSTSMaxAge: 1500 * time.Millisecond}, "max-age=1"},   // whole seconds
		{Options{HSTSIncludeSubdomains: true, HSTSPreload: true}, ""}, // no max-age, no header
	} {
		res := serve(t, proxy.Config{}, tc.o, nil, request("GET", "https://example.com/", clientPeer, nil))
		if got := res.Header.Get("Strict-Transport-Security"); got != tc.want {
			t.Errorf("%+v: HSTS %q, want %q", tc.o, got, tc.want)
		}
	}
}

// HSTS is never sent over plain HTTP, and a client cannot get it by
// claiming HTTPS in a forwarded header: only a trusted proxy can.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	o := Options{HSTSMaxAge: time.Hour}
	fwd := map[string]string{"X-Forwarded-Proto": "https"}
	for _, tc := range []struct {
		name string
		cfg  proxy.Config
		r    *http.Request
		want bool
	}{
		{"plain HTTP", trusting, request("GET", "http://example.com/", clientPeer, nil), false},
		{"TLS", trusting, request("GET", "https://example.com/", clientPeer, nil), true},
		{"forwarded by an untrusted client", trusting, request("GET", "http://example.com/", clientPeer, fwd), false},
		{"forwarded with no proxy trusted", proxy.Config{}, request("GET", "http://example.com/", proxyPeer, fwd), false},
		{"forwarded by the trusted proxy", trusting, request("GET", "http://example.com/", proxyPeer, fwd), true},
		{"trusted proxy says http", trusting, request("GET", "https://example.com/", proxyPeer, map[string]string{"X-Forwarded-Proto": "http"}), false},
		{"RFC 7239 from a trusted proxy", proxy.Config{Trusted: []string{"10.0.0.0/8"}, Headers: proxy.Forwarded},
			request("GET", "http://example.com/", proxyPeer, map[string]string{"Forwarded": "for=203.0.113.7;proto=https"}), true},
	} {
		res := serve(t, tc.cfg, o, nil, tc.r)
		if got := res.Header.Get("Strict-Transport-Security") != ""; got != tc.want {
			t.Errorf("%s: HSTS sent = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNosniffOff(t *testing.T) {
	res := serve(t, proxy.Config{}, Options{DisableNosniff: true}, nil, request("GET", "https://example.com/", clientPeer, nil))
	if v, ok := res.Header["X-Content-Type-Options"]; ok {
		t.Fatalf("nosniff sent although disabled: %q", v)
	}
}

func TestReferrerPolicy(t *testing.T) {
	for _, tc := range []struct {
		setting, want string
	}{
		{"", "same-origin"},
		{"no-referrer", "no-referrer"},
		{" origin, strict-origin ", "origin,strict-origin"}, // Django's normalisation
		{"No-Referrer", "no-referrer"},
		{"unsafe-url", "unsafe-url"},
		{Omit, ""},
	} {
		res := serve(t, proxy.Config{}, Options{ReferrerPolicy: tc.setting}, nil, request("GET", "http://example.com/", clientPeer, nil))
		if got := res.Header.Get("Referrer-Policy"); got != tc.want {
			t.Errorf("%q: Referrer-Policy %q, want %q", tc.setting, got, tc.want)
		}
	}
	for _, bad := range []string{"same-origins", "origin,", "origin, nope", "none"} {
		if _, err := New(Options{ReferrerPolicy: bad}); err == nil {
			t.Errorf("ReferrerPolicy %q accepted", bad)
		}
	}
}

func TestCrossOriginOpenerPolicy(t *testing.T) {
	for _, tc := range []struct {
		setting, want string
	}{
		{"", "same-origin"},
		{"same-origin-allow-popups", "same-origin-allow-popups"},
		{"unsafe-none", "unsafe-none"},
		{"noopener-allow-popups", "noopener-allow-popups"},
		{Omit, ""},
	} {
		res := serve(t, proxy.Config{}, Options{CrossOriginOpenerPolicy: tc.setting}, nil, request("GET", "http://example.com/", clientPeer, nil))
		if got := res.Header.Get("Cross-Origin-Opener-Policy"); got != tc.want {
			t.Errorf("%q: COOP %q, want %q", tc.setting, got, tc.want)
		}
	}
	if _, err := New(Options{CrossOriginOpenerPolicy: "same-site"}); err == nil {
		t.Error("COOP same-site accepted")
	}
}

// As in Django, a header the handler set is never overwritten, whether it
// used Set or Add.
func TestHandlerHeadersWin(t *testing.T) {
	o := Options{HSTSMaxAge: time.Hour}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Add("Cross-Origin-Opener-Policy", "unsafe-none")
		w.Header().Set("Strict-Transport-Security", "max-age=0")
		w.Header().Set("X-Content-Type-Options", "custom")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		w.WriteHeader(http.StatusTeapot)
	})
	res := serve(t, proxy.Config{}, o, h, request("GET", "https://example.com/", clientPeer, nil))
	for k, v := range map[string]string{
		"Referrer-Policy":            "no-referrer",
		"Cross-Origin-Opener-Policy": "unsafe-none",
		"Strict-Transport-Security":  "max-age=0",
		"X-Content-Type-Options":     "custom",
		"X-Frame-Options":            "SAMEORIGIN",
	} {
		if got := res.Header.Values(k); !slices.Equal(got, []string{v}) {
			t.Errorf("%s = %q, want only %q", k, got, v)
		}
	}
	if res.StatusCode != http.StatusTeapot {
		t.Errorf("status %d", res.StatusCode)
	}
}

// Headers are added whichever way the response starts: an explicit
// WriteHeader, a Write, a Flush through ResponseController (Unwrap), or a
// handler that writes nothing. A later Header().Add does not disturb the
// neighbouring headers that share one allocation.
func TestHeadersOnEveryPath(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"WriteHeader": func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) },
		"Write":       func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("x")) },
		"Flush": func(w http.ResponseWriter, _ *http.Request) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
		},
		"nothing": func(http.ResponseWriter, *http.Request) {},
	} {
		res := serve(t, proxy.Config{}, Options{HSTSMaxAge: time.Hour}, h, request("GET", "https://example.com/", clientPeer, nil))
		for _, k := range []string{"Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options"} {
			if res.Header.Get(k) == "" {
				t.Errorf("%s: no %s", name, k)
			}
		}
	}
	g := MustNew(Options{HSTSMaxAge: time.Hour})
	h := http.Header{}
	g.SetHeaders(h, request("GET", "https://example.com/", clientPeer, nil))
	h.Add("Strict-Transport-Security", "second")
	if got := h.Values("X-Content-Type-Options"); !slices.Equal(got, []string{"nosniff"}) {
		t.Fatalf("Add on a neighbour changed nosniff: %q", got)
	}
}

func TestNewReportsEveryError(t *testing.T) {
	_, err := New(Options{
		SSLHost:                 "https://example.com",
		RedirectExempt:          []string{"/ok", "not a pattern"},
		HSTSMaxAge:              -time.Second,
		ReferrerPolicy:          "nope",
		CrossOriginOpenerPolicy: "nope",
		FrameOptions:            "nope",
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, part := range []string{"SSLHost", "RedirectExempt", "HSTSMaxAge", "ReferrerPolicy", "CrossOriginOpenerPolicy", "FrameOptions"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %s", err, part)
		}
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 6 {
		t.Errorf("want 6 joined errors, got %v", err)
	}
	for _, h := range []string{"example.com/x", "user@example.com", "example.com?x", "exa mple.com", ":443"} {
		if _, err := New(Options{SSLHost: h}); err == nil {
			t.Errorf("SSLHost %q accepted", h)
		}
	}
	for _, h := range []string{"example.com", "Example.com:8443", "[::1]:8443", "127.0.0.1"} {
		if _, err := New(Options{SSLHost: h}); err != nil {
			t.Errorf("SSLHost %q: %v", h, err)
		}
	}
	if _, err := New(Options{RedirectExempt: []string{"/a", "/a"}}); err == nil {
		t.Error("conflicting RedirectExempt patterns accepted")
	}
	if _, err := New(Options{HSTSMaxAge: time.Millisecond}); err == nil {
		t.Error("HSTSMaxAge under a second accepted")
	}
}

func TestMiddlewarePanicsOnBadOptions(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Middleware accepted bad options")
		}
	}()
	Middleware(Options{ReferrerPolicy: "nope"})
}

// X-Frame-Options (Django's XFrameOptionsMiddleware): DENY by default,
// SAMEORIGIN on request, none with Omit; other values are configuration
// errors, ALLOW-FROM with a pointer to CSP frame-ancestors.
func TestFrameOptions(t *testing.T) {
	for _, tc := range []struct {
		setting, want string
	}{
		{"", "DENY"},
		{"DENY", "DENY"},
		{" deny ", "DENY"},
		{"SAMEORIGIN", "SAMEORIGIN"},
		{"sameOrigin", "SAMEORIGIN"},
		{Omit, ""},
	} {
		for _, target := range []string{"http://example.com/", "https://example.com/"} {
			res := serve(t, proxy.Config{}, Options{FrameOptions: tc.setting}, nil, request("GET", target, clientPeer, nil))
			if got := res.Header.Values("X-Frame-Options"); tc.want == "" && len(got) != 0 || tc.want != "" && !slices.Equal(got, []string{tc.want}) {
				t.Errorf("%q on %s: X-Frame-Options %q, want %q", tc.setting, target, got, tc.want)
			}
		}
	}
	for bad, says := range map[string]string{
		"ALLOW-FROM https://a.example": "frame-ancestors",
		"allowall":                     "not DENY or SAMEORIGIN",
		"DENY, SAMEORIGIN":             "not DENY or SAMEORIGIN",
		"none":                         "not DENY or SAMEORIGIN",
	} {
		_, err := New(Options{FrameOptions: bad})
		if err == nil || !strings.Contains(err.Error(), "FrameOptions") || !strings.Contains(err.Error(), says) {
			t.Errorf("FrameOptions %q: error %v, want one saying %q", bad, err, says)
		}
	}
}

// Redirects and the 400 of an unredirectable request can be framed as
// well as pages: they carry X-Frame-Options too.
func TestFrameOptionsOnRedirects(t *testing.T) {
	for _, r := range []*http.Request{
		request("GET", "http://example.com/x", clientPeer, nil),
		func() *http.Request {
			r := request("GET", "http://example.com/x", clientPeer, nil)
			r.Host = ""
			return r
		}(),
	} {
		res := serve(t, proxy.Config{}, Options{SSLRedirect: true}, nil, r)
		if res.StatusCode != http.StatusMovedPermanently && res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", res.StatusCode)
		}
		if got := res.Header.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%d response: X-Frame-Options %q", res.StatusCode, got)
		}
	}
}

// A handler exempts one response (Django's xframe_options_exempt) with a
// nil header value: the Guard adds nothing and net/http writes nothing,
// over a real connection too.
func TestFrameOptionsExempt(t *testing.T) {
	g := MustNew(Options{})
	srv := httptest.NewServer(g.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/embed" {
			w.Header()["X-Frame-Options"] = nil
		}
		w.Write([]byte("ok"))
	})))
	defer srv.Close()
	for path, want := range map[string][]string{"/embed": nil, "/page": {"DENY"}} {
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Values("X-Frame-Options"); !slices.Equal(got, want) {
			t.Errorf("%s: X-Frame-Options %q, want %q", path, got, want)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: the other headers are gone", path)
		}
	}
}

// SetHeaders allocates once, for all five headers (go test -bench
// SetHeaders reports the same).
func TestSetHeadersAllocatesOnce(t *testing.T) {
	g := MustNew(Options{HSTSMaxAge: time.Hour})
	r := request("GET", "https://example.com/", clientPeer, nil)
	h := http.Header{}
	n := testing.AllocsPerRun(100, func() {
		clear(h)
		g.SetHeaders(h, r)
	})
	if n != 1 || len(h) != 5 {
		t.Fatalf("%v allocations for %d headers, want 1 for 5", n, len(h))
	}
}
