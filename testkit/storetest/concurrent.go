package storetest

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Requests is how many concurrent requests RunConcurrentRequests sends.
const Requests = 200

// RunConcurrentRequests checks, through real HTTP and a session.Manager,
// that concurrent requests of one client never lose each other's writes on
// the store: Requests requests each adding a distinct key leave all of them,
// and Requests requests each incrementing one counter with session.Update
// leave it at Requests. ReadThenWriteRequests requests each incrementing a
// counter the way tutorials write it (Get, add one, Set) either land or
// are answered 409 (session.ErrStaleRead), never a 2xx whose write
// vanished: the counter ends equal to the number of 200 answers.
func RunConcurrentRequests(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Run("DistinctKeys", func(t *testing.T) {
		client, base := startApp(t, newStore(t))
		fire(t, client, base+"/set?k=")
		keys := get(t, client, base+"/count")
		if keys != strconv.Itoa(Requests+1) { // plus the "start" key
			t.Fatalf("%s keys after %d concurrent writers, want %d", keys, Requests, Requests+1)
		}
	})
	t.Run("UpdateCounter", func(t *testing.T) {
		client, base := startApp(t, newStore(t))
		fire(t, client, base+"/incr?k=")
		if n := get(t, client, base+"/counter"); n != strconv.Itoa(Requests) {
			t.Fatalf("counter = %s after %d concurrent increments, want %d", n, Requests, Requests)
		}
	})
	t.Run("ReadThenWrite", func(t *testing.T) {
		client, base := startApp(t, newStore(t))
		codes := fireCounting(t, client, base+"/rtw?k=", ReadThenWriteRequests)
		ok, conflicts := codes[http.StatusOK], codes[http.StatusConflict]
		if ok+conflicts != ReadThenWriteRequests {
			t.Errorf("answers %v: want only 200 and 409", codes)
		}
		if ok == 0 {
			t.Errorf("no read-then-write request landed: %v", codes)
		}
		if n := get(t, client, base+"/rtw-value"); n != strconv.Itoa(ok) {
			t.Fatalf("counter = %s after %d read-then-write increments answered 200 (%d answered 409): "+
				"a 200 lost its write", n, ok, conflicts)
		}
	})
}

// ReadThenWriteRequests is how many concurrent read-then-write requests
// RunConcurrentRequests sends.
const ReadThenWriteRequests = 100

// startApp serves a small app over the store and returns a client that
// already holds a session.
func startApp(t *testing.T, store session.Store) (*http.Client, string) {
	t.Helper()
	// Conflicts answered 409 are expected here; their log lines are not.
	// The store calls of 200 requests at once queue for the backend's
	// connections on a small machine: this suite checks that nothing is
	// lost, not how fast, so it allows each call far more than the
	// Manager's default StoreTimeout.
	m := &session.Manager{Store: store, Logger: slog.New(slog.DiscardHandler), StoreTimeout: 30 * time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("start", true)
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Set("k"+r.URL.Query().Get("k"), true); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/incr", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Update(session.From(r), "counter", func(n int) int { return n + 1 }); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/rtw", func(w http.ResponseWriter, r *http.Request) {
		// The tutorial's pattern: read, change, set back.
		s := session.From(r)
		n, _ := session.Value[int](s, "rtw")
		if err := s.Set("rtw", n+1); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/rtw-value", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Value[int](session.From(r), "rtw")
		fmt.Fprint(w, n)
	})
	mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, len(session.From(r).Keys()))
	})
	mux.HandleFunc("/counter", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Value[int](session.From(r), "counter")
		fmt.Fprint(w, n)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := srv.Client()
	client.Jar = jar
	transport := srv.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	client.Transport = transport
	t.Cleanup(transport.CloseIdleConnections)
	get(t, client, srv.URL+"/start")
	u, _ := url.Parse(srv.URL)
	if len(jar.Cookies(u)) != 1 {
		t.Fatal("no session cookie after /start")
	}
	return client, srv.URL
}

// fire sends Requests concurrent POSTs to prefix+i and fails on any non-200.
func fire(t *testing.T, client *http.Client, prefix string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, Requests)
	for i := range Requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Post(prefix+strconv.Itoa(i), "text/plain", nil)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("request %d: status %d", i, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// fireCounting sends n concurrent POSTs to prefix+i and counts the
// answers by status code.
func fireCounting(t *testing.T, client *http.Client, prefix string, n int) map[int]int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[int]int{}
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Post(prefix+strconv.Itoa(i), "text/plain", nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return codes
}

func get(t *testing.T, client *http.Client, u string) string {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b [64]byte
	n, _ := resp.Body.Read(b[:])
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b[:n])
	}
	return string(b[:n])
}
