package cookie

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// setCookieLines returns the raw Set-Cookie lines written to rec.
func setCookieLines(rec *httptest.ResponseRecorder) []string {
	return rec.Header().Values("Set-Cookie")
}

// onlySetCookie parses the single Set-Cookie line written to rec.
func onlySetCookie(t *testing.T, rec *httptest.ResponseRecorder) (*http.Cookie, string) {
	t.Helper()
	lines := setCookieLines(rec)
	if len(lines) != 1 {
		t.Fatalf("got %d Set-Cookie lines %q, want 1", len(lines), lines)
	}
	c, err := http.ParseSetCookie(lines[0])
	if err != nil {
		t.Fatalf("http.ParseSetCookie(%q): %v", lines[0], err)
	}
	return c, lines[0]
}

// requestWith returns a GET request carrying one Cookie header per line.
func requestWith(lines ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/page", nil)
	for _, l := range lines {
		r.Header.Add("Cookie", l)
	}
	return r
}

// forward returns a request carrying back, as a browser would, every cookie
// rec set. It does not need a *testing.T so goroutines can use it.
func forward(rec *httptest.ResponseRecorder) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/page", nil)
	for _, c := range rec.Result().Cookies() {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return r
}

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(unix int64) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(unix * int64(time.Second))
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestSetAttributes(t *testing.T) {
	cases := []struct {
		desc    string
		name    string
		opts    Options
		wantRaw string
		// fields expected from http.ParseSetCookie
		path     string
		domain   string
		secure   bool
		httpOnly bool
		sameSite http.SameSite // 0: attribute absent
	}{
		{
			desc: "zero options", name: "sid", opts: Options{},
			wantRaw: "sid=abc; Path=/; HttpOnly; SameSite=Lax",
			path:    "/", httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "domain", name: "sid", opts: Options{Domain: "example.com"},
			wantRaw: "sid=abc; Path=/; Domain=example.com; HttpOnly; SameSite=Lax",
			path:    "/", domain: "example.com", httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "domain with leading dot", name: "sid", opts: Options{Domain: ".example.com"},
			wantRaw: "sid=abc; Path=/; Domain=example.com; HttpOnly; SameSite=Lax",
			path:    "/", domain: "example.com", httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "path", name: "sid", opts: Options{Path: "/app"},
			wantRaw: "sid=abc; Path=/app; HttpOnly; SameSite=Lax",
			path:    "/app", httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "secure", name: "sid", opts: Options{Secure: true},
			wantRaw: "sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax",
			path:    "/", secure: true, httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "script readable drops HttpOnly", name: "csrftoken", opts: Options{ScriptReadable: true},
			wantRaw: "csrftoken=abc; Path=/; SameSite=Lax",
			path:    "/", sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "explicit lax", name: "sid", opts: Options{SameSite: http.SameSiteLaxMode},
			wantRaw: "sid=abc; Path=/; HttpOnly; SameSite=Lax",
			path:    "/", httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "strict", name: "sid", opts: Options{SameSite: http.SameSiteStrictMode},
			wantRaw: "sid=abc; Path=/; HttpOnly; SameSite=Strict",
			path:    "/", httpOnly: true, sameSite: http.SameSiteStrictMode,
		},
		{
			desc: "none forces secure", name: "sid", opts: Options{SameSite: http.SameSiteNoneMode},
			wantRaw: "sid=abc; Path=/; HttpOnly; Secure; SameSite=None",
			path:    "/", secure: true, httpOnly: true, sameSite: http.SameSiteNoneMode,
		},
		{
			desc: "default mode omits SameSite", name: "sid", opts: Options{SameSite: http.SameSiteDefaultMode},
			wantRaw: "sid=abc; Path=/; HttpOnly",
			path:    "/", httpOnly: true,
		},
		{
			desc: "__Secure- prefix forces secure", name: "__Secure-sid", opts: Options{},
			wantRaw: "__Secure-sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax",
			path:    "/", secure: true, httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "__Host- prefix forces secure", name: "__Host-sid", opts: Options{},
			wantRaw: "__Host-sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax",
			path:    "/", secure: true, httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "negative max age is a session cookie", name: "sid", opts: Options{MaxAge: -time.Hour},
			wantRaw: "sid=abc; Path=/; HttpOnly; SameSite=Lax",
			path:    "/", httpOnly: true, sameSite: http.SameSiteLaxMode,
		},
		{
			desc: "everything", name: "sid",
			opts: Options{
				Path: "/a", Domain: "example.org", Secure: true,
				ScriptReadable: true, SameSite: http.SameSiteStrictMode,
			},
			wantRaw: "sid=abc; Path=/a; Domain=example.org; Secure; SameSite=Strict",
			path:    "/a", domain: "example.org", secure: true, sameSite: http.SameSiteStrictMode,
		},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := Set(rec, tc.name, "abc", tc.opts); err != nil {
				t.Fatalf("Set: %v", err)
			}
			c, raw := onlySetCookie(t, rec)
			if raw != tc.wantRaw {
				t.Errorf("Set-Cookie = %q, want %q", raw, tc.wantRaw)
			}
			if c.Name != tc.name || c.Value != "abc" {
				t.Errorf("name=value = %s=%s, want %s=abc", c.Name, c.Value, tc.name)
			}
			if c.Path != tc.path {
				t.Errorf("Path = %q, want %q", c.Path, tc.path)
			}
			if c.Domain != tc.domain {
				t.Errorf("Domain = %q, want %q", c.Domain, tc.domain)
			}
			if c.Secure != tc.secure {
				t.Errorf("Secure = %v, want %v", c.Secure, tc.secure)
			}
			if c.HttpOnly != tc.httpOnly {
				t.Errorf("HttpOnly = %v, want %v", c.HttpOnly, tc.httpOnly)
			}
			if c.SameSite != tc.sameSite {
				t.Errorf("SameSite = %v, want %v", c.SameSite, tc.sameSite)
			}
			if c.MaxAge != 0 || !c.Expires.IsZero() {
				t.Errorf("MaxAge=%d Expires=%v, want a session cookie", c.MaxAge, c.Expires)
			}

			// New builds exactly what Set writes.
			nc, err := New(tc.name, "abc", tc.opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if nc.String() != raw {
				t.Errorf("New(...).String() = %q, want %q", nc.String(), raw)
			}
		})
	}
}

