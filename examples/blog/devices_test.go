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
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

// User agents of the three "devices" the tests log in from.
const (
	firefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	chromeAndroid  = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	curlAgent      = "curl/8.5.0"
)

// agentTransport sends every request with its User-Agent.
type agentTransport struct{ agent string }

func (t agentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.agent)
	return http.DefaultTransport.RoundTrip(r)
}

// deviceClient is a client of s that sends agent, logged in as demo.
func deviceClient(s *site, agent string) *client {
	s.t.Helper()
	c := s.client()
	c.http.Transport = agentTransport{agent}
	c.logIn()
	return c
}

// logIn logs the client in as demo and checks that it worked.
func (c *client) logIn() {
	c.t.Helper()
	if resp, _ := c.post("/login", url.Values{"username": {"demo"}, "password": {"demo"}}, true); resp.StatusCode != http.StatusFound {
		c.t.Fatalf("login: %d", resp.StatusCode)
	}
	if !c.loggedIn() {
		c.t.Fatal("not logged in after login")
	}
}

func (c *client) loggedIn() bool {
	c.t.Helper()
	_, body := c.get("/")
	return strings.Contains(body, "Log out demo")
}

var deviceRowRE = regexp.MustCompile(`<tr id="device-([0-9a-f]{64})"( class="current")?>\s*<td><span title="([^"]*)">([^<]*)</span>`)

// listed is one row of the page, as a client sees it.
type listed struct {
	id, device string
	current    bool
}

// devicesPage fetches /account/sessions and returns its rows and body.
func (c *client) devicesPage() ([]listed, string) {
	c.t.Helper()
	resp, body := c.get("/account/sessions")
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("/account/sessions: %d", resp.StatusCode)
	}
	var rows []listed
	for _, m := range deviceRowRE.FindAllStringSubmatch(body, -1) {
		rows = append(rows, listed{id: m[1], device: m[4], current: m[2] != ""})
	}
	return rows, body
}

// currentID is the ID the page marks "this device" for the client.
func (c *client) currentID() string {
	c.t.Helper()
	rows, body := c.devicesPage()
	for _, r := range rows {
		if r.current {
			return r.id
		}
	}
	c.t.Fatalf("no row marked current:\n%s", body)
	return ""
}

// postAndFollow posts a form and returns the messages on the page it
// redirects to.
func (c *client) postAndFollow(path string, want int) []string {
	c.t.Helper()
	resp, _ := c.post(path, nil, true)
	if resp.StatusCode != want {
		c.t.Fatalf("POST %s: %d, want %d", path, resp.StatusCode, want)
	}
	_, body := c.get(resp.Header.Get("Location"))
	return messagesIn(body)
}

