package main

import (
	"bufio"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Malformed input gets a 4xx (or a page), never a 5xx: paths that are not
// UTF-8 once decoded (which fs.Sub refuses with fs.ErrInvalid, answered
// 500 by http.FileServerFS), traversal, NUL, overlong paths, bad forms,
// bad JSON, bad numbers and garbage cookies, on every route.
func TestMalformedInputNever5xx(t *testing.T) {
	s := newSite(t, config{Logger: slog.New(slog.DiscardHandler)}, "")
	c := s.client()
	tok := c.token()
	long := strings.Repeat("a", 8000)
	form := "application/x-www-form-urlencoded"
	type req struct {
		method, path, ctype, body string
		header                    []string
	}
	var cases []req
	for _, p := range []string{
		"/static/%ff", "/static/%c0%ae%c0%ae/", "/static/%c0%ae%c0%ae/main.go", "/static/%ff%fe/style.css",
		"/static/../main.go", "/static/..%2fmain.go", "/static/%2e%2e/main.go", "/static/%00", "/static/style.css%00",
		"/static/" + long, "/static/" + strings.Repeat("%ff", 2000), "/static/", "/static//style.css", "/static/%5c..%5cmain.go",
		"/%ff", "/posts/%ff", "/posts/-1", "/posts/99999999999999999999", "/posts/0", "/posts/" + long,
		"/products?page=%ff", "/products?page=-5", "/products?page=99999999999999999999", "/products?page=%zz",
		"/visits", "/cart", "/api/cart", "/login", "/posts/new", "/posts/create", "/" + long,
	} {
		cases = append(cases, req{method: "GET", path: p})
	}
	for _, p := range []string{"/posts/new", "/posts/create", "/login", "/logout", "/cart/add/1", "/cart/add/%ff", "/cart/add/-1",
		"/cart/add/99999999999999999999", "/cart/add/999999"} {
		for _, body := range []string{"", "title=%zz&csrfmiddlewaretoken=" + tok, "%ff%fe=%c0%ae&csrfmiddlewaretoken=" + tok,
			"title=" + strings.Repeat("x", 300) + "&csrfmiddlewaretoken=" + tok, "title=a&body=" + strings.Repeat("b", 200_000) + "&csrfmiddlewaretoken=" + tok,
			"csrfmiddlewaretoken=" + tok + "&title=%00%0a&username=%ff&password=%00", "csrfmiddlewaretoken=" + strings.Repeat("%ff", 100)} {
			cases = append(cases, req{method: "POST", path: p, ctype: form, body: body})
		}
		cases = append(cases,
			req{method: "POST", path: p, ctype: "multipart/form-data; boundary=x", body: "--x\r\nbroken", header: []string{"X-CSRFToken", tok}},
			req{method: "POST", path: p, ctype: "multipart/form-data", body: "no boundary", header: []string{"X-CSRFToken", tok}},
			req{method: "POST", path: p, ctype: form, body: strings.Repeat("a=b&", 300_000)}, // 1.2 MB of fields
		)
	}
	for _, body := range []string{"", "not json", "{", `{"title":5}`, `{"title":"` + "\xff\xfe" + `"}`, `{"title":"x","body":` + strings.Repeat("[", 100_000) + `}`,
		`{"title":"` + strings.Repeat("t", 2<<20) + `"}`, `[1,2,3]`, `{"title":"ok"} trailing`, `null`} {
		cases = append(cases, req{method: "POST", path: "/api/posts", ctype: "application/json", body: body, header: []string{"X-CSRFToken", tok}})
	}
	for _, ck := range []string{"sessionid=garbage", "sessionid=" + long, "messages=tampered:xx", "csrftoken=short",
		"csrftoken=" + strings.Repeat("!", 64), "visited=-5", "visited=99999999999999999999", "visited=%ff",
		"sessionid=%00; messages=%ff; csrftoken=%c0%ae"} {
		cases = append(cases, req{method: "GET", path: "/", header: []string{"Cookie", ck}},
			req{method: "GET", path: "/visits", header: []string{"Cookie", ck}},
			req{method: "POST", path: "/cart/add/1", ctype: form, body: "csrfmiddlewaretoken=" + tok, header: []string{"Cookie", ck}})
	}
	for _, tc := range cases {
		r, err := http.NewRequest(tc.method, s.srv.URL+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if tc.ctype != "" {
			r.Header.Set("Content-Type", tc.ctype)
		}
		r.Header.Set("Origin", s.srv.URL)
		for i := 0; i+1 < len(tc.header); i += 2 {
			r.Header.Set(tc.header[i], tc.header[i+1])
		}
		if r.Header.Get("Cookie") == "" {
			u, _ := url.Parse(s.srv.URL)
			for _, ck := range c.http.Jar.Cookies(u) {
				r.AddCookie(ck)
			}
		}
		resp, err := c.http.Do(r)
		if err != nil {
			t.Fatalf("%s %.80s: %v", tc.method, tc.path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %.80s (%.60q, %.60q): %d", tc.method, tc.path, tc.body, tc.header, resp.StatusCode)
		}
	}
	// The static files are still served, and nothing outside static/.
	for p, want := range map[string]int{"/static/style.css": 200, "/static/%ff": 404, "/static/%c0%ae%c0%ae/": 404} {
		if resp, _ := c.get(p); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", p, resp.StatusCode, want)
		}
	}
}

// Pages that only read never create a session: a visitor without cookies
// (a bot) loading every read page many times leaves no record in the
// store and gets no sessionid cookie. The first write (an add to the cart)
// does create one, which shows the count is real.
func TestReadPagesCreateNoSession(t *testing.T) {
	dir := t.TempDir()
	sessions := filepath.Join(dir, "sessions")
	if err := os.Mkdir(sessions, 0o700); err != nil {
		t.Fatal(err)
	}
	s := newSiteOn(t, config{}, "file:"+sessions, filepath.Join(dir, "blog.db"))
	records := func() int {
		n := 0
		filepath.WalkDir(sessions, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	// A post to read, written by another visitor (whose session is not
	// counted: the post form sends no session of its own).
	writer := s.client()
	resp, _ := writer.post("/posts/create", url.Values{"title": {"A post"}}, true)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	before := records()
	pages := []string{"/", "/posts/new", "/posts/create", "/products", "/products?page=2", "/cart", "/api/cart", "/login", "/visits", "/static/style.css"}
	const n = 20
	for i := 0; i < n; i++ {
		for _, p := range pages {
			bot := s.client()
			resp, _ := bot.get(p)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", p, resp.StatusCode)
			}
			if sc := setCookieFor(resp, "sessionid"); sc != "" {
				t.Fatalf("%s sent a session cookie to a visitor who stored nothing: %s", p, sc)
			}
		}
	}
	if got := records(); got != before {
		t.Fatalf("%d cookie-less GETs of the read pages made %d session records", n*len(pages), got-before)
	}
	// The same visitor with its cookies (csrftoken, visited) still stores
	// nothing by reading.
	c := s.client()
	for _, p := range pages {
		c.get(p)
	}
	if c.cookie("sessionid") != "" || records() != before {
		t.Fatal("a visitor with cookies got a session by reading")
	}
	c.post("/cart/add/1", nil, true)
	if c.cookie("sessionid") == "" || records() != before+1 {
		t.Fatalf("adding to the cart: sessionid %q, %d new records", c.cookie("sessionid"), records()-before)
	}
}

// The visited cookie is the client's: a value that is no count counts as
// none, and the largest count does not overflow.
func TestVisitedCookieIsTheClients(t *testing.T) {
	c := newSite(t, config{}, "").client()
	for v, want := range map[string]string{"-4": "0", "x": "0", "9223372036854775807": "9223372036854775807"} {
		resp, body := c.do("GET", "/visits", nil, "Cookie", "visited="+v)
		if resp.StatusCode != 200 || !strings.Contains(body, "You have visited this page") {
			t.Fatalf("visited=%s: %d %q", v, resp.StatusCode, body)
		}
		if v == "9223372036854775807" && !strings.Contains(setCookieFor(resp, "visited"), "visited="+want) {
			t.Fatalf("the counter overflowed: %s", setCookieFor(resp, "visited"))
		}
	}
}

// The two post forms keep the tutorial's texts: the function view flashes
// exactly "The post has been saved.", the class-based view's success
// message is built from the post ("%(title)s post saved.").
func TestPostFormsKeepTheTutorialsTexts(t *testing.T) {
	c := newSite(t, config{}, "").client()
	for path, want := range map[string]string{"/posts/new": "The post has been saved.", "/posts/create": "Hello &lt;world&gt; post saved."} {
		_, form := c.get(path)
		if !strings.Contains(form, `action="`+path+`"`) {
			t.Fatalf("the form of %s posts elsewhere", path)
		}
		resp, _ := c.post(path, url.Values{"title": {"Hello <world>"}}, true)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		_, body := c.get(resp.Header.Get("Location"))
		if got := messagesIn(body); len(got) != 1 || got[0] != want {
			t.Fatalf("%s flashed %q, want %q", path, got, want)
		}
		_, body = c.post(path, url.Values{"title": {" "}}, true)
		if got := messagesIn(body); len(got) != 1 || got[0] != "Please check the input again." || !strings.Contains(body, `action="`+path+`"`) {
			t.Fatalf("%s invalid: %q", path, got)
		}
	}
}

// The server has timeouts: a POST that announces a body and never sends
// it is cut off (small limits here, the defaults are seconds), and so is
// a client that never finishes its headers; a stuck client does not hold
// up shutdown.
func TestSlowClientsAreCutOff(t *testing.T) {
	dir := t.TempDir()
	addr, stop := startRun(t, options{Addr: "127.0.0.1:0", Store: "sqlite:" + filepath.Join(dir, "blog.db"),
		Limits: limits{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond, Write: time.Second, Idle: time.Second, MaxHeaderBytes: 4 << 10}})
	for name, start := range map[string]string{
		"body never sent":      "POST /api/posts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
		"headers never ending": "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(20 * time.Second)) // the test's own guard
		if _, err := io.WriteString(conn, start); err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(bufio.NewReader(conn)) // ends when the server closes the connection
		conn.Close()
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("%s: the server kept the connection open", name)
		}
	}
	// Headers over MaxHeaderBytes get 431.
	req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("b", 8<<10))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("big headers: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// A stuck client is open while the server shuts down.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /api/posts HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	stop(9 * time.Second) // under the 10 s grace period: the stuck client was cut off first
}

// The defaults are set: every limit non-zero.
func TestDefaultLimits(t *testing.T) {
	srv := newServer(http.NotFoundHandler(), limits{})
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Fatalf("%+v", srv)
	}
}
