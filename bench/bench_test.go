package bench

import (
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// postgresDSN is the database of the PostgreSQL variants.
func postgresDSN() string {
	if d := os.Getenv("TETHER_POSTGRES_DSN"); d != "" {
		return d
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var (
	servicesOnce sync.Once
	redisOK      bool
	postgresOK   bool
)

// benchNames lists the Apps to compare: the Redis and PostgreSQL ones only
// when their server answers.
func benchNames() []string {
	servicesOnce.Do(func() {
		redisOK = apps.RedisUp(redisAddr())
		postgresOK = apps.PostgresUp(postgresDSN())
	})
	names := append([]string(nil), apps.Names...)
	if redisOK {
		names = append(names, apps.RedisNames...)
	}
	if postgresOK {
		names = append(names, apps.PostgresNames...)
	}
	return names
}

// checkServices fails tb when a server is missing and
// TETHER_REQUIRE_SERVICES is set, and logs what is left out otherwise.
func checkServices(tb testing.TB) {
	tb.Helper()
	benchNames()
	for _, s := range []struct {
		ok   bool
		what string
	}{{redisOK, "no Redis at " + redisAddr() + ": the -redis Apps are left out"},
		{postgresOK, "no PostgreSQL at $TETHER_POSTGRES_DSN: the -pg Apps are left out"}} {
		switch {
		case s.ok:
		case os.Getenv("TETHER_REQUIRE_SERVICES") != "":
			tb.Fatal(s.what)
		default:
			tb.Log(s.what)
		}
	}
}

// newApp makes the App called name for tb and closes it (deleting its Redis
// keys and PostgreSQL table) when tb ends.
func newApp(tb testing.TB, name string, cfg apps.Config) *apps.App {
	tb.Helper()
	cfg.Dir = tb.TempDir()
	cfg.RedisAddr = redisAddr()
	cfg.Prefix = apps.RandomPrefix(name)
	cfg.PostgresDSN = postgresDSN()
	a, err := apps.New(name, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.Close)
	return a
}

// discard is a minimal ResponseWriter, so that the benchmarks measure the
// session libraries rather than httptest's recorder. It keeps the status.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }

// request builds the request of a scenario: the session's cookie ("" for a
// first visit) between two others, as a browser sends them.
func request(method, cookie string) *http.Request {
	r := httptest.NewRequest(method, "/", nil)
	if cookie != "" {
		r.Header.Set("Cookie", "csrftoken=abc; "+cookie+"; theme=dark")
	}
	return r
}

// check serves tmpl to h once and fails b unless it answers 200 with a body
// starting with want; it returns the response.
func check(b *testing.B, h http.Handler, tmpl *http.Request, want string) *http.Response {
	rec := httptest.NewRecorder()
	req := new(http.Request)
	*req = *tmpl
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), want) {
		b.Fatalf("answered %d %q, want 200 %q", rec.Code, rec.Body, want)
	}
	return rec.Result()
}

// run benchmarks h on requests carrying cookie ("" for a first visit),
// after checking once that h answers 200 with want. It reports the round
// trips to the App's server per request.
func run(b *testing.B, a *apps.App, h http.Handler, method, cookie, want string) {
	tmpl := request(method, cookie)
	check(b, h, tmpl, want)

	req := new(http.Request)
	w := &discard{h: http.Header{}}
	trips := a.RoundTrips.Load()
	b.ReportAllocs()
	for b.Loop() {
		// A fresh copy of the request each time (no allocation):
		// gorilla's Store.Get replaces *r with a copy that caches the
		// decoded session, which would otherwise be reused.
		*req = *tmpl
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	reportTrips(b, a, trips)
}

// reportTrips reports the round trips made since before per iteration.
func reportTrips(b *testing.B, a *apps.App, before int64) {
	if a.RoundTrips != nil {
		b.ReportMetric(float64(a.RoundTrips.Load()-before)/float64(b.N), "trips/op")
	}
}

// scenario runs one sub-benchmark per App that keep accepts (nil: all).
func scenario(b *testing.B, keep func(name string) bool, fn func(b *testing.B, a *apps.App, cookie string)) {
	checkServices(b)
	for _, name := range benchNames() {
		if keep != nil && !keep(name) {
			continue
		}
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
	scenario(b, nil, func(b *testing.B, a *apps.App, cookie string) {
		run(b, a, a.Read, "GET", cookie, "demo")
	})
}

// BenchmarkUntouched: an existing session's cookie on a page whose handler
// never looks at the session.
func BenchmarkUntouched(b *testing.B) {
	scenario(b, nil, func(b *testing.B, a *apps.App, cookie string) {
		run(b, a, a.Untouched, "GET", cookie, "ok")
	})
}

// BenchmarkWrite: an existing session, a counter read and incremented, the
// session saved. (The cookie stores get the same cookie each time, so they
// always store 1; the server stores count up.)
func BenchmarkWrite(b *testing.B) {
	scenario(b, nil, func(b *testing.B, a *apps.App, cookie string) {
		run(b, a, a.Incr, "POST", cookie, "")
	})
}

// BenchmarkNewSession: a first visit (no cookie) creating a session with
// one value. cookie-B is the size of the session's Set-Cookie header value
// (name, value and attributes).
func BenchmarkNewSession(b *testing.B) {
	scenario(b, nil, func(b *testing.B, a *apps.App, cookie string) {
		resp := check(b, a.Create, request("POST", ""), "ok")
		run(b, a, a.Create, "POST", "", "ok")
		b.ReportMetric(float64(setCookieBytes(resp)), "cookie-B")
	})
}

// setCookieBytes is the length of resp's session Set-Cookie header value.
func setCookieBytes(resp *http.Response) int {
	for _, line := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(line, apps.CookieName+"=") {
			return len(line)
		}
	}
	return 0
}

// hotWriters is how many requests of one client run at once in
// BenchmarkHotWrite, per GOMAXPROCS (b.SetParallelism).
const hotWriters = 16

// BenchmarkHotWrite: one session's counter incremented by many concurrent
// requests (hotWriters per CPU, b.RunParallel), as a client's parallel
// fetches do. Only the server stores run it (a cookie holds the last
// response's session, whatever the others wrote), and bare as the ceiling.
// lost/op is the share of increments missing from the counter afterwards:
// tether's server stores must lose none and answer nothing but 200.
func BenchmarkHotWrite(b *testing.B) {
	keep := func(name string) bool { return name == "bare" || apps.ServerStore(name) }
	scenario(b, keep, func(b *testing.B, a *apps.App, cookie string) {
		tmpl := request("POST", cookie)
		check(b, a.Incr, tmpl, "1\n")
		// One concurrent burst first, so that the clients' pools hold
		// their connections (and PostgreSQL's prepared statements) before
		// the round trips are counted.
		var wg sync.WaitGroup
		for range hotWriters * runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				req := new(http.Request)
				*req = *tmpl
				a.Incr.ServeHTTP(&discard{h: http.Header{}}, req)
			})
		}
		wg.Wait()
		before := count(b, a, cookie)
		trips := a.RoundTrips.Load()
		var failed atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(hotWriters)
		b.RunParallel(func(pb *testing.PB) {
			req := new(http.Request)
			w := &discard{h: http.Header{}}
			for pb.Next() {
				*req = *tmpl
				clear(w.h)
				w.code = http.StatusOK
				a.Incr.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					failed.Add(1)
				}
			}
		})
		b.StopTimer()
		reportTrips(b, a, trips)
		lost := b.N - (count(b, a, cookie) - before)
		b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
		if apps.Lossless(a.Name) && (lost != 0 || failed.Load() != 0) {
			b.Errorf("%s: %d of %d increments lost, %d answers not 200", a.Name, lost, b.N, failed.Load())
		}
	})
}

