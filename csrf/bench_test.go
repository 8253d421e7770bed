package csrf_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tetherweb/tether/csrf"
)

// discard is a minimal ResponseWriter, so the benchmarks measure the
// middleware rather than httptest's recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

const benchSecret = "lcccccccX2kcccccccY2jcccccccssIC"
const benchToken = "1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD"

func benchGuard(tb testing.TB, o csrf.Options) http.Handler {
	o.Logger = quiet
	g, err := csrf.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return g.Protect(noop)
}

// checkedPOST is a same-origin fetch from an old browser (Origin only, so
// the origin comparison runs) with the token in the header.
func checkedPOST() *http.Request {
	req := httptest.NewRequest("POST", "/posts", nil)
	req.Header.Set("Origin", "http://example.com")
	req.Header.Set("Cookie", "sessionid=abc; csrftoken="+benchSecret+"; theme=dark")
	req.Header.Set("X-CSRFToken", benchToken)
	return req
}

func serveLoop(b *testing.B, h http.Handler, req *http.Request, wantCode int) {
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	_ = wantCode
}

// BenchmarkSafeGET is a GET whose page does not use the token.
func BenchmarkSafeGET(b *testing.B) {
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "csrftoken="+benchSecret)
	serveLoop(b, benchGuard(b, csrf.Options{}), req, 200)
}

// BenchmarkGETWithToken is a page that renders a form: Token masks the
// secret and the cookie is sent.
func BenchmarkGETWithToken(b *testing.B) {
	g, _ := csrf.New(csrf.Options{Logger: quiet})
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = csrf.Token(r) }))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "csrftoken="+benchSecret)
	serveLoop(b, h, req, 200)
}

// BenchmarkCheckedPOST is an unsafe request through both layers, the
// token in the X-CSRFToken header.
func BenchmarkCheckedPOST(b *testing.B) {
	serveLoop(b, benchGuard(b, csrf.Options{}), checkedPOST(), 200)
}

// BenchmarkCheckedPOSTForm is the same with the token in a url-encoded
// form, which the middleware parses (the request body is rebuilt each
// time).
func BenchmarkCheckedPOSTForm(b *testing.B) {
	h := benchGuard(b, csrf.Options{})
	body := "title=Hello&body=World&csrfmiddlewaretoken=" + benchToken
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		req := httptest.NewRequest("POST", "/posts", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "csrftoken="+benchSecret)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		h.ServeHTTP(w, req)
	}
}

// BenchmarkHeaderLayer is the browser layer alone (HeaderOnly).
func BenchmarkHeaderLayer(b *testing.B) {
	serveLoop(b, benchGuard(b, csrf.Options{HeaderOnly: true}), checkedPOST(), 200)
}

// BenchmarkHeaderLayerTrusted is the browser layer with a trusted
// wildcard origin and Sec-Fetch-Site: cross-site.
func BenchmarkHeaderLayerTrusted(b *testing.B) {
	req := checkedPOST()
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://app.example.net")
	serveLoop(b, benchGuard(b, csrf.Options{HeaderOnly: true, TrustedOrigins: []string{"https://*.example.net"}}), req, 200)
}

// BenchmarkCheck is Guard.Check alone, both layers.
func BenchmarkCheck(b *testing.B) {
	g, _ := csrf.New(csrf.Options{Logger: quiet})
	req := checkedPOST()
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Check(req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAllocations bounds the cost of the middleware: the header layer
// alone must add fewer than 10 allocations to a POST. At the time of
// writing it adds 2 (the state, which is also the request's context, and
// the request copy that carries it); a checked POST with the token in the
// header adds the response-writer hook, 3; a safe GET the same 3.
func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, c := range []struct {
		name string
		h    http.Handler
		req  *http.Request
		max  float64
	}{
		{"header layer", benchGuard(t, csrf.Options{HeaderOnly: true}), checkedPOST(), 9},
		{"checked POST", benchGuard(t, csrf.Options{}), checkedPOST(), 9},
		{"safe GET", benchGuard(t, csrf.Options{}), httptest.NewRequest("GET", "/", nil), 5},
	} {
		w := &discard{h: http.Header{}}
		n := testing.AllocsPerRun(100, func() {
			clear(w.h)
			c.h.ServeHTTP(w, c.req)
		})
		if n > c.max {
			t.Errorf("%s: %v allocations, want at most %v", c.name, n, c.max)
		}
		t.Logf("%s: %v allocations", c.name, n)
	}
}
