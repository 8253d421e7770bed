package csrf_test

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherweb/tether/csrf"
)

// htmxTrigger decodes the csrf-failure event of an HX-Trigger value.
func htmxTrigger(t *testing.T, v string) map[string]string {
	t.Helper()
	var obj map[string]map[string]string
	if err := json.Unmarshal([]byte(v), &obj); err != nil {
		t.Fatalf("HX-Trigger %q: %v", v, err)
	}
	return obj[csrf.HTMXFailureEvent]
}

// TestHTMXFailure: a refused htmx request gets a one-line text body,
// HX-Reswap: none and the reason in HX-Trigger; the same request without
// HX-Request gets the default page, without those headers.
func TestHTMXFailure(t *testing.T) {
	g, err := csrf.New(csrf.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler reached") }))
	for _, c := range []struct {
		origin, reason, kind string
	}{
		{"http://example.com", "CSRF cookie not set.", "no csrf cookie"},
		{"https://evil.example", "Origin checking failed - https://evil.example does not match any trusted origins.", "origin not trusted"},
	} {
		req := httptest.NewRequest("POST", "http://example.com/cart", nil)
		req.Header.Set("Origin", c.origin)
		req.Header.Set("HX-Request", "true")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		hdr := rec.Header()
		if rec.Code != 403 || hdr.Get("HX-Reswap") != "none" || hdr.Get("Cache-Control") != "no-store" ||
			!strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
			t.Fatalf("%s: %d %v", c.origin, rec.Code, hdr)
		}
		if body := rec.Body.String(); body != "CSRF verification failed: "+c.reason+"\n" {
			t.Errorf("%s: body %q", c.origin, body)
		}
		if ev := htmxTrigger(t, hdr.Get("HX-Trigger")); ev["reason"] != c.reason || ev["error"] != c.kind {
			t.Errorf("%s: event %q", c.origin, ev)
		}

		req.Header.Del("HX-Request")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 403 || rec.Header().Get("HX-Reswap") != "" || rec.Header().Get("HX-Trigger") != "" ||
			!strings.HasPrefix(rec.Body.String(), "403 Forbidden\n\nCSRF verification failed. Request aborted.\n") {
			t.Errorf("%s without htmx: %d %v %q", c.origin, rec.Code, rec.Header(), rec.Body.String())
		}
	}
}

// TestHTMXFailureBounded: a long, non-ASCII Origin quoted in the reason
// is cut on a character boundary and escaped, in the header and the body.
func TestHTMXFailureBounded(t *testing.T) {
	g, _ := csrf.New(csrf.Options{Logger: quiet})
	h := g.Protect(http.NotFoundHandler())
	req := httptest.NewRequest("POST", "http://example.com/cart", nil)
	req.Header.Set("Origin", "https://"+strings.Repeat("é", 5000)+".example")
	req.Header.Set("HX-Request", "true")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	v := rec.Header().Get("HX-Trigger")
	if len(v) > 2000 {
		t.Fatalf("HX-Trigger of %d bytes", len(v))
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] >= 0x7f {
			t.Fatalf("byte %#x in HX-Trigger", v[i])
		}
	}
	ev := htmxTrigger(t, v)
	// The Origin is cut in the reason itself (internal/logval), and the
	// reason again to the header's budget.
	if !strings.HasPrefix(ev["reason"], "Origin checking failed - https://éé") || !strings.HasSuffix(ev["reason"], "…") {
		t.Fatalf("reason %q", ev["reason"])
	}
	if len(rec.Body.String()) > 400 {
		t.Fatalf("body of %d bytes", rec.Body.Len())
	}
}

// TestHXHeaders: the hx-headers value carries a token of the client's
// secret under the configured header name, html/template escapes it in
// the attribute, and htmx's header passes the check.
func TestHXHeaders(t *testing.T) {
	for _, name := range []string{"", "X-My-Token"} {
		g, err := csrf.New(csrf.Options{Logger: quiet, HeaderName: name})
		if err != nil {
			t.Fatal(err)
		}
		page := template.Must(template.New("").Funcs(csrf.FuncMap()).Parse(`<body hx-headers='{{csrfHXHeaders .}}'>`))
		h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				w.Write([]byte("ok"))
				return
			}
			var b strings.Builder
			page.Execute(&b, r)
			w.Write([]byte(b.String()))
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/", nil))
		body := rec.Body.String()
		if name == "" {
			name = csrf.DefaultHeaderName
		}
		prefix := `<body hx-headers='{&#34;` + name + `&#34;:&#34;`
		if !strings.HasPrefix(body, prefix) || !strings.HasSuffix(body, `&#34;}'>`) {
			t.Fatalf("rendered %q", body)
		}
		// What the browser hands htmx: the attribute's text, unescaped.
		var hdrs map[string]string
		if err := json.Unmarshal([]byte(strings.ReplaceAll(body[len(`<body hx-headers='`):len(body)-2], "&#34;", `"`)), &hdrs); err != nil {
			t.Fatal(err)
		}
		token := hdrs[name]
		if len(token) != csrf.TokenLength {
			t.Fatalf("headers %q", hdrs)
		}
		cookie := rec.Result().Cookies()[0]
		post := func(tok string) int {
			req := httptest.NewRequest("POST", "http://example.com/cart", strings.NewReader(url.Values{"id": {"7"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "http://example.com")
			req.Header.Set("HX-Request", "true")
			req.Header.Set(name, tok)
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Code
		}
		if code := post(token); code != 200 {
			t.Errorf("%s: with the token: %d", name, code)
		}
		if code := post(strings.Repeat("a", csrf.TokenLength)); code != 403 {
			t.Errorf("%s: with a forged token: %d", name, code)
		}
	}
}

// TestHXHeadersHeaderOnly: without a token layer the attribute is an
// empty JSON object, which htmx accepts.
func TestHXHeadersHeaderOnly(t *testing.T) {
	g, _ := csrf.New(csrf.Options{Logger: quiet, HeaderOnly: true})
	var got string
	g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = csrf.HXHeaders(r) })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got != "{}" {
		t.Fatalf("%q", got)
	}
	if got := csrf.HXHeaders(httptest.NewRequest("GET", "/", nil)); got != "{}" {
		t.Fatalf("no middleware: %q", got)
	}
}
