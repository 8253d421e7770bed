// Package csrfapps builds the same small application behind each CSRF
// middleware compared here, so that the benchmarks measure the same handler
// on every library.
//
// Every App is one complete chain: the library's middleware around a
// trivial handler that, on GET, renders a form carrying the library's
// token (when it has tokens) and, on POST, reads the form field "title" and
// answers "saved: " and its value.
//
// The requests are shaped like HTTPS requests to https://example.com (as
// httptest.NewRequest makes them from an https:// URL: r.TLS is set), which
// every library recognises as HTTPS without further help: gorilla/csrf
// treats every request as HTTPS unless csrf.PlaintextHTTPRequest says
// otherwise, nosurf is told with SetIsTLSFunc(r.TLS != nil), tether reads
// r.TLS through package proxy, and http.CrossOriginProtection ignores the
// scheme.
//
// NewPlainHTTP makes the same Apps for a plain-HTTP server (cmd/csrfserver,
// for wrk): gorilla/csrf then needs every request marked with
// csrf.PlaintextHTTPRequest, as its documentation says, or it compares
// Origin with https:// and demands a Referer; gorilla's and nosurf's cookies
// drop Secure (tether sets Secure only on HTTPS by itself).
package csrfapps

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	gorilla "github.com/gorilla/csrf"
	"github.com/justinas/nosurf"

	"github.com/tetherweb/tether/csrf"
)

// Site is the origin every request is addressed to, and that same-origin
// requests carry in Origin; Evil is the forger's.
const (
	Site = "https://example.com"
	Evil = "https://evil.example"
)

// Names lists the Apps, in the order the benchmarks run them.
var Names = []string{"tether-csrf", "tether-csrf-headeronly", "gorilla-csrf", "nosurf", "stdlib-cop"}

// App is one library's middleware around the handler.
type App struct {
	Name    string
	Handler http.Handler
	// HeaderName and FieldName are where a request carries the token:
	// the library's request header and form field. Both are "" for the
	// header-only middlewares, which have no tokens.
	HeaderName string
	FieldName  string
}

// Tokens reports whether the App's middleware checks tokens.
func (a *App) Tokens() bool { return a.FieldName != "" }

// Client is what a browser holds after loading the form: the library's
// cookie ("name=value", "" without tokens) and the token the page carried.
type Client struct {
	Cookie string
	Token  string
}

// New makes the App called name, for HTTPS requests.
func New(name string) (*App, error) { return newApp(name, false) }

// NewPlainHTTP makes the App called name for a server on plain HTTP.
func NewPlainHTTP(name string) (*App, error) { return newApp(name, true) }

func newApp(name string, plainHTTP bool) (*App, error) {
	switch name {
	case "tether-csrf", "tether-csrf-headeronly":
		headerOnly := name == "tether-csrf-headeronly"
		g, err := csrf.New(csrf.Options{
			HeaderOnly: headerOnly,
			// Refusals are logged as warnings by default; the
			// other libraries log nothing, and a benchmark of
			// forgeries would flood stderr.
			Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			return nil, err
		}
		a := &App{Name: name, Handler: g.Protect(handler(csrf.Token, csrf.DefaultFieldName))}
		if !headerOnly {
			a.HeaderName, a.FieldName = csrf.DefaultHeaderName, csrf.DefaultFieldName
		}
		return a, nil
	case "gorilla-csrf":
		// Defaults otherwise: HttpOnly, Secure, SameSite=Lax, 12 h,
		// header X-CSRF-Token, field gorilla.csrf.Token, 403 on failure.
		opts := []gorilla.Option{gorilla.Path("/")}
		if plainHTTP {
			opts = append(opts, gorilla.Secure(false))
		}
		const field = "gorilla.csrf.Token"
		h := gorilla.Protect(randomBytes(32), opts...)(handler(gorilla.Token, field))
		if plainHTTP {
			// gorilla/csrf takes every request for HTTPS unless
			// told otherwise, request by request (a context value
			// and a request copy each).
			protected := h
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				protected.ServeHTTP(w, gorilla.PlaintextHTTPRequest(r))
			})
		}
		return &App{
			Name:       name,
			Handler:    h,
			HeaderName: "X-CSRF-Token",
			FieldName:  field,
		}, nil
	case "nosurf":
		h := nosurf.New(handler(nosurf.Token, nosurf.FormFieldName))
		h.SetBaseCookie(http.Cookie{
			Path:     "/",
			MaxAge:   nosurf.MaxAge,
			HttpOnly: true,
			Secure:   !plainHTTP,
			SameSite: http.SameSiteLaxMode,
		})
		// As nosurf's documentation recommends for a server doing TLS
		// itself (its default treats every request as HTTPS anyway);
		// on plain HTTP it compares Origin with http:// + Host.
		h.SetIsTLSFunc(func(r *http.Request) bool { return r.TLS != nil })
		// nosurf answers a bare 400 by default; this answers 403 with
		// the reason, as gorilla/csrf's default does.
		h.SetFailureHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Forbidden - "+nosurf.Reason(r).Error(), http.StatusForbidden)
		}))
		return &App{Name: name, Handler: h, HeaderName: nosurf.HeaderName, FieldName: nosurf.FormFieldName}, nil
	case "stdlib-cop":
		cop := http.NewCrossOriginProtection()
		return &App{Name: name, Handler: cop.Handler(handler(noToken, ""))}, nil
	}
	return nil, fmt.Errorf("csrfapps: unknown library %q (known: %s)", name, strings.Join(Names, ", "))
}

