package redisstore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestCluster starts a Redis Cluster of three masters and runs the
// conformance suite and a scale-out test (two application instances) on
// it.
func TestCluster(t *testing.T) {
	t.Parallel()
	addrs := startCluster(t)
	newClient := func(t *testing.T) *redis.ClusterClient {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
		t.Cleanup(func() { c.Close() })
		return c
	}

	t.Run("Conformance", func(t *testing.T) {
		client := newClient(t)
		storetest.RunWithOptions(t, func(t *testing.T) session.Store {
			return New(client, WithPrefix(newPrefix(t, client)))
		}, selfExpiring)
	})
	t.Run("ScaleOut", func(t *testing.T) {
		testScaleOut(t, newClient)
	})
}

// app is one application instance: its own ClusterClient, Store, Manager
// and HTTP server.
type app struct {
	store *Store
	url   string
}

func newApp(t *testing.T, client redis.UniversalClient, prefix string) *app {
	store := New(client, WithPrefix(prefix))
	m := &session.Manager{Store: store, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /set", func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Set("name", r.URL.Query().Get("name")); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("POST /incr", func(w http.ResponseWriter, r *http.Request) {
		if _, err := session.Update(session.From(r), "n", func(n int) int { return n + 1 }); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("GET /show", func(w http.ResponseWriter, r *http.Request) {
		name, _ := session.Value[string](session.From(r), "name")
		n, _ := session.Value[int](session.From(r), "n")
		fmt.Fprintf(w, "%s %d", name, n)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	t.Cleanup(srv.Close)
	return &app{store: store, url: srv.URL}
}

// browser is one user: it keeps the session cookie, whichever instance
// set it, and sends it to every instance.
type browser struct {
	client *http.Client
	cookie *http.Cookie
}

func (b *browser) do(method, url string) (string, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return "", err
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == session.DefaultCookieName {
			b.cookie = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	return string(body), nil
}

// testScaleOut serves one application from two instances, each with its
// own ClusterClient: a session written through one is read and updated
// through the other.
func testScaleOut(t *testing.T, newClient func(t *testing.T) *redis.ClusterClient) {
	admin := newClient(t)
	prefix := newPrefix(t, admin)
	a := newApp(t, newClient(t), prefix)
	b := newApp(t, newClient(t), prefix)
	httpClient := &http.Client{}
	t.Cleanup(httpClient.CloseIdleConnections)

	// One user going back and forth between the instances.
	u := &browser{client: httpClient}
	steps := []struct{ method, url, want string }{
		{"POST", a.url + "/set?name=ada", ""},
		{"GET", b.url + "/show", "ada 0"},
		{"POST", b.url + "/incr", ""},
		{"GET", a.url + "/show", "ada 1"},
		{"POST", a.url + "/incr", ""},
		{"POST", b.url + "/set?name=grace", ""},
		{"GET", a.url + "/show", "grace 2"},
		{"GET", b.url + "/show", "grace 2"},
	}
	for _, st := range steps {
		got, err := u.do(st.method, st.url)
		if err != nil {
			t.Fatal(err)
		}
		if got != st.want {
			t.Fatalf("%s %s = %q, want %q", st.method, st.url, got, st.want)
		}
	}

	// Many users at once, each alternating between the instances; their
	// sessions spread over the slots of every master.
	const users, incrs = 60, 4
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			apps := [2]*app{a, b}
			first, other := apps[i%2], apps[1-i%2]
			u := &browser{client: httpClient}
			name := "user" + strconv.Itoa(i)
			if _, err := u.do("POST", first.url+"/set?name="+name); err != nil {
				t.Error(err)
				return
			}
			for j := range incrs {
				if _, err := u.do("POST", apps[(i+j+1)%2].url+"/incr"); err != nil {
					t.Error(err)
					return
				}
			}
			got, err := u.do("GET", other.url+"/show")
			if err != nil {
				t.Error(err)
				return
			}
			if want := fmt.Sprintf("%s %d", name, incrs); got != want {
				t.Errorf("user %d: %q, want %q", i, got, want)
			}
		}()
	}
	wg.Wait()

	ctx := context.Background()
	var mu sync.Mutex
	perMaster := map[string]int{}
	err := admin.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		keys, err := keysUnder(ctx, c, prefix)
		mu.Lock()
		perMaster[c.Options().Addr] = len(keys)
		mu.Unlock()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for addr, n := range perMaster {
		if n == 0 {
			t.Errorf("master %s holds no session: %v", addr, perMaster)
		}
		total += n
	}
	if total != users+1 {
		t.Errorf("%d sessions stored on the masters (%v), want %d", total, perMaster, users+1)
	}
	if n, err := a.store.Count(ctx); err != nil || n != users+1 {
		t.Errorf("Count = %d, %v; want %d", n, err, users+1)
	}

	// Compare-and-swap holds between the two instances' stores.
	storetest.RunConcurrentWriters(t, storetest.Writers, a.store, b.store)
}
