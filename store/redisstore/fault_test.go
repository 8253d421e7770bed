package redisstore

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
)

// TestFault serves requests through a Manager over a private redis-server,
// kills the server while requests run, and starts it again on the same
// port: while it is down the Manager answers 503, and afterwards requests
// succeed again with the same application (no new client, store or
// Manager).
func TestFault(t *testing.T) {
	t.Parallel()
	needBinaries(t, "redis-server")
	server := startRedis(t, t.TempDir(), freePort(t, false))

	// Short timeouts and few retries, so that a dead server is noticed in
	// a fraction of a second.
	client := redis.NewClient(&redis.Options{
		Addr:                  server.addr,
		DialTimeout:           200 * time.Millisecond,
		ReadTimeout:           300 * time.Millisecond,
		WriteTimeout:          300 * time.Millisecond,
		PoolTimeout:           300 * time.Millisecond,
		MaxRetries:            1,
		MinRetryBackoff:       5 * time.Millisecond,
		MaxRetryBackoff:       20 * time.Millisecond,
		DialerRetries:         1,
		DialerRetryTimeout:    10 * time.Millisecond,
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { client.Close() })
	m := &session.Manager{Store: New(client), Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("/incr", func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Update(session.From(r), "n", func(n int) int { return n + 1 })
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, n)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	httpClient := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	t.Cleanup(httpClient.CloseIdleConnections)

	// Statuses seen, by phase; any other outcome fails the test.
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		phase    atomic.Int32 // 0 up, 1 killed, 2 restarted
		ok       [3]atomic.Int64
		down     atomic.Int64 // 503s
	)
	request := func() {
		resp, err := httpClient.Get(srv.URL + "/incr")
		if err != nil {
			t.Errorf("request failed without a response: %v", err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		mu.Lock()
		statuses[resp.StatusCode]++
		mu.Unlock()
		switch resp.StatusCode {
		case http.StatusOK:
			ok[phase.Load()].Add(1)
		case http.StatusServiceUnavailable:
			down.Add(1)
		case http.StatusBadRequest:
			// session.ErrInterrupted: a request that loaded its session
			// before the crash and saved after the restart, which emptied
			// Redis. Correct, if unlikely.
		default:
			t.Errorf("status %d", resp.StatusCode)
		}
	}

	const workers = 4
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					request()
				}
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
		t.Logf("statuses: %v", statuses)
	}()

	eventually(t, 10*time.Second, "requests succeeding before the crash", func() bool { return ok[0].Load() >= 20 })

	server.Kill()
	phase.Store(1)
	eventually(t, 10*time.Second, "503 responses while Redis is down", func() bool { return down.Load() >= 10 })

	server.Start()
	phase.Store(2)
	eventually(t, 15*time.Second, "requests succeeding after the restart", func() bool { return ok[2].Load() >= 20 })
}
