// Package walk drives the router examples (examples/chi, examples/echo,
// examples/gin) through the same visit, so that each shows sessions,
// messages and CSRF working under its router in exactly the same way.
//
// Every example serves:
//
//	GET  /      the page: <p id="name">NAME</p>, the messages list, and a
//	            form posting "name" to /name with the CSRF field
//	POST /name  stores "name" in the session, adds the success message
//	            "Saved, NAME." and redirects (303) to /
package walk

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

var (
	tokenRe   = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"`)
	nameRe    = regexp.MustCompile(`<p id="name">([^<]*)</p>`)
	messageRe = regexp.MustCompile(`<li class="([^"]*)">([^<]*)</li>`)
)

// Page is what the example's page showed.
type Page struct {
	Status   int
	Name     string   // the session's name, "" when there is none
	Messages []string // "TAGS|TEXT" for each message
	Token    string   // the form's CSRF token
	Body     string
}

// Client is a browser-like client of one example: it keeps cookies and
// does not follow redirects on its own.
type Client struct {
	t    testing.TB
	base string
	http *http.Client
}

// New returns a client of the example served at base.
func New(t testing.TB, base string) *Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Get loads the page.
func (c *Client) Get() Page {
	c.t.Helper()
	res, err := c.http.Get(c.base + "/")
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := Page{Status: res.StatusCode, Body: string(b)}
	if m := nameRe.FindStringSubmatch(p.Body); m != nil {
		p.Name = m[1]
	}
	if m := tokenRe.FindStringSubmatch(p.Body); m != nil {
		p.Token = m[1]
	}
	for _, m := range messageRe.FindAllStringSubmatch(p.Body, -1) {
		p.Messages = append(p.Messages, m[1]+"|"+m[2])
	}
	return p
}

// Post submits the form with name and token ("" sends none), from the
// example's own origin, and returns the response's status and Location.
func (c *Client) Post(name, token string) (int, string) {
	c.t.Helper()
	form := url.Values{"name": {name}}
	if token != "" {
		form.Set("csrfmiddlewaretoken", token)
	}
	req, err := http.NewRequest("POST", c.base+"/name", strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Location")
}

// Run walks the example served at base: a first visit gets a token and
// no name; a POST without the token is refused (403) and changes
// nothing; with the token the name is stored in the session and the
// message shows once, on the page the redirect leads to; the name stays
// on later pages.
func Run(t *testing.T, base string) {
	t.Helper()
	c := New(t, base)
	p := c.Get()
	if p.Status != 200 || p.Name != "" || len(p.Messages) != 0 || p.Token == "" {
		t.Fatalf("first visit: %d name %q messages %q token %q\n%s", p.Status, p.Name, p.Messages, p.Token, p.Body)
	}
	if code, _ := c.Post("Mallory", ""); code != http.StatusForbidden {
		t.Fatalf("POST without a token: %d, want 403", code)
	}
	if p := c.Get(); p.Name != "" || len(p.Messages) != 0 {
		t.Fatalf("after the refused POST: name %q messages %q", p.Name, p.Messages)
	}
	if code, _ := c.Post("Ada", strings.Repeat("a", len(p.Token))); code != http.StatusForbidden {
		t.Fatalf("POST with a forged token: %d, want 403", code)
	}
	code, loc := c.Post("Ada <& Lovelace>", p.Token)
	if code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("POST with the token: %d %q, want 303 to /", code, loc)
	}
	p = c.Get()
	if p.Name != "Ada &lt;&amp; Lovelace&gt;" || len(p.Messages) != 1 || p.Messages[0] != "success|Saved, Ada &lt;&amp; Lovelace&gt;." {
		t.Fatalf("after saving: name %q messages %q\n%s", p.Name, p.Messages, p.Body)
	}
	p = c.Get()
	if p.Name != "Ada &lt;&amp; Lovelace&gt;" || len(p.Messages) != 0 {
		t.Fatalf("next page: name %q messages %q (the message must show once)", p.Name, p.Messages)
	}
}

// Serve serves the app newApp builds on a fresh in-memory store and
// walks it (Run).
func Serve[H http.Handler](t *testing.T, newApp func(session.Store) (H, error)) {
	t.Helper()
	store := memstore.New()
	defer store.Close()
	app, err := newApp(store)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	defer srv.Close()
	Run(t, srv.URL)
}
