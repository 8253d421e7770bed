package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The pages show the visited cookie's count (the tutorial's counter, which
// only /visits advances); a counter kept in the session made every page a
// write, so every cookie-less visitor got a session.
func TestIndexCountsVisitsAndSetsHeaders(t *testing.T) {
	c := newSite(t, config{}, "").client()
	for i := 1; i <= 3; i++ {
		c.get("/visits")
		resp, body := c.get("/")
		if resp.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf("Visits counted by the visited cookie: %d.", i)) {
			t.Fatalf("visit %d: status %d, body lacks the count", i, resp.StatusCode)
		}
		if i == 1 {
			for h, want := range map[string]string{
				"X-Content-Type-Options":     "nosniff",
				"Referrer-Policy":            "same-origin",
				"Cross-Origin-Opener-Policy": "same-origin",
				"X-Frame-Options":            "DENY",
			} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
		}
	}
}

func TestStaticFiles(t *testing.T) {
	c := newSite(t, config{}, "").client()
	for path, want := range map[string]string{"/static/style.css": ".message--success", "/static/app.js": "X-CSRFToken"} {
		resp, body := c.get(path)
		if resp.StatusCode != 200 || !strings.Contains(body, want) || resp.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Errorf("%s: %d, cache %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	if resp, _ := c.get("/static/../main.go"); resp.StatusCode == 200 {
		t.Error("the static handler serves files outside static/")
	}
}

func TestPostNeedsCSRFToken(t *testing.T) {
	c := newSite(t, config{}, "").client()
	c.get("/")
	resp, _ := c.post("/posts/new", url.Values{"title": {"Forged"}}, false)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without token: %d, want 403", resp.StatusCode)
	}
	// A cross-site form with a valid token is refused too.
	form := url.Values{"title": {"Forged"}, "csrfmiddlewaretoken": {c.token()}}
	resp, _ = c.do("POST", "/posts/new", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	if _, body := c.get("/"); strings.Contains(body, "Forged") {
		t.Fatal("a forged post was saved")
	}
}

func TestCreatePostFlashesOnce(t *testing.T) {
	for _, storage := range []string{"fallback", "session", "cookie"} {
		t.Run(storage, func(t *testing.T) {
			c := newSite(t, config{Messages: storage}, "").client()
			resp, _ := c.post("/posts/new", url.Values{"title": {"Hello <world>"}, "body": {"First post."}}, true)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound || !regexp.MustCompile(`^/posts/\d+$`).MatchString(loc) {
				t.Fatalf("valid post: %d to %q", resp.StatusCode, loc)
			}
			_, body := c.get(loc)
			if got := messagesIn(body); !slices.Equal(got, []string{"The post has been saved."}) {
				t.Fatalf("after redirect: messages %q", got)
			}
			if !strings.Contains(body, "<h1>Hello &lt;world&gt;</h1>") {
				t.Fatal("post page lacks the escaped title")
			}
			if _, body = c.get(loc); len(messagesIn(body)) != 0 {
				t.Fatalf("message shown twice: %q", messagesIn(body))
			}
			if _, body = c.get("/"); !strings.Contains(body, `href="`+loc+`">Hello &lt;world&gt;</a>`) {
				t.Fatal("index does not list the post")
			}
		})
	}
}

func TestInvalidPostRerendersForm(t *testing.T) {
	c := newSite(t, config{}, "").client()
	resp, body := c.post("/posts/new", url.Values{"title": {"   "}, "body": {"kept body"}}, true)
	if resp.StatusCode != 200 {
		t.Fatalf("invalid post: %d, want 200", resp.StatusCode)
	}
	if got := messagesIn(body); !slices.Equal(got, []string{"Please check the input again."}) {
		t.Fatalf("messages %q", got)
	}
	if !strings.Contains(body, "A title is required.") || !strings.Contains(body, "kept body") {
		t.Fatal("form not re-rendered with the error and the input")
	}
	if _, body = c.get("/"); len(messagesIn(body)) != 0 || strings.Contains(body, "kept body") {
		t.Fatal("the error message or the post leaked to the next page")
	}
}

// createPosts makes n posts through the form and returns their paths.
func createPosts(c *client, n int) []string {
	c.t.Helper()
	var paths []string
	for i := range n {
		resp, _ := c.post("/posts/new", url.Values{"title": {fmt.Sprintf("Post %d", i)}}, true)
		if resp.StatusCode != http.StatusFound {
			c.t.Fatalf("post %d: %d", i, resp.StatusCode)
		}
		paths = append(paths, resp.Header.Get("Location"))
	}
	return paths
}

func TestRecentlyViewedPosts(t *testing.T) {
	c := newSite(t, config{}, "").client()
	paths := createPosts(c, 12)
	for _, p := range paths {
		c.get(p)
	}
	c.get(paths[3]) // viewed again: moves to the front
	_, body := c.get("/")
	got := regexp.MustCompile(`(?s)<ol id="recent">(.*?)</ol>`).FindStringSubmatch(body)
	if got == nil {
		t.Fatal("no recent list on the index")
	}
	titles := regexp.MustCompile(`>(Post \d+)</a>`).FindAllStringSubmatch(got[1], -1)
	var names []string
	for _, m := range titles {
		names = append(names, m[1])
	}
	want := []string{"Post 3", "Post 11", "Post 10", "Post 9", "Post 8", "Post 7", "Post 6", "Post 5", "Post 4", "Post 2"}
	if !slices.Equal(names, want) {
		t.Fatalf("recent %q\nwant   %q", names, want)
	}
	if resp, _ := c.get("/posts/99999"); resp.StatusCode != 404 {
		t.Fatalf("missing post: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/posts/abc"); resp.StatusCode != 404 {
		t.Fatalf("bad id: %d", resp.StatusCode)
	}
}

func TestVisitedCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		c := newSite(t, config{Secure: secure}, "").client()
		resp, body := c.get("/visits")
		if !strings.Contains(body, "visited this page 1 time.") {
			t.Fatalf("first visit: %q", body)
		}
		sc := setCookieFor(resp, "visited")
		for _, want := range []string{"visited=1", "HttpOnly", "SameSite=Lax", "Max-Age=2592000"} {
			if !strings.Contains(sc, want) {
				t.Errorf("cookie %q lacks %s", sc, want)
			}
		}
		if strings.Contains(sc, "Secure") != secure {
			t.Errorf("secure=%v: cookie %q", secure, sc)
		}
		if secure {
			continue // the jar does not send Secure cookies over http
		}
		if _, body = c.get("/visits"); !strings.Contains(body, "visited this page 2 times.") {
			t.Fatalf("second visit: %q", body)
		}
	}
}

