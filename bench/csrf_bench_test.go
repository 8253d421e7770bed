package bench

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherweb/tether/bench/csrfapps"
)

// A csrfRequest is one scenario's request for one App: a template copied
// for every iteration, its form body ("" for none, rebuilt every time), and
// the answer it must get.
type csrfRequest struct {
	tmpl   *http.Request
	body   string
	code   int
	prefix string
}

// The scenarios.
const (
	csrfPage    = "page"    // GET of the form, rendering a token
	csrfHeader  = "header"  // same-origin POST, token in the header
	csrfForm    = "form"    // same-origin POST, token in the form body
	csrfForged  = "forged"  // cross-site POST without a token
	csrfNoToken = "notoken" // same-origin POST without a token (TestCSRFHandlers only)
)

// newCSRFRequest builds the request of scenario kind for a, whose client
// holds c. Every request carries the library's cookie among two others, as
// a browser sends them, and the browser headers of its kind.
func newCSRFRequest(a *csrfapps.App, c csrfapps.Client, kind string) csrfRequest {
	cookie := "sessionid=0123456789abcdef; theme=dark"
	if c.Cookie != "" {
		cookie = "sessionid=0123456789abcdef; " + c.Cookie + "; theme=dark"
	}
	form := func(withToken bool, title string) string {
		v := url.Values{"title": {title}}
		if withToken && a.Tokens() {
			v.Set(a.FieldName, c.Token)
		}
		return v.Encode()
	}

	var r csrfRequest
	switch kind {
	case csrfPage:
		r = csrfRequest{code: http.StatusOK, prefix: "<!doctype html>"}
	case csrfHeader:
		r = csrfRequest{code: http.StatusOK, prefix: "saved: "}
	case csrfForm:
		r = csrfRequest{body: form(true, "hello"), code: http.StatusOK, prefix: "saved: hello"}
	case csrfForged:
		r = csrfRequest{body: form(false, "pwned"), code: http.StatusForbidden}
	case csrfNoToken:
		r = csrfRequest{body: form(false, "hello"), code: http.StatusOK, prefix: "saved: hello"}
		if a.Tokens() {
			r = csrfRequest{body: r.body, code: http.StatusForbidden}
		}
	default:
		panic("unknown scenario " + kind)
	}

	method := http.MethodPost
	if kind == csrfPage {
		method = http.MethodGet
	}
	if r.body != "" {
		r.tmpl = httptest.NewRequest(method, csrfapps.Site+"/", strings.NewReader(r.body))
		r.tmpl.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r.tmpl = httptest.NewRequest(method, csrfapps.Site+"/", http.NoBody)
	}
	h := r.tmpl.Header
	h.Set("Cookie", cookie)
	h.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")
	h.Set("Accept-Language", "en-GB,en;q=0.5")
	switch kind {
	case csrfPage:
		h.Set("Sec-Fetch-Site", "same-origin")
	case csrfForged:
		h.Set("Sec-Fetch-Site", "cross-site")
		h.Set("Origin", csrfapps.Evil)
	default:
		h.Set("Sec-Fetch-Site", "same-origin")
		h.Set("Origin", csrfapps.Site)
	}
	if kind == csrfHeader && a.Tokens() {
		h.Set(a.HeaderName, c.Token)
	}
	return r
}

// formBody is a request body that can be refilled without allocating, so
// that rebuilding the form body costs every library the same nothing.
type formBody struct{ strings.Reader }

func (*formBody) Close() error { return nil }

// stringDiscard is discard with WriteString, as net/http's own
// ResponseWriter has: io.WriteString to a writer without it copies the
// string into a new []byte, a cost the handler would not pay in a server.
type stringDiscard struct{ discard }

func (*stringDiscard) WriteString(s string) (int, error) { return len(s), nil }

