package csrf_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/proxy"
)

// quiet discards the log of refusals, which tests provoke by the dozen.
var quiet = slog.New(slog.DiscardHandler)

// reasons names each refusal for the failure handler's X-Reason header.
var reasons = []struct {
	name string
	err  error
}{
	{"insecure-origin", csrf.ErrInsecureOrigin}, // before cross-site, which it wraps
	{"cross-site", csrf.ErrCrossSite},
	{"bad-origin", csrf.ErrBadOrigin},
	{"no-referer", csrf.ErrNoReferer},
	{"bad-referer", csrf.ErrBadReferer},
	{"insecure-referer", csrf.ErrInsecureReferer},
	{"no-cookie", csrf.ErrNoCookie},
	{"bad-cookie", csrf.ErrBadCookie},
	{"missing-token", csrf.ErrMissingToken},
	{"bad-token", csrf.ErrBadToken},
}

func reasonName(err error) string {
	if err == nil {
		return "accepted"
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "other: " + err.Error()
}

// recordFailure is a FailureHandler that says which reason refused the
// request, so tests can check it through a real server too.
func recordFailure(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("X-Reason", reasonName(err))
	w.WriteHeader(http.StatusForbidden)
	io.WriteString(w, err.Error())
}

// app is the application behind the guard: a page with a form (the body
// is the token), a login that rotates the token, a protected endpoint and
// two webhooks.
func app() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, csrf.Token(r))
	})
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "no form here")
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := csrf.Rotate(r); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		io.WriteString(w, csrf.Token(r))
	})
	ok := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	mux.HandleFunc("/submit", ok)
	mux.HandleFunc("/webhooks/stripe", ok)
	mux.HandleFunc("/webhooks/stripe/", ok)
	mux.HandleFunc("/hooks/{id}", ok)
	mux.HandleFunc("/", ok)
	return mux
}

// corpusOptions is the configuration every corpus case runs under.
func corpusOptions() csrf.Options {
	return csrf.Options{
		TrustedOrigins: []string{"https://partner.example.org", "https://*.example.net"},
		Exempt:         []string{"POST /webhooks/stripe", "/hooks/{id}"},
		MaxFormBytes:   64 << 10,
		FailureHandler: recordFailure,
		Logger:         quiet,
	}
}