func TestSetMaxAge(t *testing.T) {
	cases := []struct {
		maxAge time.Duration
		want   int
	}{
		{time.Nanosecond, 1},
		{999 * time.Millisecond, 1},
		{time.Second, 1},
		{time.Second + time.Nanosecond, 2},
		{1500 * time.Millisecond, 2},
		{2 * time.Second, 2},
		{90 * time.Minute, 5400},
		{14 * 24 * time.Hour, 1209600},
	}
	for _, tc := range cases {
		t.Run(tc.maxAge.String(), func(t *testing.T) {
			rec := httptest.NewRecorder()
			before := time.Now()
			if err := Set(rec, "sid", "abc", Options{MaxAge: tc.maxAge}); err != nil {
				t.Fatalf("Set: %v", err)
			}
			after := time.Now()
			c, raw := onlySetCookie(t, rec)
			if c.MaxAge != tc.want {
				t.Errorf("Max-Age = %d, want %d (%s)", c.MaxAge, tc.want, raw)
			}
			if !strings.Contains(raw, fmt.Sprintf("; Max-Age=%d;", tc.want)) {
				t.Errorf("%q has no Max-Age=%d attribute", raw, tc.want)
			}
			if !strings.Contains(raw, "; Expires=") {
				t.Fatalf("%q has no Expires attribute", raw)
			}
			// Expires is now+Max-Age, written to the second (truncated).
			secs := time.Duration(tc.want) * time.Second
			lo := before.Add(secs).Truncate(time.Second)
			hi := after.Add(secs)
			if c.Expires.Before(lo) || c.Expires.After(hi) {
				t.Errorf("Expires = %v, want within [%v, %v]", c.Expires, lo, hi)
			}
			// The other defaults are untouched.
			if c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Domain != "" {
				t.Errorf("defaults changed by MaxAge: %q", raw)
			}
		})
	}
}

