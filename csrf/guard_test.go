package csrf_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

func TestNewValidatesTrustedOrigins(t *testing.T) {
	bad := map[string]string{
		"example.com":               `write "https://example.com"`,
		".example.com":              `write "https://*.example.com"`,
		"https://example.com/":      `write "https://example.com"`,
		"https://example.com/path":  "path",
		"https://example.com?q=1":   "query",
		"https://user@example.com":  "user info",
		"ftp://example.com":         "scheme",
		"https://*":                 `"*" may only start`,
		"https://*.com":             "every site",
		"https://a.*.example.com":   `"*" may only start`,
		"https://example.com:0":     "invalid port",
		"https://example.com:99999": "invalid port",
		"https://example.com:":      "invalid port",
		"https://exa mple.com":      "invalid host",
		"https://":                  "invalid host",
		"https://[::1":              "invalid host",
	}
	for origin, want := range bad {
		_, err := csrf.New(csrf.Options{Logger: quiet, TrustedOrigins: []string{origin}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one mentioning %q", origin, err, want)
		}
	}
	for _, good := range []string{"https://example.com", "HTTPS://Example.com:443", "http://localhost:5173",
		"https://*.example.com", "https://*.example.com:8443", "http://127.0.0.1:8000", "https://[::1]:8443", " https://a.example.com "} {
		if _, err := csrf.New(csrf.Options{Logger: quiet, TrustedOrigins: []string{good}}); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}

func TestNewValidatesTheRest(t *testing.T) {
	for name, o := range map[string]csrf.Options{
		"bad exempt pattern":          {Exempt: []string{"POST /x/{"}},
		"conflicting exempt patterns": {Exempt: []string{"/a/{x}", "/a/{y}"}},
		"bad header name":             {HeaderName: "X CSRF"},
		"bad cookie name":             {CookieName: "csrf token"},
		"__Host- cookie with domain":  {CookieName: "__Host-csrftoken", Cookie: cookieWithDomain()},
		"header-only with session":    {HeaderOnly: true, UseSession: true},
	} {
		if _, err := csrf.New(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := csrf.Protect(csrf.Options{TrustedOrigins: []string{"example.com"}}); err == nil {
		t.Error("Protect accepted a bare host")
	}
}

// TestCookie checks the csrftoken cookie's attributes and when it is sent.
func TestCookie(t *testing.T) {
	h := newSite(t, corpusOptions())
	_, _, res := visit(t, h, "GET", "/plain", "", nil)
	if len(res.Cookies()) != 0 || res.Header.Get("Vary") != "" {
		t.Fatalf("a page without a form set %v", res.Header)
	}
	_, tok, res := visit(t, h, "GET", "/form", "", nil)
	cs := res.Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %v", cs)
	}
	c := cs[0]
	if c.Name != "csrftoken" || len(c.Value) != csrf.SecretLength || c.HttpOnly || c.Secure ||
		c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != 31449600 {
		t.Fatalf("cookie %+v", c)
	}
	if res.Header.Get("Vary") != "Cookie" {
		t.Fatalf("Vary %q", res.Header.Get("Vary"))
	}
	// The same client gets another masking of the same secret, and its
	// cookie is renewed unchanged.
	c2, tok2, _ := visit(t, h, "GET", "/form", c.Value, nil)
	if c2 != c.Value || tok2 == tok {
		t.Fatalf("second visit: cookie %q (was %q), token repeated %v", c2, c.Value, tok2 == tok)
	}
	// An accepted POST leaves the cookie alone.
	_, _, res = visit(t, h, "POST", "/submit", c.Value, map[string]string{"Sec-Fetch-Site": "same-origin", "X-CSRFToken": tok2})
	if res.StatusCode != 200 || len(res.Cookies()) != 0 {
		t.Fatalf("POST: %d %v", res.StatusCode, res.Cookies())
	}
	// A malformed cookie is replaced by a page that uses the token.
	c3, _, _ := visit(t, h, "GET", "/form", "abc", nil)
	if len(c3) != csrf.SecretLength {
		t.Fatalf("malformed cookie not replaced: %q", c3)
	}
	// A masked (Django 3.2) cookie is rewritten as the bare secret, the
	// same secret.
	c4, _, _ := visit(t, h, "GET", "/form", tok, nil)
	if c4 != c.Value {
		t.Fatalf("masked cookie rewritten as %q, want %q", c4, c.Value)
	}
}

func TestCookieOverTLSIsSecure(t *testing.T) {
	srv := httptest.NewTLSServer(newSite(t, corpusOptions()))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/form")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cs := res.Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Fatalf("cookies over TLS: %v", cs)
	}
}

func TestMaskCookieAndMaxAge(t *testing.T) {
	h := newSite(t, csrf.Options{MaskCookie: true, CookieMaxAge: -1, Logger: quiet})
	_, _, res := visit(t, h, "GET", "/form", "", nil)
	c := res.Cookies()[0]
	if len(c.Value) != csrf.TokenLength || c.MaxAge != 0 || !c.Expires.IsZero() {
		t.Fatalf("cookie %+v", c)
	}
	// Each response masks it afresh; any masking is accepted.
	c2, tok, _ := visit(t, h, "GET", "/form", c.Value, nil)
	if c2 == c.Value {
		t.Fatal("masked cookie not re-masked")
	}
	_, _, res = visit(t, h, "POST", "/submit", c.Value, map[string]string{"Origin": "http://example.com", "X-CSRFToken": tok})
	if res.StatusCode != 200 {
		t.Fatalf("POST: %d", res.StatusCode)
	}
}

// TestDjangoToken accepts the reference's worked example: a cookie holding
// Django's secret and a token Django's algorithm masked.
func TestDjangoToken(t *testing.T) {
	h := newSite(t, csrf.Options{Logger: quiet})
	for _, tok := range []string{
		"1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD",
		"2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf",
		"lcccccccX2kcccccccY2jcccccccssIC",
	} {
		for _, cookie := range []string{"lcccccccX2kcccccccY2jcccccccssIC", "2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf"} {
			_, _, res := visit(t, h, "POST", "/submit", cookie, map[string]string{"X-CSRFToken": tok})
			if res.StatusCode != 200 {
				t.Errorf("cookie %s, token %s: %d", cookie, tok, res.StatusCode)
			}
		}
	}
}

func TestReasonWording(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	cookie := strings.Repeat("a", 32)
	for _, c := range []struct {
		hdr, form, want string
	}{
		{"", "", "CSRF token missing."},
		{strings.Repeat("a", 16), "", "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."},
		{strings.Repeat("*", 64), "", "CSRF token from the 'X-Csrftoken' HTTP header has invalid characters."},
		{strings.Repeat("b", 32), "", "CSRF token from the 'X-Csrftoken' HTTP header incorrect."},
		{"", strings.Repeat("a", 16), "CSRF token from POST has incorrect length."},
		{"", strings.Repeat("*", 64), "CSRF token from POST has invalid characters."},
		{"", strings.Repeat("b", 32) + strings.Repeat("c", 32), "CSRF token from POST incorrect."},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader("csrfmiddlewaretoken="+c.form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "csrftoken="+cookie)
		if c.hdr != "" {
			req.Header.Set("X-CSRFToken", c.hdr)
		}
		var e *csrf.Error
		if err := g.Check(req); !errors.As(err, &e) || e.Detail != c.want || e.Fix == "" {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	req := httptest.NewRequest("POST", "/", nil)
	if err := g.Check(req); err == nil || err.Error() != "csrf: CSRF cookie not set." {
		t.Errorf("no cookie: %v", err)
	}
	req = httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Cookie", "csrftoken=abc")
	if err := g.Check(req); !errors.Is(err, csrf.ErrBadCookie) || err.Error() != "csrf: CSRF cookie has incorrect length." {
		t.Errorf("bad cookie: %v", err)
	}
	req = httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Origin", "https://evil.example")
	if err := g.Check(req); err == nil || err.Error() != "csrf: Origin checking failed - https://evil.example does not match any trusted origins." {
		t.Errorf("origin: %v", err)
	}
}

func TestCustomHeaderName(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet, HeaderName: "X-CSRFToken-Customized", FieldName: "token"})
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Repeat("a", 32)
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Cookie", "csrftoken="+secret)
	req.Header.Set("X-Csrftoken-Customized", secret)
	if err := g.Check(req); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Csrftoken-Customized", strings.Repeat("b", 32))
	if err := g.Check(req); err == nil || !strings.Contains(err.Error(), "'X-Csrftoken-Customized'") {
		t.Fatalf("reason does not name the header: %v", err)
	}
	req = httptest.NewRequest("POST", "/", strings.NewReader("token="+secret))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Cookie", "csrftoken="+secret)
	if err := g.Check(req); err != nil {
		t.Fatalf("custom field: %v", err)
	}
	if req.PostForm.Get("token") != secret {
		t.Fatal("the form is not left parsed for the handler")
	}
}

func TestDefaultFailureHandlerAndLog(t *testing.T) {
	var logs bytes.Buffer
	g, err := csrf.New(csrf.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler reached") }))
	req := httptest.NewRequest("POST", "/posts/new", nil)
	req.Header.Set("Origin", "https://admin.example.com")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != 403 || rec.Header().Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	for _, want := range []string{"CSRF verification failed", "Origin checking failed - https://admin.example.com",
		`add "https://admin.example.com" to csrf.Options.TrustedOrigins`, "http://example.com"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "csrf: forbidden") ||
		!strings.Contains(l, `path="\"/posts/new\""`) { // request values are quoted (logval.Quote)
		t.Errorf("log: %s", l)
	}
}

// TestHTTPSBehindUntrustedProxyHint: the page is https, the server sees
// http; the fix is the proxy setting, not a trusted origin.
func TestHTTPSBehindUntrustedProxyHint(t *testing.T) {
	g, _ := csrf.New(csrf.Options{Logger: quiet})
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Origin", "https://example.com")
	var e *csrf.Error
	if err := g.Check(req); !errors.As(err, &e) || !strings.Contains(e.Fix, "proxy.Config.Trusted") ||
		strings.Contains(e.Fix, "TrustedOrigins") {
		t.Fatalf("%v: %q", err, e.Fix)
	}
}

// TestLoopbackNeedsNoTrustedOrigin: a development server on localhost
// accepts its own pages with no configuration, with or without
// Sec-Fetch-Site.
func TestLoopbackNeedsNoTrustedOrigin(t *testing.T) {
	g, _ := csrf.New(csrf.Options{Logger: quiet, HeaderOnly: true})
	for _, host := range []string{"localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost"} {
		for _, sfs := range []string{"", "same-origin"} {
			req := httptest.NewRequest("POST", "http://"+host+"/posts/new", nil)
			req.RemoteAddr = "127.0.0.1:50000"
			req.Header.Set("Origin", "http://"+host)
			if sfs != "" {
				req.Header.Set("Sec-Fetch-Site", sfs)
			}
			if err := g.Check(req); err != nil {
				t.Errorf("%s %q: %v", host, sfs, err)
			}
		}
	}
}

func TestHeaderOnly(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet, HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	var field template.HTML
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, field = csrf.Token(r), csrf.TemplateField(r)
		if err := csrf.Rotate(r); err != nil {
			t.Error(err)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if tok != "" || field != "" || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("header-only: token %q field %q cookie %q", tok, field, rec.Header().Get("Set-Cookie"))
	}
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("same-origin POST without token: %d", rec.Code)
	}
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 403 {
		t.Fatalf("cross-site POST: %d", rec.Code)
	}
}

func TestAllowSameSite(t *testing.T) {
	g, _ := csrf.New(csrf.Options{Logger: quiet, AllowSameSite: true, HeaderOnly: true})
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Sec-Fetch-Site", "same-site")
	req.Header.Set("Origin", "https://blog.example.com")
	if err := g.Check(req); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if err := g.Check(req); !errors.Is(err, csrf.ErrCrossSite) {
		t.Fatal(err)
	}
}

func TestMultipleOriginHeadersRefused(t *testing.T) {
	g, _ := csrf.New(csrf.Options{Logger: quiet, HeaderOnly: true})
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Add("Origin", "http://example.com")
	req.Header.Add("Origin", "https://evil.example")
	if err := g.Check(req); !errors.Is(err, csrf.ErrBadOrigin) {
		t.Fatal(err)
	}
}

func TestRotateAndTokenOutsideTheRules(t *testing.T) {
	req := httptest.NewRequest("GET", "/", nil)
	if err := csrf.Rotate(req); !errors.Is(err, csrf.ErrNoMiddleware) {
		t.Fatalf("Rotate without middleware: %v", err)
	}
	if csrf.Token(req) != "" || csrf.TemplateField(req) != "" {
		t.Fatal("Token without middleware")
	}
	var logs bytes.Buffer
	g, _ := csrf.New(csrf.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	var rotateErr error
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>")
		csrf.Token(r) // too late for a new client
		rotateErr = csrf.Rotate(r)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !errors.Is(rotateErr, csrf.ErrHeadersSent) {
		t.Fatalf("Rotate after the headers: %v", rotateErr)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("late token not reported: %q", logs.String())
	}
}

func TestTemplateFuncMap(t *testing.T) {
	tmpl := template.Must(template.New("page").Funcs(csrf.FuncMap()).Parse(
		`<form method="post">{{csrfField .Request}}</form><meta content="{{csrfToken .Request}}">`))
	g, _ := csrf.New(csrf.Options{Logger: quiet})
	var out bytes.Buffer
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := tmpl.Execute(&out, struct{ Request *http.Request }{r}); err != nil {
			t.Error(err)
		}
		w.Write(out.Bytes())
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	s := out.String()
	if !strings.HasPrefix(s, `<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="`) ||
		strings.Count(s, `"`) != 10 || rec.Header().Get("Set-Cookie") == "" {
		t.Fatalf("rendered %s", s)
	}
}

// TestSessionKeptSecret runs the token layer with UseSession through
// session.Manager and memstore, with the bare secret in the session and,
// with MaskCookie, a masked token (as Django 3.2 stores "_csrftoken"),
// masked afresh when the secret rotates.
func TestSessionKeptSecret(t *testing.T) {
	for _, mask := range []bool{false, true} {
		t.Run(fmt.Sprintf("MaskCookie=%v", mask), func(t *testing.T) { testSessionKeptSecret(t, mask) })
	}
}

func testSessionKeptSecret(t *testing.T, mask bool) {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}
	g, err := csrf.New(csrf.Options{Logger: quiet, UseSession: true, MaskCookie: mask})
	if err != nil {
		t.Fatal(err)
	}
	wantLen := csrf.SecretLength
	if mask {
		wantLen = csrf.TokenLength
	}
	var stored string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, csrf.Token(r))
		stored, _ = session.Value[string](session.From(r), csrf.SessionKey)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := csrf.Rotate(r); err != nil {
			t.Error(err)
		}
		stored, _ = session.Value[string](session.From(r), csrf.SessionKey)
		io.WriteString(w, csrf.Token(r))
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	h := m.Middleware(g.Protect(mux))

	sid := ""
	do := func(method, path, tok string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if sid != "" {
			req.Header.Set("Cookie", "sessionid="+sid)
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if tok != "" {
			req.Header.Set("X-CSRFToken", tok)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			if c.Name == "csrftoken" {
				t.Errorf("a csrftoken cookie in session mode")
			}
			if c.Name == "sessionid" {
				sid = c.Value
			}
		}
		return rec.Code, rec.Body.String()
	}
	if code, _ := do("POST", "/submit", strings.Repeat("a", 64)); code != 403 {
		t.Fatalf("POST without a session: %d", code)
	}
	_, tok := do("GET", "/form", "")
	if len(stored) != wantLen || sid == "" {
		t.Fatalf("session value %q, sid %q; want %d letters", stored, sid, wantLen)
	}
	first := stored
	_, tok2 := do("GET", "/form", "")
	if tok2 == tok {
		t.Fatal("token not re-masked")
	}
	if code, body := do("POST", "/submit", tok); code != 200 {
		t.Fatalf("POST with the token: %d %s", code, body)
	}
	if code, _ := do("POST", "/submit", stored); code != 200 {
		t.Fatalf("POST with the session value itself: %d", code)
	}
	_, newTok := do("POST", "/login", tok)
	if len(stored) != wantLen || stored == first {
		t.Fatalf("after Rotate the session holds %q (was %q)", stored, first)
	}
	if code, _ := do("POST", "/submit", tok); code != 403 {
		t.Fatalf("old token after rotation: %d", code)
	}
	if code, _ := do("POST", "/submit", newTok); code != 200 {
		t.Fatalf("new token after rotation: %d", code)
	}
}

func TestSessionModeWithoutSessionMiddleware(t *testing.T) {
	var logs bytes.Buffer
	g, _ := csrf.New(csrf.Options{UseSession: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	req := httptest.NewRequest("POST", "/", nil)
	if err := g.Check(req); !errors.Is(err, session.ErrNoMiddleware) {
		t.Fatalf("Check: %v", err)
	}
	rec := httptest.NewRecorder()
	g.Protect(http.NotFoundHandler()).ServeHTTP(rec, req)
	if rec.Code != 500 || !strings.Contains(logs.String(), "UseSession needs the session middleware") {
		t.Fatalf("%d, log %s", rec.Code, logs.String())
	}
}

// TestSessionFlushedBeforeToken: with UseSession, a handler that flushes
// the session (a logout) and then renders a form must hand out a token
// the emptied session keeps, not one of the secret read before the flush,
// which no later request could verify.
func TestSessionFlushedBeforeToken(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}
	g, err := csrf.New(csrf.Options{Logger: quiet, UseSession: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, csrf.Token(r)) })
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Flush(); err != nil {
			t.Error(err)
		}
		io.WriteString(w, csrf.Token(r)) // the login form of the logged-out page
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	h := m.Middleware(g.Protect(mux))
	sid := ""
	do := func(method, path, tok string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if sid != "" {
			req.Header.Set("Cookie", "sessionid="+sid)
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if tok != "" {
			req.Header.Set("X-CSRFToken", tok)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			if c.Name == "sessionid" {
				sid = c.Value
			}
		}
		return rec.Code, rec.Body.String()
	}
	_, tok := do("GET", "/form", "")
	code, after := do("POST", "/logout", tok)
	if code != 200 || len(after) != csrf.TokenLength {
		t.Fatalf("logout: %d %q", code, after)
	}
	if code, body := do("POST", "/submit", after); code != 200 {
		t.Fatalf("token made after the flush: %d %s", code, body)
	}
	if code, _ := do("POST", "/submit", tok); code != 403 {
		t.Fatalf("token of the flushed session still accepted: %d", code)
	}
}

// TestMaxFormBytesHuge: a MaxFormBytes meant as "no limit" must not
// overflow the multipart memory allowance, which made every multipart
// form fail (and, with a negative allowance, would spill parts to
// temporary files nobody removes).
func TestMaxFormBytesHuge(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet, MaxFormBytes: math.MaxInt64, FailureHandler: recordFailure})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, csrf.Token(r)) }))
	c, tok, _ := visit(t, h, "GET", "/", "", nil)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrfmiddlewaretoken", tok)
	fw, _ := mw.CreateFormFile("upload", "a.txt")
	fw.Write([]byte("file content"))
	mw.Close()
	req := httptest.NewRequest("POST", "/", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", "csrftoken="+c)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("multipart form with its token: %d %s", rec.Code, rec.Header().Get("X-Reason"))
	}
}

