package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tetherweb/tether/store/dsn"
)

// site is one running demo and the data behind it.
type site struct {
	t   *testing.T
	srv *httptest.Server
	key []byte
}

// client is a browser-like client of a site: a cookie jar, redirects not
// followed, and the Origin a browser sends with a form.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

// newSite serves the demo over fresh SQLite files with cfg (its
// SecretKey is filled when empty); dsnSuffix is added to the store DSN.
func newSite(t *testing.T, cfg config, dsnSuffix string) *site {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "blog.db")
	return newSiteOn(t, cfg, "sqlite:"+path+dsnSuffix, path)
}

// newSiteOn serves the demo with sessions in storeDSN and posts in dbPath.
func newSiteOn(t *testing.T, cfg config, storeDSN, dbPath string) *site {
	t.Helper()
	if cfg.SecretKey == nil {
		cfg.SecretKey = []byte("a test secret key that is long enough for the demo, 0123456789")
	}
	store, err := dsn.Open(storeDSN, dsn.Options{SecretKey: cfg.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	data, err := openDB(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { data.close() })
	if err := data.migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	h, err := newApp(store, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{t: t, srv: srv, key: cfg.SecretKey}
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &client{t: s.t, base: s.srv.URL, http: c}
}

// do sends a request and returns the response with its body read.
func (c *client) do(method, path string, body io.Reader, header ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	return c.do("GET", path, nil)
}

var tokenField = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"`)

// token returns a CSRF token from a page that has a form.
func (c *client) token() string {
	c.t.Helper()
	_, body := c.get("/posts/new")
	m := tokenField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF field on /posts/new:\n%s", body)
	}
	return m[1]
}

// post submits a form the way a browser does: same-origin, with a token
// from a page (unless the form already has csrfmiddlewaretoken, or
// withToken is false).
func (c *client) post(path string, form url.Values, withToken bool) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if withToken && form.Get("csrfmiddlewaretoken") == "" {
		form.Set("csrfmiddlewaretoken", c.token())
	}
	return c.do("POST", path, strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", c.base)
}

// cookie returns the value of the jar's cookie name.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// setCookieFor returns the Set-Cookie header of resp for name.
func setCookieFor(resp *http.Response, name string) string {
	for _, v := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			return v
		}
	}
	return ""
}

// messagesIn returns the texts of the page's flash messages.
func messagesIn(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<li class="message message--[a-z]+[^"]*">([^<]*)</li>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}