func TestCart(t *testing.T) {
	c := newSite(t, config{}, "").client()
	_, body := c.get("/products?page=24")
	if !strings.Contains(body, "1200 products") || !strings.Contains(body, `action="/cart/add/1200"`) {
		t.Fatal("the last page of the catalogue lacks product 1200")
	}
	// One token for the three adds: fetching a page for each would show
	// (and so consume) the messages of the previous adds.
	form := url.Values{"csrfmiddlewaretoken": {c.token()}}
	resp, _ := c.post("/cart/add/1000", form, true)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cart" {
		t.Fatalf("add: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c.post("/cart/add/1000", form, true)
	c.post("/cart/add/7", form, true)
	_, body = c.get("/cart")
	if got := messagesIn(body); len(got) != 3 || !strings.Contains(got[0], "No. 1000 was added") {
		t.Fatalf("messages %q", got)
	}
	if !strings.Contains(body, `<li class="message message--success cart">`) {
		t.Error("the message's extra tag is not among its CSS classes")
	}
	if !strings.Contains(body, `<td class="qty">2</td>`) || !strings.Contains(body, "Cart (3)") {
		t.Fatal("cart page lacks the quantities")
	}
	_, body = c.get("/api/cart")
	var got struct{ Items map[string]int }
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Items["1000"] != 2 || got.Items["7"] != 1 || len(got.Items) != 2 {
		t.Fatalf("/api/cart = %s", body)
	}
	if resp, _ := c.post("/cart/add/5000", nil, true); resp.StatusCode != 404 {
		t.Fatalf("unknown product: %d", resp.StatusCode)
	}
	if _, body := newSite(t, config{}, "").client().get("/api/cart"); strings.TrimSpace(body) != `{"items":{}}` {
		t.Fatalf("empty cart: %s", body)
	}
}

func TestConcurrentCartAdds(t *testing.T) {
	c := newSite(t, config{}, "").client()
	tok := c.token()
	// The first add starts the session (reading a page does not); the
	// other 99 race on it.
	if resp, _ := c.post("/cart/add/5", nil, true); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first add: %d", resp.StatusCode)
	}
	var wg sync.WaitGroup
	for range 99 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", c.base+"/cart/add/5", nil)
			req.Header.Set("X-CSRFToken", tok)
			req.Header.Set("Accept", "application/json")
			resp, err := c.http.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	_, body := c.get("/api/cart")
	var got struct{ Items map[string]int }
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Items["5"] != 100 {
		t.Fatalf("/api/cart = %s (%v), want 100 of product 5", body, err)
	}
}

