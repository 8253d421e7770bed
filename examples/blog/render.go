package main

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
)

// pageTemplate is base.html with one page's "content".
type pageTemplate = template.Template

// loadPages parses every page together with base.html and recent.html.
func loadPages() (map[string]*pageTemplate, error) {
	shared, err := template.ParseFS(assets, "templates/base.html", "templates/recent.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		if strings.HasSuffix(n, "/base.html") || strings.HasSuffix(n, "/recent.html") {
			continue
		}
		t, err := template.Must(shared.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return pages, nil
}

// view is the data every page gets; page-specific fields are filled by
// the handlers.
type view struct {
	Title     string
	User      string
	Messages  []messages.Message
	CSRFField template.HTML
	HXHeaders string // the body's hx-headers: htmx sends the CSRF token
	Visits    int
	CartCount int
	Recent    []Post

	Action       string // where a form posts to
	Posts        []Post
	Post         Post
	Form         map[string]string
	Errors       map[string]string
	Products     []Product
	ProductTotal int
	Page         int
	Pages        int
	PrevPage     int
	NextPage     int
	Lines        []cartLine
	CartTotal    string
	Devices      *devicesPage
}

// render executes page with v, filling the shared fields: the user, the
// pending messages (reading them marks them shown), a fresh CSRF field,
// the visited cookie's count and the cart size. It only reads the session:
// a visitor who has stored nothing gets no session (no record, no
// sessionid cookie), however many pages they load. The page is rendered
// into a buffer first, so a template error is a clean 500 and the session
// and messages are saved before the first byte goes out.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	s := session.From(r)
	v.User, _ = session.Value[string](s, "user")
	v.Visits = visitCount(r)
	cart, _ := session.Value[map[string]int](s, "cart")
	for _, q := range cart {
		v.CartCount += q
	}
	if v.Recent == nil {
		v.Recent = a.recentPosts(r)
	}
	v.CSRFField = csrf.TemplateField(r)
	v.HXHeaders = csrf.HXHeaders(r)
	v.Messages = messages.Get(r)
	var buf bytes.Buffer
	if err := a.pages[page].ExecuteTemplate(&buf, "base", v); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail logs err and answers 500.
func (a *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.logger.ErrorContext(r.Context(), "blog: request failed", logString("method", r.Method), logString("path", r.URL.Path), logError(err))
	status := session.StatusFor(err)
	http.Error(w, http.StatusText(status), status)
}