func TestSetSizeLimit(t *testing.T) {
	cases := []struct {
		desc string
		name string
		opts Options
	}{
		{"defaults", "sid", Options{}},
		{"domain", "sid", Options{Domain: "sub.example.com"}},
		{"long path", "sid", Options{Path: "/" + strings.Repeat("p", 300)}},
		{"max age and strict", "sid", Options{MaxAge: time.Hour, Secure: true, SameSite: http.SameSiteStrictMode}},
		{"long name", strings.Repeat("n", 200), Options{}},
		{"script readable, no samesite", "sid", Options{ScriptReadable: true, SameSite: http.SameSiteDefaultMode}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			empty, err := New(tc.name, "", tc.opts)
			if err != nil {
				t.Fatalf("New with empty value: %v", err)
			}
			fit := strings.Repeat("v", MaxSize-len(empty.String()))

			rec := httptest.NewRecorder()
			if err := Set(rec, tc.name, fit, tc.opts); err != nil {
				t.Fatalf("Set of a %d-byte cookie: %v", MaxSize, err)
			}
			if _, raw := onlySetCookie(t, rec); len(raw) != MaxSize {
				t.Fatalf("Set-Cookie is %d bytes, want exactly %d", len(raw), MaxSize)
			}

			rec = httptest.NewRecorder()
			err = Set(rec, tc.name, fit+"v", tc.opts)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Set of a %d-byte cookie: err = %v, want ErrTooLarge", MaxSize+1, err)
			}
			if lines := setCookieLines(rec); len(lines) != 0 {
				t.Errorf("refused cookie still wrote %d Set-Cookie lines", len(lines))
			}
			if c, err := New(tc.name, fit+"v", tc.opts); c != nil || !errors.Is(err, ErrTooLarge) {
				t.Errorf("New = %v, %v; want nil, ErrTooLarge", c, err)
			}
		})
	}
}

func TestSetSizeCountsAttributes(t *testing.T) {
	empty, err := New("sid", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Exactly MaxSize bytes with the zero Options.
	value := strings.Repeat("v", MaxSize-len(empty.String()))
	if err := Set(httptest.NewRecorder(), "sid", value, Options{}); err != nil {
		t.Fatalf("Set at exactly %d bytes: %v", MaxSize, err)
	}

	over := []struct {
		desc string
		opts Options
	}{
		{"domain", Options{Domain: "example.com"}},
		{"one more path byte", Options{Path: "/a"}},
		{"secure", Options{Secure: true}},
		{"samesite strict", Options{SameSite: http.SameSiteStrictMode}},
		{"samesite none", Options{SameSite: http.SameSiteNoneMode}},
		{"max age", Options{MaxAge: time.Second}},
	}
	for _, tc := range over {
		t.Run(tc.desc, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := Set(rec, "sid", value, tc.opts); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if lines := setCookieLines(rec); len(lines) != 0 {
				t.Errorf("refused cookie still wrote %q", lines)
			}
		})
	}

	// Fewer attributes leave room.
	if err := Set(httptest.NewRecorder(), "sid", value+"vvvvvvvvvv", Options{ScriptReadable: true}); err != nil {
		t.Errorf("dropping HttpOnly (10 bytes) should make room for 10 more bytes: %v", err)
	}
}

func TestSetInvalidName(t *testing.T) {
	names := []string{
		"", " ", "a b", " a", "a ", "a;b", "a=b", "=", "é", "naïve", "a\tb", "a\x00b", "a\x7f",
		"a,b", `a"b`, "(a)", "a/b", "a:b", "a?b", "a@b", "[a]", "{a}", `a\b`, "a\nb", "\xff",
	}
	for _, name := range names {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			rec := httptest.NewRecorder()
			err := Set(rec, name, "v", Options{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Set(%q) err = %v, want ErrInvalid", name, err)
			}
			if lines := setCookieLines(rec); len(lines) != 0 {
				t.Errorf("refused cookie still wrote %q", lines)
			}
		})
	}
}

