package bench

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tetherweb/tether/bench/apps"
)

// redisAddr is where the Redis variants look for a server.
func redisAddr() string {
	if a := os.Getenv("TETHER_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

var (
	redisOnce sync.Once
	redisOK   bool
)

// benchNames lists the Apps to compare: the Redis pair only when Redis
// answers.
func benchNames() []string {
	redisOnce.Do(func() { redisOK = apps.RedisUp(redisAddr()) })
	names := append([]string(nil), apps.Names...)
	if redisOK {
		names = append(names, apps.RedisNames...)
	}
	return names
}

// newApp makes the App called name for tb and closes it (deleting its Redis
// keys) when tb ends.
func newApp(tb testing.TB, name string, cfg apps.Config) *apps.App {
	tb.Helper()
	a, err := apps.New(name, cfg, tb.TempDir(), redisAddr(), apps.RandomPrefix(name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.Close)
	return a
}

// discard is a minimal ResponseWriter, so that the benchmarks measure the
// session libraries rather than httptest's recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// run benchmarks h on requests carrying cookie ("" for a first visit),
// after checking once that h answers 200 with want.
func run(b *testing.B, h http.Handler, method, cookie, want string) {
	tmpl := httptest.NewRequest(method, "/", nil)
	if cookie != "" {
		// Other cookies around the session's, as a browser sends them.
		tmpl.Header.Set("Cookie", "csrftoken=abc; "+cookie+"; theme=dark")
	}

	check := httptest.NewRecorder()
	req := new(http.Request)
	*req = *tmpl
	h.ServeHTTP(check, req)
	if check.Code != http.StatusOK || !strings.HasPrefix(check.Body.String(), want) {
		b.Fatalf("answered %d %q, want 200 %q", check.Code, check.Body, want)
	}

	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		// A fresh copy of the request each time (no allocation):
		// gorilla's Store.Get replaces *r with a copy that caches the
		// decoded session, which would otherwise be reused.
		*req = *tmpl
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// scenario runs one sub-benchmark per App.
func scenario(b *testing.B, fn func(b *testing.B, a *apps.App, cookie string)) {
	for _, name := range benchNames() {
		b.Run(name, func(b *testing.B) {
			a := newApp(b, name, apps.Config{})
			cookie, err := apps.Seed(a)
			if err != nil {
				b.Fatal(err)
			}
			fn(b, a, cookie)
		})
	}
}

// BenchmarkReadOnly: an existing session, one string value read, nothing
// written.
func BenchmarkReadOnly(b *testing.B) {
	scenario(b, func(b *testing.B, a *apps.App, cookie string) {
		run(b, a.Read, "GET", cookie, "demo")
	})
}

// BenchmarkWrite: an existing session, a counter read and incremented, the
// session saved. (The cookie stores get the same cookie each time, so they
// always store 1; the server stores count up.)
func BenchmarkWrite(b *testing.B) {
	scenario(b, func(b *testing.B, a *apps.App, cookie string) {
		run(b, a.Incr, "POST", cookie, "")
	})
}

// BenchmarkNewSession: a first visit (no cookie) creating a session with
// one value.
func BenchmarkNewSession(b *testing.B) {
	scenario(b, func(b *testing.B, a *apps.App, cookie string) {
		run(b, a.Create, "POST", "", "ok")
	})
}

// TestHandlers checks every App's four handlers once, so that go test
// (without -bench) shows the benchmarks would measure working code.
func TestHandlers(t *testing.T) {
	names := benchNames()
	if !redisOK {
		t.Logf("no Redis at %s: tether-redis and scs-redis are left out", redisAddr())
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			a := newApp(t, name, apps.Config{})
			cookie, err := apps.Seed(a)
			if err != nil {
				t.Fatal(err)
			}
			serve := func(h http.Handler, method string) string {
				req := httptest.NewRequest(method, "/", nil)
				req.Header.Set("Cookie", cookie)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s answered %d: %s", method, rec.Code, rec.Body)
				}
				// The cookie stores carry the session in the cookie.
				for _, c := range rec.Result().Cookies() {
					if c.Name == apps.CookieName {
						cookie = c.Name + "=" + c.Value
					}
				}
				return rec.Body.String()
			}
			if got := serve(a.Read, "GET"); got != "demo" {
				t.Errorf("read: %q, want demo", got)
			}
			for want := 1; want <= 3; want++ {
				if got := serve(a.Incr, "POST"); got != strconv.Itoa(want)+"\n" {
					t.Errorf("incr: %q, want %d", got, want)
				}
			}
			if got := serve(a.Count, "GET"); got != "3\n" {
				t.Errorf("count: %q, want 3", got)
			}
		})
	}
}