// A front-end dev server on another loopback port may post to the app on
// one machine with no configuration; nothing else gets that pass.
func TestLoopbackDevelopmentOrigins(t *testing.T) {
	dev, _ := csrf.New(csrf.Options{Logger: quiet, HeaderOnly: true})
	strict, _ := csrf.New(csrf.Options{Logger: quiet, HeaderOnly: true, StrictLoopback: true})
	for _, c := range []struct {
		name, remote, host, origin, sfs string
		tls, want                       bool
	}{
		{"vite on localhost", "127.0.0.1:5", "localhost:8000", "http://localhost:5173", "same-site", false, true},
		{"127.0.0.1 page", "127.0.0.1:5", "localhost:8000", "http://127.0.0.1:3000", "cross-site", false, true},
		{"ipv6 loopback", "[::1]:5", "[::1]:8000", "http://[::1]:5173", "", false, true},
		{"app.localhost", "127.0.0.1:5", "app.localhost:8000", "http://web.localhost:5173", "same-site", false, true},
		{"https page", "127.0.0.1:5", "localhost:8000", "https://localhost:5173", "same-site", false, false},
		{"look-alike", "127.0.0.1:5", "localhost:8000", "http://localhost.evil.example", "cross-site", false, false},
		{"remote peer", "203.0.113.1:5", "localhost:8000", "http://localhost:5173", "same-site", false, false},
		{"public host via local proxy", "127.0.0.1:5", "shop.example", "http://localhost:5173", "cross-site", false, false},
		{"over tls", "127.0.0.1:5", "localhost:8443", "http://localhost:5173", "cross-site", true, false},
		{"null", "127.0.0.1:5", "localhost:8000", "null", "cross-site", false, false},
	} {
		req := httptest.NewRequest("POST", "http://"+c.host+"/", nil)
		req.RemoteAddr, req.Host = c.remote, c.host
		if !c.tls {
			req.TLS = nil
		} else {
			req.TLS = &tls.ConnectionState{}
		}
		req.Header.Set("Origin", c.origin)
		if c.sfs != "" {
			req.Header.Set("Sec-Fetch-Site", c.sfs)
		}
		if err := dev.Check(req); (err == nil) != c.want {
			t.Errorf("%s: %v, want accepted=%v", c.name, err, c.want)
		}
		if c.want {
			if err := strict.Check(req); err == nil {
				t.Errorf("%s: accepted with StrictLoopback", c.name)
			}
		}
	}
	// Two Origin headers are never a development origin.
	req := httptest.NewRequest("POST", "http://localhost:8000/", nil)
	req.RemoteAddr = "127.0.0.1:5"
	req.Header["Origin"] = []string{"http://localhost:5173", "https://evil.example"}
	if err := dev.Check(req); err == nil {
		t.Error("two Origin headers accepted")
	}
}

// TestForbiddenEvent: every refusal's log line carries the stable event
// name and a reason code.
func TestForbiddenEvent(t *testing.T) {
	var logs bytes.Buffer
	g, err := csrf.New(csrf.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://example.com/", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	g.Protect(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), req)
	if got := logs.String(); !strings.Contains(got, "event=csrf.forbidden") || !strings.Contains(got, "code=cross-site_request") {
		t.Errorf("log line: %s", got)
	}
}