func TestSetInvalidValue(t *testing.T) {
	values := []string{
		" ", "a b", " a", "a ", `"`, `"a"`, `a"b`, "a,b", "a;b", ";", `a\b`,
		"a\x00b", "a\x01", "a\tb", "a\nb", "a\rb", "a\x1fb", "a\x7fb",
		"é", "naïve", "✓", "\x80", "\xff",
	}
	for _, value := range values {
		t.Run(fmt.Sprintf("%q", value), func(t *testing.T) {
			rec := httptest.NewRecorder()
			err := Set(rec, "sid", value, Options{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Set(value %q) err = %v, want ErrInvalid", value, err)
			}
			if lines := setCookieLines(rec); len(lines) != 0 {
				t.Errorf("refused cookie still wrote %q", lines)
			}
		})
	}
}

// isRFC7230TokenByte is the token set of RFC 7230 §3.2.6, written out
// independently of the implementation.
func isRFC7230TokenByte(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// isCookieOctet is RFC 6265 §4.1.1's cookie-octet:
// %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
func isCookieOctet(b byte) bool {
	return b == 0x21 || b >= 0x23 && b <= 0x2B || b >= 0x2D && b <= 0x3A ||
		b >= 0x3C && b <= 0x5B || b >= 0x5D && b <= 0x7E
}

// TestSetEveryByte tries each byte in a name and in a value: every byte is
// either refused with ErrInvalid or written, parsed and read back unchanged;
// never silently altered.
func TestSetEveryByte(t *testing.T) {
	for i := range 256 {
		b := byte(i)

		name := "a" + string([]byte{b}) + "z"
		rec := httptest.NewRecorder()
		err := Set(rec, name, "v", Options{})
		switch {
		case isRFC7230TokenByte(b) && err != nil:
			t.Errorf("name byte %#02x: refused: %v", b, err)
		case !isRFC7230TokenByte(b) && !errors.Is(err, ErrInvalid):
			t.Errorf("name byte %#02x: err = %v, want ErrInvalid", b, err)
		case err == nil:
			c, err := http.ParseSetCookie(rec.Header().Get("Set-Cookie"))
			if err != nil || c.Name != name {
				t.Errorf("name byte %#02x: parsed back as %v, %v", b, c, err)
			}
		}

		value := "a" + string([]byte{b}) + "z"
		rec = httptest.NewRecorder()
		err = Set(rec, "sid", value, Options{})
		switch {
		case isCookieOctet(b) && err != nil:
			t.Errorf("value byte %#02x: refused: %v", b, err)
		case !isCookieOctet(b) && !errors.Is(err, ErrInvalid):
			t.Errorf("value byte %#02x: err = %v, want ErrInvalid", b, err)
		case err == nil:
			line := rec.Header().Get("Set-Cookie")
			if !strings.HasPrefix(line, "sid="+value+";") {
				t.Errorf("value byte %#02x: written as %q", b, line)
			}
			c, err := http.ParseSetCookie(line)
			if err != nil || c.Value != value {
				t.Errorf("value byte %#02x: parsed back as %v, %v", b, c, err)
			}
			if got, ok := Value(requestWith("sid="+value), "sid"); !ok || got != value {
				t.Errorf("value byte %#02x: Value = %q, %v", b, got, ok)
			}
		}
	}
}

func TestSetEmptyValue(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := Set(rec, "sid", "", Options{}); err != nil {
		t.Fatalf("Set with an empty value: %v", err)
	}
	if _, raw := onlySetCookie(t, rec); raw != "sid=; Path=/; HttpOnly; SameSite=Lax" {
		t.Errorf("Set-Cookie = %q", raw)
	}
}

func TestSetAppends(t *testing.T) {
	rec := httptest.NewRecorder()
	for _, name := range []string{"a", "b", "c"} {
		if err := Set(rec, name, "1", Options{}); err != nil {
			t.Fatal(err)
		}
	}
	got := rec.Result().Cookies()
	if len(got) != 3 || got[0].Name != "a" || got[1].Name != "b" || got[2].Name != "c" {
		t.Errorf("cookies = %v, want a, b, c in order", got)
	}
}

func TestDelete(t *testing.T) {
	cases := []struct {
		desc string
		name string
		opts Options
	}{
		{"zero options", "sid", Options{}},
		{"path and domain", "sid", Options{Path: "/app", Domain: "example.com"}},
		{"strict", "sid", Options{SameSite: http.SameSiteStrictMode, Secure: true}},
		{"none", "sid", Options{SameSite: http.SameSiteNoneMode}},
		{"default mode", "sid", Options{SameSite: http.SameSiteDefaultMode}},
		{"script readable", "csrftoken", Options{ScriptReadable: true}},
		{"__Host- prefix", "__Host-sid", Options{}},
		{"__Secure- prefix", "__Secure-sid", Options{Path: "/x"}},
		{"max age is ignored", "sid", Options{MaxAge: time.Hour}},
	}
	epoch := time.Unix(0, 0).UTC()
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Delete(rec, tc.name, tc.opts)
			c, raw := onlySetCookie(t, rec)

			if c.Name != tc.name || c.Value != "" {
				t.Errorf("name=value = %s=%s, want %s= (empty)", c.Name, c.Value, tc.name)
			}
			if !strings.Contains(raw, "; Max-Age=0") || c.MaxAge != -1 {
				t.Errorf("%q: want Max-Age=0 (parsed MaxAge -1), got %d", raw, c.MaxAge)
			}
			if !strings.Contains(raw, "; Expires=Thu, 01 Jan 1970 00:00:00 GMT") || !c.Expires.Equal(epoch) {
				t.Errorf("%q: want Expires in 1970, got %v", raw, c.Expires)
			}

			// The attributes that decide which cookie is replaced match
			// what Set writes with the same Options.
			set, err := New(tc.name, "x", tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			setParsed, err := http.ParseSetCookie(set.String())
			if err != nil {
				t.Fatal(err)
			}
			if c.Path != setParsed.Path || c.Domain != setParsed.Domain {
				t.Errorf("Delete Path/Domain = %q/%q, Set wrote %q/%q", c.Path, c.Domain, setParsed.Path, setParsed.Domain)
			}
			if c.SameSite != setParsed.SameSite || c.Secure != setParsed.Secure || c.HttpOnly != setParsed.HttpOnly {
				t.Errorf("Delete SameSite/Secure/HttpOnly = %v/%v/%v, Set wrote %v/%v/%v",
					c.SameSite, c.Secure, c.HttpOnly, setParsed.SameSite, setParsed.Secure, setParsed.HttpOnly)
			}
		})
	}
}