func noToken(*http.Request) string { return "" }

// Page parts. The token (when there is one) goes in a hidden field between
// them, written the same way for every library: nosurf has no template
// helper, so none is used.
const (
	pageHead = `<!doctype html><title>New post</title><form method="post" action="/">`
	pageTail = `<input name="title"><button>Save</button></form>`
)

// handler is the application: GET renders the form with token(r) in the
// hidden field named field (no field when token(r) is ""); any other
// method reads the form field "title" and answers "saved: " and it.
func handler(token func(*http.Request) string, field string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			// Before the first byte: tether's Token may set a cookie.
			tok := token(r)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, pageHead)
			if tok != "" {
				io.WriteString(w, `<input type="hidden" name="`)
				io.WriteString(w, field)
				io.WriteString(w, `" value="`)
				io.WriteString(w, tok)
				io.WriteString(w, `">`)
			}
			io.WriteString(w, pageTail)
			return
		}
		title := r.PostFormValue("title")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "saved: ")
		io.WriteString(w, title)
	})
}

// Seed loads the form once, as a first-time visitor of Site, and returns
// the cookie and token a browser would then hold.
func Seed(a *App) (Client, error) { return SeedAt(a, Site+"/") }

// SeedAt is Seed with the form at url (say "http://127.0.0.1:8080/form"),
// served in process: r.TLS is set only for an https:// url.
func SeedAt(a *App, url string) (Client, error) {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Sec-Fetch-Site", "none")
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return Client{}, fmt.Errorf("csrfapps: %s: the form answered %d: %s", a.Name, rec.Code, rec.Body)
	}
	if !a.Tokens() {
		return Client{}, nil
	}
	var c Client
	tok, err := TokenIn(rec.Body.String(), a.FieldName)
	if err != nil {
		return Client{}, fmt.Errorf("csrfapps: %s: %v", a.Name, err)
	}
	c.Token = tok
	for _, ck := range rec.Result().Cookies() {
		if ck.Value != "" && ck.MaxAge >= 0 {
			c.Cookie = ck.Name + "=" + ck.Value
		}
	}
	if c.Cookie == "" {
		return Client{}, fmt.Errorf("csrfapps: %s: the form set no cookie", a.Name)
	}
	return c, nil
}

// TokenIn returns the value of the hidden field named field in page.
func TokenIn(page, field string) (string, error) {
	_, rest, ok := strings.Cut(page, `name="`+field+`" value="`)
	if !ok {
		return "", fmt.Errorf("no %s field in %q", field, page)
	}
	tok, _, ok := strings.Cut(rest, `"`)
	if !ok || tok == "" {
		return "", fmt.Errorf("empty %s field in %q", field, page)
	}
	return tok, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