// newSite wraps app in the guard and, outside it, proxy's middleware
// trusting 10.0.0.0/8.
func newSite(t testing.TB, o csrf.Options) http.Handler {
	t.Helper()
	g, err := csrf.New(o)
	if err != nil {
		t.Fatal(err)
	}
	p, err := proxy.New(proxy.Config{Trusted: []string{"10.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Middleware(g.Protect(app()))
}

// client is what a browser holds: its cookie and a token from a page.
type client struct{ cookie, token string }

// visit GETs path with an optional cookie and returns the csrftoken
// cookie the response set (or the old one) and the body.
func visit(t testing.TB, h http.Handler, method, path, cookieVal string, hdr map[string]string) (string, string, *http.Response) {
	t.Helper()
	req := httptest.NewRequest(method, "http://example.com"+path, nil)
	if cookieVal != "" {
		req.Header.Set("Cookie", "csrftoken="+cookieVal)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.Name == "csrftoken" {
			cookieVal = c.Value
		}
	}
	return cookieVal, rec.Body.String(), res
}

func newClient(t testing.TB, h http.Handler) client {
	t.Helper()
	c, tok, res := visit(t, h, "GET", "/form", "", nil)
	if res.StatusCode != 200 || c == "" || len(tok) != csrf.TokenLength {
		t.Fatalf("GET /form: %d, cookie %q, token %q", res.StatusCode, c, tok)
	}
	return client{c, tok}
}

// attack is one request of the corpus.
type attack struct {
	name   string
	method string            // default POST
	path   string            // default /submit
	https  bool              // TLS (hand-built: r.TLS set; also run through httptest.NewTLSServer)
	remote string            // peer address (hand-built only)
	hdr    map[string]string // "{self}" is replaced by the site's origin, "{host}" by its host
	cookie string            // "mine", "other", "masked", literal "=value", "" for none
	token  string            // "mine", "other", "stale", "secret", literal "=value", "" for none
	in     string            // "header" (default), "form", "query", "multipart", "query+form"
	body   string            // extra raw body (form)
	want   string            // reason name, or "accepted"
}

type fixture struct {
	mine, other client
	stale       string // mine's token before the rotation
}

func newFixture(t testing.TB, h http.Handler) fixture {
	before := newClient(t, h)
	// Log in: the rotation gives a new cookie and token.
	c, tok, res := visit(t, h, "POST", "/login", before.cookie, map[string]string{
		"Sec-Fetch-Site": "same-origin", "X-CSRFToken": before.token,
	})
	if res.StatusCode != 200 || c == before.cookie || len(tok) != csrf.TokenLength {
		t.Fatalf("login: %d, cookie %q (was %q)", res.StatusCode, c, before.cookie)
	}
	return fixture{mine: client{c, tok}, other: newClient(t, h), stale: before.token}
}

func (f fixture) value(kind string, cookie bool) string {
	switch {
	case strings.HasPrefix(kind, "="):
		return kind[1:]
	case kind == "mine" && cookie:
		return f.mine.cookie
	case kind == "mine":
		return f.mine.token
	case kind == "other" && cookie:
		return f.other.cookie
	case kind == "other":
		return f.other.token
	case kind == "stale":
		return f.stale
	case kind == "secret":
		return f.mine.cookie
	case kind == "masked":
		return f.mine.token // a 64-letter masked value in the cookie, as Django 3.2 writes it
	}
	return ""
}

// build makes the request of a, for a site whose origin is self.
func (f fixture) build(t testing.TB, a attack, base, self string) *http.Request {
	t.Helper()
	method, path := a.method, a.path
	if method == "" {
		method = "POST"
	}
	if path == "" {
		path = "/submit"
	}
	tok := f.value(a.token, false)
	in := a.in
	if in == "" {
		in = "header"
	}
	var body io.Reader
	ctype := ""
	switch in {
	case "query", "query+form":
		path += "?csrfmiddlewaretoken=" + url.QueryEscape(tok)
		if in == "query+form" {
			body, ctype = strings.NewReader("title=x"), "application/x-www-form-urlencoded"
		}
	case "form":
		v := url.Values{"title": {"x"}}
		if a.token != "" {
			v.Set("csrfmiddlewaretoken", tok)
		}
		body, ctype = strings.NewReader(v.Encode()+a.body), "application/x-www-form-urlencoded"
	case "multipart":
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrfmiddlewaretoken", tok)
		fw, _ := mw.CreateFormFile("upload", "a.txt")
		fw.Write([]byte("file content"))
		mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if in == "header" && a.token != "" {
		req.Header.Set("X-CSRFToken", tok)
	}
	if c := f.value(a.cookie, true); a.cookie != "" {
		req.Header.Set("Cookie", "theme=dark; csrftoken="+c)
	}
	for k, v := range a.hdr {
		v = strings.ReplaceAll(v, "{self}", self)
		req.Header.Set(k, strings.ReplaceAll(v, "{host}", req.Host))
	}
	return req
}

// runHand serves a hand-built request for host example.com.
func (f fixture) runHand(t *testing.T, h http.Handler, a attack) (int, string) {
	t.Helper()
	scheme := "http"
	if a.https {
		scheme = "https"
	}
	base := scheme + "://example.com"
	req := f.build(t, a, base, base)
	// Make it a server request, as httptest.NewRequest would.
	req.RequestURI = req.URL.RequestURI()
	req.URL.Scheme, req.URL.Host = "", "" // servers never fill these in: the guard must not need them
	req.RemoteAddr = "192.0.2.10:5555"
	if a.remote != "" {
		req.RemoteAddr = a.remote
	}
	if a.https {
		req.TLS = &tls.ConnectionState{HandshakeComplete: true}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("X-Reason")
}

// runTLS sends the request through a real TLS server.
func (f fixture) runTLS(t *testing.T, srv *httptest.Server, a attack) (int, string) {
	t.Helper()
	req := f.build(t, a, srv.URL, srv.URL)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("X-Reason")
}

func check(t *testing.T, a attack, code int, reason string) {
	t.Helper()
	if a.want == "accepted" {
		if code != 200 {
			t.Errorf("refused (%d, %s), want accepted", code, reason)
		}
		return
	}
	if code != http.StatusForbidden || reason != a.want {
		t.Errorf("got %d %q, want 403 %q", code, reason, a.want)
	}
}

func cookieWithDomain() (o cookieOptions) {
	o.Domain = "example.com"
	return o
}

type cookieOptions = cookie.Options