func TestDeleteInvalidNameWritesNothing(t *testing.T) {
	for _, name := range []string{"", "a b", "a;b", "é"} {
		rec := httptest.NewRecorder()
		Delete(rec, name, Options{})
		if lines, ok := rec.Header()["Set-Cookie"]; ok {
			t.Errorf("Delete(%q) wrote Set-Cookie %q, want nothing", name, lines)
		}
	}
}

// TestDeleteRemovesFromJar checks with net/http/cookiejar, which applies
// the browser rules for replacing cookies, that Delete with the Options of
// Set really removes the cookie, and that a mismatched Path does not.
func TestDeleteRemovesFromJar(t *testing.T) {
	opts := Options{Path: "/app", SameSite: http.SameSiteStrictMode}
	mux := http.NewServeMux()
	mux.HandleFunc("/app/set", func(w http.ResponseWriter, r *http.Request) {
		if err := Set(w, "pref", "v1", opts); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/app/delete-wrong-path", func(w http.ResponseWriter, r *http.Request) {
		Delete(w, "pref", Options{SameSite: http.SameSiteStrictMode}) // Path=/
	})
	mux.HandleFunc("/app/delete", func(w http.ResponseWriter, r *http.Request) {
		Delete(w, "pref", opts)
	})
	mux.HandleFunc("/app/echo", func(w http.ResponseWriter, r *http.Request) {
		v, ok := Value(r, "pref")
		fmt.Fprintf(w, "%v %s", ok, v)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	client.Jar = jar

	get := func(path string) string {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %s", path, resp.Status, body)
		}
		return string(body)
	}
	inJar := func(path string) []*http.Cookie {
		u, err := url.Parse(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return jar.Cookies(u)
	}

	get("/app/set")
	if got := inJar("/app/page"); len(got) != 1 || got[0].Name != "pref" || got[0].Value != "v1" {
		t.Fatalf("after Set, jar holds %v for /app/page, want pref=v1", got)
	}
	if got := inJar("/"); len(got) != 0 {
		t.Errorf("cookie with Path=/app sent to /: %v", got)
	}
	if got := get("/app/echo"); got != "true v1" {
		t.Errorf("server read %q, want %q", got, "true v1")
	}

	get("/app/delete-wrong-path")
	if got := inJar("/app/page"); len(got) != 1 {
		t.Fatalf("a Delete with another Path should not remove the cookie; jar holds %v", got)
	}

	get("/app/delete")
	if got := inJar("/app/page"); len(got) != 0 {
		t.Errorf("after Delete, jar still holds %v", got)
	}
	if got := get("/app/echo"); got != "false " {
		t.Errorf("server read %q after Delete, want %q", got, "false ")
	}
}

func TestValue(t *testing.T) {
	cases := []struct {
		desc   string
		lines  []string
		want   string
		wantOK bool
	}{
		{"no header", nil, "", false},
		{"empty header", []string{""}, "", false},
		{"single", []string{"sessionid=abc"}, "abc", true},
		{"among others", []string{"a=1; sessionid=abc; b=2"}, "abc", true},
		{"last", []string{"a=1; b=2; sessionid=abc"}, "abc", true},
		{"second header", []string{"a=1; b=2", "c=3; sessionid=abc"}, "abc", true},
		{"first of two in one header", []string{"sessionid=first; sessionid=second"}, "first", true},
		{"first of two headers", []string{"sessionid=first", "sessionid=second"}, "first", true},
		{"no space after ;", []string{"a=1;sessionid=abc;b=2"}, "abc", true},
		{"extra spaces", []string{"   a=1  ;    sessionid=abc   ;  b=2  "}, "abc", true},
		{"tabs", []string{"a=1;\tsessionid=abc\t;b=2"}, "abc", true},
		{"empty parts", []string{";;  ; sessionid=abc;;"}, "abc", true},
		{"spaces around =", []string{"a=1; sessionid = abc ; b=2"}, "abc", true},
		{"quoted", []string{`sessionid="abc"`}, "abc", true},
		{"quoted among others", []string{`a="1"; sessionid="abc"; b=2`}, "abc", true},
		{"empty quoted", []string{`sessionid=""`}, "", true},
		{"lone quote kept", []string{`sessionid="`}, `"`, true},
		{"unbalanced quote kept", []string{`sessionid="abc`}, `"abc`, true},
		{"empty value", []string{"sessionid=; a=1"}, "", true},
		{"value with =", []string{"sessionid=a=b=="}, "a=b==", true},
		{"longer name only", []string{"sessionid2=x"}, "", false},
		{"longer name then real", []string{"sessionid2=x; sessionid=abc"}, "abc", true},
		{"prefixed name", []string{"xsessionid=x; my_sessionid=y"}, "", false},
		{"shorter name", []string{"session=x; sessionidx=y"}, "", false},
		{"name without =", []string{"sessionid; a=1"}, "", false},
		{"name is a value", []string{"a=sessionid"}, "", false},
		{"case matters", []string{"SessionID=x"}, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			got, ok := Value(requestWith(tc.lines...), "sessionid")
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Value(%q) = %q, %v; want %q, %v", tc.lines, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestValueAgreesWithNetHTTP checks Value against r.Cookie on well-formed
// headers.
func TestValueAgreesWithNetHTTP(t *testing.T) {
	headers := [][]string{
		{"a=1; b=2; c=3"},
		{"a=1", "b=2; c=3"},
		{`a="1"; b=x; c=`},
		{"b=first; b=second; c=3"},
	}
	for _, lines := range headers {
		r := requestWith(lines...)
		for _, name := range []string{"a", "b", "c", "d"} {
			got, ok := Value(r, name)
			c, err := r.Cookie(name)
			if ok != (err == nil) || (ok && got != c.Value) {
				t.Errorf("%q: Value(%q) = %q, %v; r.Cookie gives %v, %v", lines, name, got, ok, c, err)
			}
		}
	}
}

func TestValueDoesNotAllocate(t *testing.T) {
	r := requestWith("_ga=GA1.2.3; csrftoken=abcdefghijklmnop", `theme="dark"; sessionid=0123456789abcdef; lang=en`)
	for _, name := range []string{"sessionid", "theme", "missing", "sessionid2"} {
		allocs := testing.AllocsPerRun(100, func() {
			Value(r, name)
		})
		if allocs != 0 {
			t.Errorf("Value(r, %q) allocates %.1f times, want 0", name, allocs)
		}
	}
}

func TestHostPrefixRules(t *testing.T) {
	if _, err := New("__Host-id", "v", Options{}); err != nil {
		t.Fatalf("plain __Host- cookie refused: %v", err)
	}
	for _, o := range []Options{{Domain: "example.com"}, {Path: "/app"}} {
		if _, err := New("__Host-id", "v", o); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err %v, want ErrInvalid", o, err)
		}
	}
}

func TestAttributesValidated(t *testing.T) {
	for _, o := range []Options{
		{Domain: "http://example.com"}, {Domain: "exa mple.com"}, {Domain: "-bad.com"},
		{Path: "/a;b"}, {Path: "relative"}, {Path: "/a\nb"},
	} {
		if _, err := New("n", "v", o); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", o, err)
		}
	}
	for _, o := range []Options{{Domain: "example.com"}, {Domain: ".example.com"}, {Domain: "127.0.0.1"}, {Path: "/app/x"}} {
		if _, err := New("n", "v", o); err != nil {
			t.Errorf("%+v refused: %v", o, err)
		}
	}
}

func TestHugeMaxAgeIsCapped(t *testing.T) {
	c, err := New("n", "v", Options{MaxAge: time.Duration(math.MaxInt64)})
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxAge != int(MaxLifetime/time.Second) || c.Expires.Before(time.Now()) {
		t.Fatalf("Max-Age %d, Expires %v", c.MaxAge, c.Expires)
	}
}