func TestLoginAndLogout(t *testing.T) {
	c := newSite(t, config{}, "").client()
	c.post("/cart/add/3", nil, true)
	_, body := c.get("/login")
	if !strings.Contains(body, "<code>demo</code>") {
		t.Fatal("login page does not state the demo account")
	}
	oldSession, oldToken := c.cookie("sessionid"), c.token()
	oldCSRF := c.cookie("csrftoken")

	resp, body := c.post("/login", url.Values{"username": {"demo"}, "password": {"wrong"}}, true)
	if resp.StatusCode != 200 || !strings.Contains(strings.Join(messagesIn(body), ""), "Wrong username or password") {
		t.Fatalf("bad password: %d %q", resp.StatusCode, messagesIn(body))
	}

	resp, _ = c.post("/login", url.Values{"username": {"demo"}, "password": {"demo"}, "csrfmiddlewaretoken": {oldToken}}, true)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	sc := setCookieFor(resp, "sessionid")
	if sc == "" || strings.Contains(sc, "Max-Age") {
		t.Fatalf("without remember the session cookie must end with the browser: %q", sc)
	}
	if c.cookie("sessionid") == oldSession || c.cookie("csrftoken") == oldCSRF {
		t.Fatal("login kept the session key or the CSRF secret")
	}
	_, body = c.get("/")
	if !strings.Contains(body, "Log out demo") || !slices.Contains(messagesIn(body), "Welcome back, demo.") {
		t.Fatal("not logged in after login")
	}
	if _, body = c.get("/api/cart"); !strings.Contains(body, `"3":1`) {
		t.Fatalf("cart lost at login: %s", body)
	}
	// The token from before the login is now refused.
	resp, _ = c.post("/posts/new", url.Values{"title": {"x"}, "csrfmiddlewaretoken": {oldToken}}, true)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("pre-login token after rotation: %d, want 403", resp.StatusCode)
	}

	c.get("/visits")
	resp, _ = c.post("/logout", nil, true)
	if resp.StatusCode != http.StatusFound || !strings.Contains(setCookieFor(resp, "visited"), "Max-Age=0") {
		t.Fatalf("logout: %d, visited %q", resp.StatusCode, setCookieFor(resp, "visited"))
	}
	_, body = c.get("/")
	if strings.Contains(body, "Log out demo") || !slices.Contains(messagesIn(body), "You have been logged out.") {
		t.Fatal("still logged in after logout")
	}
	if _, body = c.get("/api/cart"); strings.TrimSpace(body) != `{"items":{}}` {
		t.Fatalf("logout kept the cart: %s", body)
	}
}

func TestLoginRemember(t *testing.T) {
	c := newSite(t, config{}, "").client()
	resp, _ := c.post("/login", url.Values{"username": {"demo"}, "password": {"demo"}, "remember": {"1"}}, true)
	if sc := setCookieFor(resp, "sessionid"); !strings.Contains(sc, "Max-Age=1209600") {
		t.Fatalf("remember: session cookie %q, want two weeks", sc)
	}
}

func TestAPIPosts(t *testing.T) {
	c := newSite(t, config{}, "").client()
	tok := c.token()
	body := `{"title":"From fetch","body":"hi"}`
	resp, out := c.do("POST", "/api/posts", strings.NewReader(body), "Content-Type", "application/json", "Origin", c.base, "Sec-Fetch-Site", "same-origin", "X-CSRFToken", c.cookie("csrftoken"))
	if resp.StatusCode != http.StatusCreated || !strings.Contains(out, `"title":"From fetch"`) {
		t.Fatalf("with the cookie's value in X-CSRFToken: %d %s", resp.StatusCode, out)
	}
	resp, _ = c.do("POST", "/api/posts", strings.NewReader(body), "Content-Type", "application/json", "X-CSRFToken", tok)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("with a masked token: %d", resp.StatusCode)
	}
	resp, _ = c.do("POST", "/api/posts", strings.NewReader(body), "Content-Type", "application/json", "Origin", c.base, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("without X-CSRFToken: %d, want 403", resp.StatusCode)
	}
	resp, out = c.do("POST", "/api/posts", strings.NewReader(`{"title":""}`), "Content-Type", "application/json", "X-CSRFToken", tok)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out, "title") {
		t.Fatalf("invalid JSON post: %d %s", resp.StatusCode, out)
	}
	resp, _ = c.do("POST", "/api/posts", strings.NewReader(`not json`), "Content-Type", "application/json", "X-CSRFToken", tok)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed JSON: %d", resp.StatusCode)
	}
}

