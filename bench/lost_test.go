package bench

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/bench/apps"
)

// concurrentIncrements is how many requests of one client add one to the
// session's counter at the same time.
const concurrentIncrements = 100

// handlerWork is what each increment does between changing the session and
// saving it (a database call, a template): it widens the window in which
// a library that saves the whole session overwrites another request's
// change, as a real handler would.
const handlerWork = 2 * time.Millisecond

// TestLostUpdates sends 100 concurrent "add one" requests of one client (a
// shared cookie jar, as one browser's tabs or parallel fetches) to each
// App served by httptest.Server, then reads the counter. Only tether's
// server stores (apps.Lossless) promise to keep every update: the others
// are measured and logged, never asserted, since how many updates they
// lose depends on timing. tether-cookie makes no such promise: a cookie can
// only carry the last response's session (store/cookiestore says so).
func TestLostUpdates(t *testing.T) {
	results := map[string]int{}
	for _, name := range benchNames() {
		if name == "bare" {
			continue // no session: its counter is the process's
		}
		t.Run(name, func(t *testing.T) {
			n := countAfterConcurrentIncrements(t, name)
			results[name] = n
			t.Logf("%-15s counter = %3d after %d concurrent increments", name, n, concurrentIncrements)
			if apps.Lossless(name) && n != concurrentIncrements {
				t.Errorf("%s: counter = %d, want %d", name, n, concurrentIncrements)
			}
		})
	}
	var summary strings.Builder
	for _, name := range benchNames() {
		if n, ok := results[name]; ok {
			summary.WriteString("\n  " + name + ": " + strconv.Itoa(n) + "/" + strconv.Itoa(concurrentIncrements))
		}
	}
	t.Logf("final counters:%s", summary.String())
}

func countAfterConcurrentIncrements(t *testing.T, name string) int {
	a := newApp(t, name, apps.Config{Work: handlerWork})
	srv := httptest.NewServer(a.Routes())
	t.Cleanup(srv.Close)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: concurrentIncrements}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Jar: jar, Transport: transport, Timeout: 30 * time.Second}

	do := func(method, path string) (string, error) {
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			return "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = &statusError{resp.StatusCode, string(b)}
		}
		return string(b), err
	}

	// The session exists before the burst, so that every request of the
	// burst presents the same one.
	if _, err := do("POST", "/create"); err != nil {
		t.Fatal(err)
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	var failed sync.Map
	for i := range concurrentIncrements {
		wg.Go(func() {
			<-start
			if _, err := do("POST", "/incr"); err != nil {
				failed.Store(i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	failed.Range(func(k, v any) bool {
		t.Errorf("request %v: %v", k, v)
		return true
	})

	got, err := do("GET", "/count")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(got))
	if err != nil {
		t.Fatalf("count: %q", got)
	}
	return n
}

type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string {
	return strconv.Itoa(e.code) + ": " + strings.TrimSpace(e.body)
}