func TestDevicesListAndRevoke(t *testing.T) {
	s := newSite(t, config{}, "")
	a := deviceClient(s, firefoxWindows)
	b := deviceClient(s, chromeAndroid)
	c := deviceClient(s, curlAgent)

	rows, body := a.devicesPage()
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3:\n%s", len(rows), body)
	}
	var devices []string
	current := 0
	for _, r := range rows {
		devices = append(devices, r.device)
		if r.current {
			current++
		}
	}
	if !rows[0].current || rows[0].device != "Firefox 133 on Windows" {
		t.Errorf("the first row is %+v, want A's, marked current", rows[0])
	}
	slices.Sort(devices)
	if want := []string{"Chrome 131 on Android", "Firefox 133 on Windows", "curl 8"}; !slices.Equal(devices, want) {
		t.Errorf("devices %q, want %q", devices, want)
	}
	if current != 1 || strings.Count(body, "this device") != 1 {
		t.Errorf("%d rows marked current, %d \"this device\"", current, strings.Count(body, "this device"))
	}
	if !strings.Contains(body, "127.0.0.1") || !strings.Contains(body, `title="`+firefoxWindows+`"`) {
		t.Error("the page lacks the IP or the full user agent")
	}
	// Every session was used at login: none shows an unknown last use.
	if n := regexp.MustCompile(`<td( class="when")?>—</td>`).FindAllString(body, -1); len(n) != 0 {
		t.Errorf("%d unknown cells (IP or last seen)", len(n))
	}
	if !strings.Contains(body, `<a href="/account/sessions" id="sessions-link">`) {
		t.Error("no Sessions link in the nav")
	}

	// A signs out B: B's next request is logged out, C's is not.
	idB := b.currentID()
	if got := a.postAndFollow("/account/sessions/"+idB+"/revoke", http.StatusFound); !slices.Equal(got, []string{"Signed out Chrome 131 on Android (127.0.0.1)."}) {
		t.Errorf("revoke: messages %q", got)
	}
	if b.loggedIn() {
		t.Fatal("B is still logged in after being signed out")
	}
	if !c.loggedIn() || !a.loggedIn() {
		t.Fatal("signing out B signed out another device")
	}
	if rows, _ = a.devicesPage(); len(rows) != 2 {
		t.Fatalf("%d rows after revoking B, want 2", len(rows))
	}
	// The same ID again: nothing left to end.
	if got := a.postAndFollow("/account/sessions/"+idB+"/revoke", http.StatusFound); !slices.Equal(got, []string{"That session had already ended."}) {
		t.Errorf("revoke again: messages %q", got)
	}

	// Sign out all others: only A remains.
	if got := a.postAndFollow("/account/sessions/revoke-others", http.StatusFound); !slices.Equal(got, []string{"Signed out 1 other device."}) {
		t.Errorf("revoke others: messages %q", got)
	}
	if c.loggedIn() {
		t.Fatal("C is still logged in")
	}
	if !a.loggedIn() {
		t.Fatal("signing out the others signed out this device")
	}
	if rows, _ = a.devicesPage(); len(rows) != 1 || !rows[0].current {
		t.Fatalf("rows after revoking the others: %+v", rows)
	}
	if got := a.postAndFollow("/account/sessions/revoke-others", http.StatusFound); !slices.Equal(got, []string{"No other device was signed in."}) {
		t.Errorf("revoke others again: messages %q", got)
	}

	// B logs in again: a new session, listed anew.
	b.logIn()
	if rows, _ = a.devicesPage(); len(rows) != 2 {
		t.Fatalf("%d rows after B logged in again, want 2", len(rows))
	}
}

func TestDevicesSignOutThisDevice(t *testing.T) {
	s := newSite(t, config{}, "")
	a := deviceClient(s, firefoxWindows)
	b := deviceClient(s, curlAgent)
	if got := a.postAndFollow("/account/sessions/"+a.currentID()+"/revoke", http.StatusFound); !slices.Equal(got, []string{"You have been logged out."}) {
		t.Errorf("signing out this device: messages %q", got)
	}
	if a.loggedIn() || !b.loggedIn() {
		t.Fatal("signing out this device: A should be logged out, B not")
	}
	if rows, _ := b.devicesPage(); len(rows) != 1 || !rows[0].current {
		t.Fatalf("B's rows: %+v", rows)
	}
}