func TestDjangoMode(t *testing.T) {
	s := newSite(t, config{Django: true}, "?table=django_session")
	c := s.client()
	resp, _ := c.post("/posts/new", url.Values{"title": {"Django mode"}}, true)
	_, body := c.get(resp.Header.Get("Location"))
	if !slices.Contains(messagesIn(body), "The post has been saved.") {
		t.Fatalf("Django mode: messages %q", messagesIn(body))
	}
	if len(c.cookie("csrftoken")) != 64 {
		t.Fatalf("Django-mode csrftoken %q, want a masked 64-character token (Django 3.2)", c.cookie("csrftoken"))
	}
}

func TestSecretKeyGeneratedOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "blog.secret")
	t.Setenv("TETHER_SECRET_KEY", "")
	k1, err := loadSecretKey("", file)
	if err != nil || len(k1) < 50 {
		t.Fatalf("generated key %q, %v", k1, err)
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", info.Mode().Perm())
	}
	k2, _ := loadSecretKey("", file)
	if string(k1) != string(k2) {
		t.Fatal("a second start generated another key")
	}
	t.Setenv("TETHER_SECRET_KEY", "from the environment")
	if k, _ := loadSecretKey("", file); string(k) != "from the environment" {
		t.Fatalf("env ignored: %q", k)
	}
	if k, _ := loadSecretKey("from the flag", file); string(k) != "from the flag" {
		t.Fatalf("flag ignored: %q", k)
	}
}

