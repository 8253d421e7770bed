package tieredstore

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/faultproxy"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// TestCacheDown cuts memcached off (a proxy in front of it stops) while a
// site runs on memcached in front of SQLite: requests keep succeeding with
// the right data from SQLite, a warning is logged, and once memcached is
// back the cache serves reads again — without serving the entry that went
// stale while it was away.
func TestCacheDown(t *testing.T) {
	r := newCacheSite(t, 300*time.Millisecond)
	proxy, durable, logs, clock, srv, hc, jar := r.proxy, r.durable, r.logs, r.clock, r.srv, r.hc, r.jar

	call := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	incr := func() {
		t.Helper()
		if code, body := call("POST", "/incr"); code != 200 {
			t.Fatalf("POST /incr: %d %s", code, body)
		}
	}
	// read checks the counter and reports whether the read reached SQLite.
	read := func(want int) (fromDurable bool) {
		t.Helper()
		before := durable.count("load:before")
		code, body := call("GET", "/n")
		if code != 200 || body != strconv.Itoa(want) {
			t.Fatalf("GET /n: %d %q, want 200 %q", code, body, strconv.Itoa(want))
		}
		return durable.count("load:before") != before
	}

	// Cache up: reads are cache hits.
	for range 3 {
		incr()
	}
	read(3)
	if read(3) {
		t.Fatal("with the cache up, a read went to SQLite")
	}

	// Cache down: everything still works, from SQLite.
	proxy.Stop()
	const outageWrites = 20
	var wg sync.WaitGroup
	for range outageWrites {
		wg.Go(func() {
			if code, body := call("POST", "/incr"); code != 200 {
				t.Errorf("POST /incr with the cache down: %d %s", code, body)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	want := 3 + outageWrites
	if !read(want) {
		t.Error("with the cache down, a read did not go to SQLite")
	}
	warns := logs.at(slog.LevelWarn)
	if len(warns) == 0 {
		t.Fatal("no warning logged while the cache was down")
	}
	if len(warns) > 2 {
		t.Errorf("%d warnings in a few ms: the warnings are not rate-limited", len(warns))
	}
	for _, c := range jar.Cookies(mustParse(t, srv.URL)) {
		if strings.Contains(logs.text(), c.Value) {
			t.Error("a log record contains the session key")
		}
	}

	// Cache back: the entry from before the outage (counter 3) is stale
	// and must not be served; the cache is filled again and serves reads.
	proxy.Start()
	read(want)
	// Entries filled within ClockSkewMargin of the failed invalidations
	// are distrusted too (TestDistrustClockSkew): skip that time.
	clock.Advance(ClockSkewMargin)
	for deadline := time.Now().Add(10 * time.Second); read(want); {
		if time.Now().After(deadline) {
			t.Fatal("the cache is not used again after it came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(logs.at(slog.LevelInfo)) == 0 {
		t.Error("no Info record when the cache answered again")
	}
	incr()
	read(want + 1)
	if read(want + 1) {
		t.Error("after a write with the cache back, reads still go to SQLite")
	}
	t.Logf("log:\n%s", logs.text())
}

// TestCacheHung: memcached stops answering (a proxy in front of it hangs)
// while a site runs on it in front of SQLite. After the first failures the
// breaker bypasses the cache: the requests keep succeeding with the right
// data, and only the first failures and the breaker's probes (at most one
// per back-off) still reach the hung cache, each costing the client's
// timeout; once memcached answers again the cache serves reads, never an
// entry made stale during the hang.
func TestCacheHung(t *testing.T) {
	r := newCacheSite(t, 200*time.Millisecond)
	proxy, cache, durable, logs, clock, srv, hc := r.proxy, r.cache, r.durable, r.logs, r.clock, r.srv, r.hc
	call := func(method, path string) string {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return string(b)
	}
	for range 3 {
		call("POST", "/incr")
	}
	if got := call("GET", "/n"); got != "3" {
		t.Fatalf("GET /n = %s, want 3", got)
	}

	proxy.Hang()
	start, calls := time.Now(), cacheCalls(cache)
	const rounds = 40
	for i := range rounds {
		call("POST", "/incr")
		if got, want := call("GET", "/n"), strconv.Itoa(4+i); got != want {
			t.Fatalf("GET /n with the cache hung = %s, want %s", got, want)
		}
	}
	elapsed := time.Since(start)
	hung := cacheCalls(cache) - calls
	// The first failures, then at most one probe per back-off (1 s, then
	// longer) while the loop ran.
	if limit := DefaultBreakerFailures + int(elapsed/DefaultBreakerBackoff) + 1; hung > limit {
		t.Errorf("%d cache calls in %d requests over %v with the cache hung, want at most %d", hung, 2*rounds, elapsed.Round(time.Millisecond), limit)
	}
	t.Logf("cache hung: %d requests in %v, %d of them reached the cache", 2*rounds, elapsed.Round(time.Millisecond), hung)
	if n := len(logs.at(slog.LevelWarn)); n == 0 || n > 2 {
		t.Errorf("%d warnings for the hang, want 1 or 2 (rate-limited)", n)
	}

	proxy.Resume()
	want := strconv.Itoa(3 + rounds)
	clock.Advance(MaxBreakerBackoff + ClockSkewMargin)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		before := durable.count("load:before")
		if got := call("GET", "/n"); got != want {
			t.Fatalf("GET /n after the hang = %s, want %s", got, want)
		}
		if durable.count("load:before") == before {
			break // served by the cache
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache does not serve reads again after the hang")
		}
	}
}

// cacheSite is a site counting in its session, on memcached (through a
// proxy) in front of SQLite, both counted.
type cacheSite struct {
	proxy          *faultproxy.Proxy
	cache, durable *hookStore
	logs           *logRecorder
	clock          *fakeClock // the wall clock, until advanced
	srv            *httptest.Server
	hc             *http.Client
	jar            http.CookieJar
}

// newCacheSite starts a cacheSite whose memcached client times out after
// timeout; "POST /incr" adds one to the counter, "GET /n" shows it.
func newCacheSite(t *testing.T, timeout time.Duration) *cacheSite {
	t.Helper()
	addr := servicetest.MemcachedAddr(t)
	r := &cacheSite{proxy: faultproxy.New(t, addr), durable: newHookStore(newSQLite(t)), logs: &logRecorder{}, clock: &fakeClock{}}
	client := newMemcachedClient(t, r.proxy.Addr())
	client.Timeout = timeout
	r.cache = newHookStore(newMemcachedCache(t, addr, client))
	s := New(r.cache, r.durable, WithLogger(slog.New(r.logs)))
	s.now = r.clock.Now

	m := &session.Manager{Store: s, Logger: discardLogger()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Update(session.From(r), "n", func(n int) int { return n + 1 }); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("GET /n", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Value[int](session.From(r), "n")
		fmt.Fprint(w, n)
	})
	r.srv = httptest.NewServer(m.Middleware(mux))
	t.Cleanup(r.srv.Close)
	r.jar, _ = cookiejar.New(nil)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 32
	r.hc = &http.Client{Jar: r.jar, Transport: transport, Timeout: 10 * time.Second}
	t.Cleanup(transport.CloseIdleConnections)
	return r
}