// serveOnce serves a fresh copy of r's request to a's chain and checks the
// answer.
func serveOnce(tb testing.TB, a *csrfapps.App, r csrfRequest) *httptest.ResponseRecorder {
	tb.Helper()
	req := new(http.Request)
	*req = *r.tmpl
	if r.body != "" {
		req.Body = &formBody{*strings.NewReader(r.body)}
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	if rec.Code != r.code || !strings.HasPrefix(rec.Body.String(), r.prefix) {
		tb.Fatalf("%s answered %d %q, want %d %q", a.Name, rec.Code, rec.Body, r.code, r.prefix)
	}
	return rec
}

// csrfScenario runs one sub-benchmark per CSRF App on the request of kind,
// after checking once that it gets the right answer.
func csrfScenario(b *testing.B, kind string) {
	for _, name := range csrfapps.Names {
		b.Run(name, func(b *testing.B) {
			a, err := csrfapps.New(name)
			if err != nil {
				b.Fatal(err)
			}
			c, err := csrfapps.Seed(a)
			if err != nil {
				b.Fatal(err)
			}
			r := newCSRFRequest(a, c, kind)
			serveOnce(b, a, r)

			w := &stringDiscard{discard{h: http.Header{}}}
			req := new(http.Request)
			body := new(formBody)
			b.ReportAllocs()
			for b.Loop() {
				// A fresh copy of the request (no allocation); the
				// form body refilled in place (no allocation), for
				// every library alike.
				*req = *r.tmpl
				if r.body != "" {
					body.Reset(r.body)
					req.Body = body
				}
				clear(w.h)
				a.Handler.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkCSRFPage: a returning client loads the form (GET); the handler
// renders the library's token into it (the header-only middlewares have
// none and render the form without it).
func BenchmarkCSRFPage(b *testing.B) { csrfScenario(b, csrfPage) }

// BenchmarkCSRFHeaderPost: a same-origin POST (Sec-Fetch-Site, Origin)
// with the token in the library's header and no body.
func BenchmarkCSRFHeaderPost(b *testing.B) { csrfScenario(b, csrfHeader) }

// BenchmarkCSRFFormPost: a same-origin POST with the token in a
// url-encoded form body, which the handler reads too.
func BenchmarkCSRFFormPost(b *testing.B) { csrfScenario(b, csrfForm) }

// BenchmarkCSRFForged: a cross-site POST (Sec-Fetch-Site: cross-site, a
// foreign Origin) carrying the victim's cookie but no token; refused
// with 403.
func BenchmarkCSRFForged(b *testing.B) { csrfScenario(b, csrfForged) }

// TestCSRFHandlers checks every CSRF App once on every scenario: the form
// renders a token that the header and the form field are accepted with,
// the forgery is refused, and a same-origin POST without a token is refused
// by the token middlewares only.
func TestCSRFHandlers(t *testing.T) {
	for _, name := range csrfapps.Names {
		t.Run(name, func(t *testing.T) {
			a, err := csrfapps.New(name)
			if err != nil {
				t.Fatal(err)
			}
			c, err := csrfapps.Seed(a)
			if err != nil {
				t.Fatal(err)
			}
			if a.Tokens() != (c.Token != "") {
				t.Fatalf("tokens: %v, but seeded with %+v", a.Tokens(), c)
			}

			page := serveOnce(t, a, newCSRFRequest(a, c, csrfPage))
			if a.Tokens() {
				// The page of a returning client carries a fresh
				// masking of the same secret.
				tok, err := csrfapps.TokenIn(page.Body.String(), a.FieldName)
				if err != nil {
					t.Fatal(err)
				}
				if tok == c.Token {
					t.Errorf("the page repeated the token %q: not masked afresh", tok)
				}
				c2 := c
				c2.Token = tok
				serveOnce(t, a, newCSRFRequest(a, c2, csrfHeader))
			} else if strings.Contains(page.Body.String(), `type="hidden"`) {
				t.Errorf("header-only page has a token field: %s", page.Body)
			}

			serveOnce(t, a, newCSRFRequest(a, c, csrfHeader))
			serveOnce(t, a, newCSRFRequest(a, c, csrfForm))
			forged := serveOnce(t, a, newCSRFRequest(a, c, csrfForged))
			t.Logf("forgery refused: %s", strings.TrimSpace(strings.SplitN(forged.Body.String(), "\n", 2)[0]))
			serveOnce(t, a, newCSRFRequest(a, c, csrfNoToken))

			if a.Tokens() {
				// Another client's token must not do.
				other, err := csrfapps.Seed(a)
				if err != nil {
					t.Fatal(err)
				}
				wrong := c
				wrong.Token = other.Token
				r := newCSRFRequest(a, wrong, csrfHeader)
				r.code, r.prefix = http.StatusForbidden, ""
				serveOnce(t, a, r)
			}
		})
	}
}

// TestCSRFPlainHTTP checks the plain-HTTP Apps (cmd/csrfserver's) over a
// real loopback server, as the wrk run uses them: a client seeded in process
// at the server's origin gets 200 for a same-origin POST with its token in
// the header, 403 without the token (token middlewares only), and 403 for a
// cross-site POST.
func TestCSRFPlainHTTP(t *testing.T) {
	for _, name := range csrfapps.Names {
		t.Run(name, func(t *testing.T) {
			a, err := csrfapps.NewPlainHTTP(name)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(a.Handler)
			defer srv.Close()
			c, err := csrfapps.SeedAt(a, srv.URL+"/form")
			if err != nil {
				t.Fatal(err)
			}
			post := func(token bool, origin, site string) int {
				t.Helper()
				req, err := http.NewRequest(http.MethodPost, srv.URL+"/form", http.NoBody)
				if err != nil {
					t.Fatal(err)
				}
				if c.Cookie != "" {
					req.Header.Set("Cookie", c.Cookie)
				}
				if token && a.Tokens() {
					req.Header.Set(a.HeaderName, c.Token)
				}
				req.Header.Set("Origin", origin)
				req.Header.Set("Sec-Fetch-Site", site)
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			if code := post(true, srv.URL, "same-origin"); code != http.StatusOK {
				t.Errorf("same-origin POST with token: %d, want 200", code)
			}
			want := http.StatusOK
			if a.Tokens() {
				want = http.StatusForbidden
			}
			if code := post(false, srv.URL, "same-origin"); code != want {
				t.Errorf("same-origin POST without token: %d, want %d", code, want)
			}
			if code := post(true, "http://evil.example", "cross-site"); code != http.StatusForbidden {
				t.Errorf("cross-site POST: %d, want 403", code)
			}
		})
	}
}
