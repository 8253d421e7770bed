package csrf_test

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/tetherweb/tether/csrf"
)

// A form page and its POST handler behind the guard: the page's token and
// cookie make the POST pass; the same POST from another site is refused.
func Example() {
	page := template.Must(template.New("form").Funcs(csrf.FuncMap()).Parse(
		`<form method="post" action="/posts/new">{{csrfField .Request}}<input name="title"></form>`))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /posts/new", func(w http.ResponseWriter, r *http.Request) {
		// Render into a buffer first, so the cookie can still be set.
		var buf strings.Builder
		page.Execute(&buf, struct{ Request *http.Request }{r})
		fmt.Fprint(w, buf.String())
	})
	mux.HandleFunc("POST /posts/new", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "saved %q", r.PostFormValue("title"))
	})

	guard, err := csrf.New(csrf.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	site := guard.Protect(mux)

	// The browser loads the form: it gets the cookie and a token.
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/posts/new", nil))
	cookie := rec.Result().Cookies()[0]
	html := rec.Body.String()
	start := strings.Index(html, `value="`) + len(`value="`)
	token := html[start : start+csrf.TokenLength]

	submit := func(origin string) *httptest.ResponseRecorder {
		form := url.Values{"title": {"Hello"}, "csrfmiddlewaretoken": {token}}
		req := httptest.NewRequest("POST", "http://example.com/posts/new", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		return rec
	}
	fmt.Println(cookie.Name, len(cookie.Value))
	fmt.Println(submit("http://example.com").Body.String())
	fmt.Println(submit("https://evil.example").Code)
	// Output:
	// csrftoken 32
	// saved "Hello"
	// 403
}

// Trusted origins are validated when the guard is made: a bare host is a
// configuration error that names the fix.
func ExampleNew() {
	_, err := csrf.New(csrf.Options{TrustedOrigins: []string{"admin.example.com"}})
	fmt.Println(err)
	// Output:
	// csrf: trusted origin "admin.example.com" has no scheme: an origin is scheme://host[:port]; write "https://admin.example.com" (or "http://admin.example.com" for a plain-HTTP site)
}

// Check gives the decision to code that does not use the middleware; the
// reason is told with errors.Is.
func ExampleGuard_Check() {
	guard, _ := csrf.New(csrf.Options{HeaderOnly: true})
	req := httptest.NewRequest("POST", "http://example.com/api/posts", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	err := guard.Check(req)
	fmt.Println(errors.Is(err, csrf.ErrCrossSite))
	fmt.Println(err)
	// Output:
	// true
	// csrf: Cross-site request refused - Sec-Fetch-Site is cross-site.
}

// Rotate on login: the tokens of the pages rendered before no longer
// verify, and the response carries the new cookie.
func ExampleRotate() {
	guard, _ := csrf.New(csrf.Options{Logger: slog.New(slog.DiscardHandler)})
	login := guard.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ... check the password, session.From(r).CycleKey() ...
		if err := csrf.Rotate(r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "welcome")
	}))
	old := strings.Repeat("a", csrf.SecretLength)
	req := httptest.NewRequest("POST", "http://example.com/login", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Cookie", "csrftoken="+old)
	req.Header.Set("X-CSRFToken", old)
	rec := httptest.NewRecorder()
	login.ServeHTTP(rec, req)
	c := rec.Result().Cookies()[0]
	fmt.Println(rec.Body.String(), c.Name, c.Value != old)
	// Output:
	// welcome csrftoken true
}

// Token in a handler, for JavaScript: the page hands it to fetch, which
// sends it back in the X-CSRFToken header.
func ExampleToken() {
	guard, _ := csrf.New(csrf.Options{})
	h := guard.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<meta name="csrf-token" content="%s">`, csrf.Token(r))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(len(rec.Body.String()), rec.Header().Get("Vary"))
	// Output:
	// 99 Cookie
}

// With htmx, one hx-headers attribute on the body sends the token with
// every htmx request of the page; a refused htmx request gets a short
// answer that htmx does not swap, and an event the page can show.
func ExampleHXHeaders() {
	page := template.Must(template.New("page").Funcs(csrf.FuncMap()).Parse(
		`<body hx-headers='{{csrfHXHeaders .}}'><button hx-post="/cart">Add</button></body>`))
	guard, err := csrf.New(csrf.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	site := guard.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf strings.Builder
		page.Execute(&buf, r)
		fmt.Fprint(w, buf.String())
	}))

	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/", nil))
	fmt.Println(strings.HasPrefix(rec.Body.String(), `<body hx-headers='{&#34;X-CSRFToken&#34;:&#34;`))

	// An htmx POST without the cookie and token.
	req := httptest.NewRequest("POST", "http://example.com/cart", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Origin", "http://example.com")
	rec = httptest.NewRecorder()
	site.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("HX-Reswap"))
	fmt.Println(rec.Header().Get("HX-Trigger"))
	fmt.Print(rec.Body.String())
	// Output:
	// true
	// 403 none
	// {"csrf-failure":{"error":"no csrf cookie","reason":"CSRF cookie not set."}}
	// CSRF verification failed: CSRF cookie not set.
}
