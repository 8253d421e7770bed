package memcachestore

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/faultproxy"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// TestServerDown puts a proxy between the store and memcached and cuts it
// while requests run through a session.Manager: they must fail with 503
// (never a panic, a 500 or a broken connection), and succeed again once
// the proxy lets connections through.
func TestServerDown(t *testing.T) {
	addr := servicetest.MemcachedAddr(t)
	proxy := faultproxy.New(t, addr)
	client := newClient(t, proxy.Addr())
	client.Timeout = 500 * time.Millisecond
	store := newTracked(t, addr, New(client, WithPrefix(randomPrefix())))

	m := &session.Manager{Store: store, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("/incr", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Update(session.From(r), "n", func(n int) int { return n + 1 }); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/n", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Value[int](session.From(r), "n")
		fmt.Fprint(w, n)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()

	do := func(path string) (int, string, error) {
		resp, err := hc.Post(srv.URL+path, "text/plain", nil)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}
	if code, _, err := do("/incr"); code != 200 || err != nil {
		t.Fatalf("first request: %d %v", code, err)
	}

	// Workers keep incrementing until told to stop.
	var (
		ok, unavailable atomic.Int64
		okAfterStart    atomic.Int64
		restarted       atomic.Bool
		stop            = make(chan struct{})
		wg              sync.WaitGroup
		mu              sync.Mutex
		unexpected      []string
	)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, body, err := do("/incr")
				switch {
				case err != nil:
					mu.Lock()
					unexpected = append(unexpected, "transport error: "+err.Error())
					mu.Unlock()
				case code == 200:
					ok.Add(1)
					if restarted.Load() {
						okAfterStart.Add(1)
					}
				case code == 503:
					unavailable.Add(1)
				default:
					mu.Lock()
					unexpected = append(unexpected, strconv.Itoa(code)+" "+body)
					mu.Unlock()
				}
			}
		})
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("%s: not within 15s (ok %d, 503 %d)", what, ok.Load(), unavailable.Load())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	waitFor("successes before the cut", func() bool { return ok.Load() >= 20 })
	proxy.Stop()
	okAtStop := ok.Load()
	waitFor("503s while memcached is cut off", func() bool { return unavailable.Load() >= 20 })
	if extra := ok.Load() - okAtStop; extra > 4 {
		t.Errorf("%d requests succeeded after the cut (at most the 4 in flight may)", extra)
	}
	proxy.Start()
	restarted.Store(true)
	waitFor("successes after the proxy came back", func() bool { return okAfterStart.Load() >= 20 })
	close(stop)
	wg.Wait()

	mu.Lock()
	for _, u := range unexpected {
		t.Error(u)
	}
	mu.Unlock()

	// Every 200 was saved; a 503 may or may not have been (its "cas" may
	// have reached the server before the connection broke).
	code, body, err := do("/n")
	if code != 200 || err != nil {
		t.Fatalf("final read: %d %v", code, err)
	}
	n, _ := strconv.Atoi(body)
	saved := ok.Load() + 1 // the first request too
	if int64(n) < saved || int64(n) > saved+unavailable.Load() {
		t.Errorf("counter %d after %d successful and %d failed increments", n, saved, unavailable.Load())
	}
	t.Logf("%d ok, %d unavailable, counter %d", saved, unavailable.Load(), n)
}