// count reads the session's counter through a.Count.
func count(b *testing.B, a *apps.App, cookie string) int {
	rec := httptest.NewRecorder()
	a.Count.ServeHTTP(rec, request("GET", cookie))
	n, err := strconv.Atoi(strings.TrimSpace(rec.Body.String()))
	if rec.Code != http.StatusOK || err != nil {
		b.Fatalf("count answered %d %q", rec.Code, rec.Body)
	}
	return n
}

// TestHandlers checks every App's four handlers once, so that go test
// (without -bench) shows the benchmarks would measure working code.
func TestHandlers(t *testing.T) {
	checkServices(t)
	for _, name := range benchNames() {
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
			trips := a.RoundTrips.Load()
			if got := serve(a.Untouched, "GET"); got != "ok\n" {
				t.Errorf("untouched: %q, want ok", got)
			}
			untouchedTrips := a.RoundTrips.Load() - trips
			if strings.HasPrefix(name, "tether-") && untouchedTrips != 0 {
				t.Errorf("untouched: %d round trips, want none", untouchedTrips)
			}
			trips = a.RoundTrips.Load()
			if got := serve(a.Read, "GET"); got != "demo" {
				t.Errorf("read: %q, want demo", got)
			}
			if readTrips := a.RoundTrips.Load() - trips; a.RoundTrips != nil && readTrips != 1 {
				t.Errorf("read: %d round trips, want 1", readTrips)
			}
			if got := serve(apps.Typed(a.Read), "GET"); got != "demo" {
				t.Errorf("page: %q, want demo", got)
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