func TestDevicesNeedLogin(t *testing.T) {
	s := newSite(t, config{}, "")
	anon := s.client()
	resp, _ := anon.get("/account/sessions")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login" {
		t.Fatalf("anonymous GET: %d to %q, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := anon.get("/login")
	if got := messagesIn(body); !slices.Equal(got, []string{"Log in to see where you are signed in."}) {
		t.Errorf("login page messages %q", got)
	}
	if strings.Contains(body, `id="sessions-link"`) {
		t.Error("the Sessions link shows to an anonymous visitor")
	}
	// The forms too (with a valid token: the login check, not CSRF).
	victim := deviceClient(s, curlAgent)
	id := victim.currentID()
	for _, path := range []string{"/account/sessions/revoke-others", "/account/sessions/" + id + "/revoke"} {
		resp, _ := anon.post(path, nil, true)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login" {
			t.Errorf("anonymous POST %s: %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if !victim.loggedIn() {
		t.Fatal("an anonymous POST signed a device out")
	}
}

func TestDevicesFormsNeedCSRFToken(t *testing.T) {
	s := newSite(t, config{}, "")
	a := deviceClient(s, firefoxWindows)
	b := deviceClient(s, curlAgent)
	idB := b.currentID()
	for _, path := range []string{"/account/sessions/revoke-others", "/account/sessions/" + idB + "/revoke"} {
		if resp, _ := a.post(path, nil, false); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a token: %d, want 403", path, resp.StatusCode)
		}
		// A token, but from another site's page: the Origin check refuses it.
		form := url.Values{"csrfmiddlewaretoken": {a.token()}}
		resp, _ := a.do("POST", path, strings.NewReader(form.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if !b.loggedIn() {
		t.Fatal("a forged POST signed B out")
	}
}

// An ID of another user's session, posted by demo, ends nothing: the
// index is per user.
func TestDevicesRevokeOtherUsersSession(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "blog.db")
	s := newSiteOn(t, config{}, "sqlite:"+path, path)
	a := deviceClient(s, firefoxWindows)

	// Another user's session in the same store, through a second Manager
	// set up as the demo's.
	store, err := dsn.Open("sqlite:"+path, dsn.Options{SecretKey: s.key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := &session.Manager{SecretKey: s.key}
	store.Configure(m)
	if !trackDevices(m, store, false) {
		t.Fatal("no index on SQLite")
	}
	other := httptest.NewServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		if r.URL.Path == "/login" {
			if err := s.SetUser("mallory"); err != nil {
				t.Error(err)
			}
			s.Set("user", "mallory")
			return
		}
		io.WriteString(w, s.ID())
	})))
	t.Cleanup(other.Close)
	jar, _ := cookiejar.New(nil)
	mallory := &http.Client{Jar: jar}
	fetch := func(path string) string {
		resp, err := mallory.Get(other.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	fetch("/login")
	id := fetch("/id")
	if len(id) != 64 {
		t.Fatalf("mallory's session ID %q", id)
	}

	rows, _ := a.devicesPage()
	if len(rows) != 1 {
		t.Fatalf("demo sees %d rows, want only its own", len(rows))
	}
	if got := a.postAndFollow("/account/sessions/"+id+"/revoke", http.StatusFound); !slices.Equal(got, []string{"That session had already ended."}) {
		t.Errorf("messages %q", got)
	}
	a.postAndFollow("/account/sessions/revoke-others", http.StatusFound)
	ctx := context.Background()
	if list, err := m.SessionsOf(ctx, "mallory"); err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("mallory's sessions after demo's revokes: %+v, %v", list, err)
	}
	if got := fetch("/id"); got != id {
		t.Fatalf("mallory's session ended: ID now %q", got)
	}
	// And Manager.Revoke itself, under demo's name, leaves it alone.
	if err := m.Revoke(ctx, "demo", id); err != nil {
		t.Fatal(err)
	}
	if got := fetch("/id"); got != id {
		t.Fatal("Revoke as demo ended mallory's session")
	}
}

func TestDevicesMalformedID(t *testing.T) {
	s := newSite(t, config{}, "")
	a := deviceClient(s, firefoxWindows)
	for _, id := range []string{"x", strings.Repeat("A", 64), strings.Repeat("0", 65), "%3Cscript%3E", strings.Repeat("f", 5000)} {
		if got := a.postAndFollow("/account/sessions/"+id+"/revoke", http.StatusFound); !slices.Equal(got, []string{"That session had already ended."}) {
			t.Errorf("ID %.20q: messages %q", id, got)
		}
	}
	if !a.loggedIn() {
		t.Fatal("a malformed ID logged the user out")
	}
}

func TestDevicesEscapeTheUserAgent(t *testing.T) {
	s := newSite(t, config{}, "")
	evil := `<script>alert(1)</script>" onmouseover="x`
	deviceClient(s, evil)
	a := deviceClient(s, firefoxWindows)
	_, body := a.devicesPage()
	if strings.Contains(body, "<script>alert") || strings.Contains(body, `" onmouseover="`) {
		t.Fatalf("the user agent is not escaped:\n%s", body)
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("the escaped user agent is missing")
	}
}

// With the cookie: store there are no server records to list or end: the
// page says so, and login still works.
func TestDevicesCookieStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blog.db")
	s := newSiteOn(t, config{}, "cookie:", path)
	a := deviceClient(s, firefoxWindows)
	rows, body := a.devicesPage()
	if len(rows) != 0 || !strings.Contains(body, `id="devices-unavailable"`) || !strings.Contains(body, "(cookie:)") {
		t.Fatalf("cookie store page:\n%s", body)
	}
	if got := a.postAndFollow("/account/sessions/revoke-others", http.StatusFound); !slices.Equal(got, []string{"This store cannot sign out other devices."}) {
		t.Errorf("revoke others: messages %q", got)
	}
	if !a.loggedIn() {
		t.Fatal("logged out")
	}
}

func TestDevicesDjangoMode(t *testing.T) {
	s := newSite(t, config{Django: true}, "?table=django_session")
	a := deviceClient(s, firefoxWindows)
	if _, body := a.devicesPage(); !strings.Contains(body, "(-django)") {
		t.Fatalf("django page:\n%s", body)
	}
}

func TestDescribeAgent(t *testing.T) {
	for ua, want := range map[string]string{
		firefoxWindows: "Firefox 133 on Windows",
		chromeAndroid:  "Chrome 131 on Android",
		curlAgent:      "curl 8",
		"":             "Unknown device",
		"   ":          "Unknown device",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15":                   "Safari 18 on macOS",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1": "Safari 18 on iPhone",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0":           "Edge 131 on Windows",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36":                       "Headless Chrome 131 on Linux",
		"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                          "Chrome 131 on ChromeOS",
		"Go-http-client/1.1":                                 "Go HTTP client 1",
		"Mozilla/5.0 (X11; Linux x86_64)":                    "A browser on Linux",
		"Version/99999999999":                                "Version/99999999999", // no Safari token: not Safari
		"Firefox/99999999999":                                "Firefox",             // an absurd version is left out
		"SomeBot/1.0 (+https://example.com/a/very/long/url)": "SomeBot/1.0 (+https://example.com/a/very…",
	} {
		if got := describeAgent(ua); got != want {
			t.Errorf("describeAgent(%q) = %q, want %q", ua, got, want)
		}
	}
}

// FuzzDescribeAgent: any user agent gives a short, valid description.
func FuzzDescribeAgent(f *testing.F) {
	for _, ua := range []string{firefoxWindows, chromeAndroid, curlAgent, "", "Firefox/", "Version/1 Safari/", "\xff\xfeChrome/1", strings.Repeat("é", 300), "Edg/Edg/Edg/", "Windows\x00Linux"} {
		f.Add(ua)
	}
	f.Fuzz(func(t *testing.T, ua string) {
		got := describeAgent(ua)
		if got == "" || utf8.RuneCountInString(got) > maxDevice+1 || !utf8.ValidString(got) {
			t.Fatalf("describeAgent(%q) = %q", ua, got)
		}
	})
}

// The stores that keep their records get the index; the cookie: store
// and memcached (which may evict the index) do not.
func TestTrackDevicesStores(t *testing.T) {
	dir := t.TempDir()
	for storeDSN, want := range map[string]bool{
		"memory:":                                true,
		"file:" + dir:                            true,
		"sqlite:" + filepath.Join(dir, "s.db"):   true,
		"cookie:":                                false,
		"memcached://127.0.0.1:1":                false,
		"tiered:memory:+sqlite:" + dir + "/t.db": true,
	} {
		store, err := dsn.Open(storeDSN, dsn.Options{SecretKey: []byte("a test secret key that is long enough for the demo, 0123456789")})
		if err != nil {
			t.Fatalf("%s: %v", storeDSN, err)
		}
		m := &session.Manager{SecretKey: []byte("k")}
		store.Configure(m)
		if got := trackDevices(m, store, false); got != want || (m.Users != nil) != want || m.RecordClient != want {
			t.Errorf("%s: index %v, want %v", storeDSN, got, want)
		}
		if want && trackDevices(&session.Manager{SecretKey: []byte("k"), Store: m.Store}, store, true) {
			t.Errorf("%s: an index in Django mode", storeDSN)
		}
		store.Close()
	}
}