// run starts with no service, reports its address, serves, and stops
// when its context ends.
func TestRunServesAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, options{Addr: "127.0.0.1:0", Store: "sqlite:" + filepath.Join(dir, "blog.db"), Messages: "fallback"})
	for _, f := range []string{"blog.db", "blog.secret"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestBadMessagesFlag(t *testing.T) {
	if _, err := newMessages(config{SecretKey: []byte("k"), Messages: "carrier-pigeon"}); err == nil {
		t.Fatal("unknown -messages accepted")
	}
}

// -django points the store at Django's table, in a tiered DSN on the
// database behind the cache, and refuses stores that cannot hold it with
// an error that says why.
func TestDjangoDSN(t *testing.T) {
	for in, want := range map[string]string{
		"sqlite:blog.db":                                "sqlite:blog.db?table=django_session",
		"sqlite:blog.db?table=django_session":           "sqlite:blog.db?table=django_session",
		"postgres://u@h/db?sslmode=disable":             "postgres://u@h/db?sslmode=disable&table=django_session",
		"tiered:redis://h:6379/0?prefix=p:+sqlite:a.db": "tiered:redis://h:6379/0?prefix=p:+sqlite:a.db?table=django_session",
		"tiered:memory:+mysql://u@h/db?tls=true":        "tiered:memory:+mysql://u@h/db?tls=true&table=django_session",
	} {
		if got, err := djangoDSN(in); err != nil || got != want {
			t.Errorf("djangoDSN(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"memory:", "cookie:", "file:/tmp/s", "redis://h:6379/0?prefix=p:", "tiered:redis://h:6379/0+file:/tmp/s"} {
		if _, err := djangoDSN(in); err == nil || !strings.Contains(err.Error(), "SQL") {
			t.Errorf("djangoDSN(%q): %v, want an error asking for a SQL store", in, err)
		}
	}
}

// A tiered store with -django keeps Django's table in the database
// behind the cache. The flag used to add the table to the end of the
// whole DSN, which went wrong when the cache's URL had options of its own
// (redis://…?prefix=app:): the query stands in for those here.
func TestRunDjangoTiered(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // the posts go to blog.db in the working directory
	sessions := filepath.Join(dir, "sessions.db")
	runOnce(t, options{Addr: "127.0.0.1:0", Store: "tiered:memory:?opt=1+sqlite:" + sessions,
		SecretKey: "a test secret key that is long enough for the demo, 0123456789", Django: true})
	db, err := openDB(sessions)
	if err != nil {
		t.Fatal(err)
	}
	defer db.close()
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM django_session`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("django_session in the database behind the cache: %d rows, %v", n, err)
	}
}

// A post's body keeps its line breaks: the page shows it as written (in
// a .body block that the stylesheet renders with white-space: pre-wrap),
// not as one run-on paragraph.
func TestPostBodyKeepsLineBreaks(t *testing.T) {
	c := newSite(t, config{}, "").client()
	resp, _ := c.post("/posts/new", url.Values{"title": {"Lines"}, "body": {"first paragraph\n\nsecond <paragraph>"}}, true)
	_, body := c.get(resp.Header.Get("Location"))
	if !strings.Contains(body, `<div class="body">first paragraph`+"\n\n"+`second &lt;paragraph&gt;</div>`) {
		t.Fatalf("post body not rendered as written:\n%s", body)
	}
	_, css := c.get("/static/style.css")
	if !regexp.MustCompile(`(?m)^\.body \{[^}]*white-space: pre-wrap`).MatchString(css) {
		t.Fatal("the stylesheet collapses the line breaks of a post's body")
	}
}

// The proxy flags: a trusted proxy's X-Forwarded-Proto makes the cookies
// Secure (and HSTS-free headers stay as they are), the same header from
// anyone else is ignored, and a Host not in -allowed-hosts gets 400.
func TestProxySetting(t *testing.T) {
	s := newSite(t, config{TrustedProxies: []string{"127.0.0.1", "::1"}, AllowedHosts: []string{"127.0.0.1", "blog.example"}}, "")
	c := s.client()
	resp, _ := c.do("GET", "/posts/new", nil, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "blog.example")
	if sc := setCookieFor(resp, "csrftoken"); !strings.Contains(sc, "; Secure") {
		t.Fatalf("behind a trusted TLS proxy the csrftoken cookie is not Secure: %q", sc)
	}
	// Reading a page makes no session: an add to the cart does. The
	// Secure csrftoken cookie is not sent back over http:// by the jar,
	// so the test sends it itself.
	secret := strings.TrimPrefix(strings.SplitN(setCookieFor(resp, "csrftoken"), ";", 2)[0], "csrftoken=")
	resp, _ = c.do("POST", "/cart/add/3", nil, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "blog.example",
		"Origin", "https://blog.example", "Cookie", "csrftoken="+secret, "X-CSRFToken", secret, "Accept", "application/json")
	if sc := setCookieFor(resp, "sessionid"); resp.StatusCode != 200 || !strings.Contains(sc, "; Secure") {
		t.Fatalf("behind a trusted TLS proxy the session cookie is not Secure: %d %q", resp.StatusCode, sc)
	}
	resp, _ = c.do("GET", "/posts/new", nil, "X-Forwarded-Host", "evil.example")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("forwarded Host outside -allowed-hosts: %d, want 400", resp.StatusCode)
	}

	// The same headers from a peer that is not trusted change nothing.
	u := newSite(t, config{AllowedHosts: []string{"127.0.0.1"}}, "").client()
	resp, _ = u.do("GET", "/posts/new", nil, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example")
	if resp.StatusCode != 200 || strings.Contains(setCookieFor(resp, "csrftoken"), "Secure") {
		t.Fatalf("untrusted forwarded headers: %d, cookie %q", resp.StatusCode, setCookieFor(resp, "csrftoken"))
	}
	req, _ := http.NewRequest("GET", u.base+"/", nil)
	req.Host = "evil.example"
	if resp, err := u.http.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("Host outside -allowed-hosts: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	if _, err := newApp(nil, nil, config{SecretKey: []byte("k"), AllowedHosts: []string{"https://x"}}); err == nil {
		t.Fatal("a bad -allowed-hosts entry was accepted")
	}
}

// runOnce starts run with o, requires GET / to answer 200 and an add to
// the cart to work (the write that starts a session), then ends run's
// context and requires a clean shutdown.
func runOnce(t *testing.T, o options) {
	t.Helper()
	addr, stop := startRun(t, o)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	c := (&site{t: t, srv: &httptest.Server{URL: "http://" + addr}}).client()
	if resp, _ := c.post("/cart/add/1", nil, true); resp.StatusCode != http.StatusSeeOther || c.cookie("sessionid") == "" {
		t.Fatalf("add to cart: %d, sessionid %q", resp.StatusCode, c.cookie("sessionid"))
	}
	stop(30 * time.Second)
}

// startRun starts run with o and returns the address it listens on and
// stop, which ends run's context and requires a clean shutdown within the
// given time.
func startRun(t *testing.T, o options) (addr string, stop func(within time.Duration)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- run(ctx, o, func(a string) { addrc <- a }) }()
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	return addr, func(within time.Duration) {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("shutdown: %v", err)
			}
		case <-time.After(within):
			t.Fatalf("run did not return within %v after its context ended", within)
		}
	}
}
