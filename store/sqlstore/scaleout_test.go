package sqlstore_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/postgres"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// counterApp is a small app over a Manager: /set?name= stores a name,
// /show prints the name and the counter, /incr adds one to the counter
// with session.Update, /flush logs out.
func counterApp(store session.Store) http.Handler {
	m := &session.Manager{Store: store, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Set("name", r.URL.Query().Get("name")); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/show", func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		name, _ := session.Value[string](s, "name")
		n, _ := session.Value[int](s, "counter")
		fmt.Fprintf(w, "%s %d", name, n)
	})
	mux.HandleFunc("/incr", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Update(session.From(r), "counter", func(n int) int { return n + 1 }); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Flush(); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	return m.Middleware(mux)
}

// TestScaleOutPostgres runs two app instances, each with its own Manager,
// *sql.DB and Store, on one PostgreSQL table, and one client going back
// and forth between them with the same cookie: what one writes the other
// reads and updates, concurrent increments spread over both lose nothing,
// and a logout on one is seen by the other.
func TestScaleOutPostgres(t *testing.T) {
	t.Parallel()
	a := openPostgres(t)
	b, err := postgres.Open(servicetest.PostgresDSN(t), sqlstore.WithTable(a.Table()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	srvA := httptest.NewServer(counterApp(a))
	t.Cleanup(srvA.Close)
	srvB := httptest.NewServer(counterApp(b))
	t.Cleanup(srvB.Close)

	code, _, key := request(t, srvA, "POST", "/set?name=ada", "")
	if code != 200 || key == "" {
		t.Fatalf("POST /set on A: %d, cookie %q", code, key)
	}
	if code, body, _ := request(t, srvB, "GET", "/show", key); code != 200 || body != "ada 0" {
		t.Fatalf("B reads A's session: %d %q", code, body)
	}
	if code, _, _ := request(t, srvB, "POST", "/incr", key); code != 200 {
		t.Fatalf("POST /incr on B: %d", code)
	}
	if code, body, _ := request(t, srvA, "GET", "/show", key); code != 200 || body != "ada 1" {
		t.Fatalf("A reads B's update: %d %q", code, body)
	}

	// Concurrent increments, alternating between the instances: only the
	// database's compare-and-swap orders the two Managers.
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		srv := srvA
		if i%2 == 1 {
			srv = srvB
		}
		wg.Go(func() {
			req, _ := http.NewRequest("POST", srv.URL+"/incr", nil)
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Errorf("incr %d: %v", i, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("incr %d: status %d", i, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	want := "ada " + strconv.Itoa(n+1)
	for _, srv := range []*httptest.Server{srvA, srvB} {
		if code, body, _ := request(t, srv, "GET", "/show", key); code != 200 || body != want {
			t.Errorf("after %d increments over both instances: %d %q, want %q", n, code, body, want)
		}
	}

	// A logout on B ends the session on A too.
	if code, _, _ := request(t, srvB, "POST", "/flush", key); code != 200 {
		t.Fatalf("POST /flush on B: %d", code)
	}
	if code, body, _ := request(t, srvA, "GET", "/show", key); code != 200 || body != " 0" {
		t.Errorf("A after the logout on B: %d %q, want an empty session", code, body)
	}
}
