package tieredstore

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// TestChangedBehindTheCache: the durable record is updated directly, so the
// cache still holds the old version. An Update from that old version must
// fail at the durable store (the newer record wins), and from then on the
// old entry is never returned again.
func TestChangedBehindTheCache(t *testing.T) {
	cache, durable := newMemstore(t), newSQLite(t)
	s := New(cache, durable, WithLogger(discardLogger()))
	ctx := context.Background()
	key := session.NewKey()
	v1 := mustCreate(t, s, key, "old")
	wantLoad(t, s, key, "old", v1)

	v2 := mustUpdate(t, ctx, durable, key, "new", v1) // behind the cache's back
	if rec, err := s.Load(ctx, key); err == nil && rec.Version == v1 {
		t.Log("as documented, the cache serves the old entry until something reveals the change")
	}

	_, err := s.Update(ctx, key, session.Record{Data: []byte("from the stale copy"), Expiry: time.Now().Add(time.Hour), Version: v1})
	wantErr(t, "Update from the cached old version", err, session.ErrConflict)
	if rec, err := durable.Load(ctx, key); err != nil || string(rec.Data) != "new" || rec.Version != v2 {
		t.Fatalf("durable record after the stale Update: %q version %d, %v", rec.Data, rec.Version, err)
	}
	for range 3 {
		wantLoad(t, s, key, "new", v2)
	}
	if e, ok := cached(t, cache, key); !ok || e.version != v2 {
		t.Errorf("the cache was not refilled with the new version: %+v, %v", e, ok)
	}
}

// TestChangedBehindTheCacheManager is the same through a session.Manager: a
// request that increments a counter, working from a stale cached copy,
// conflicts, reloads from the database and applies its change there.
func TestChangedBehindTheCacheManager(t *testing.T) {
	cache, durable := newMemstore(t), newSQLite(t)
	s := New(cache, durable, WithLogger(discardLogger()))
	m := &session.Manager{Store: s, Logger: discardLogger()}
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
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	defer hc.CloseIdleConnections()
	incr := func() string {
		t.Helper()
		resp, err := hc.Post(srv.URL+"/incr", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		return string(b)
	}
	incr()
	incr()
	// Another program sets the counter to 100 in the database.
	var key string
	for _, c := range jar.Cookies(mustParse(t, srv.URL)) {
		if c.Name == m.CookieName {
			key = c.Value
		}
	}
	rec, err := durable.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("durable Load of the session: %v", err)
	}
	values, _ := m.Codec.Decode(rec.Data)
	values["n"] = []byte("100")
	data, _ := m.Codec.Encode(values)
	mustUpdate(t, context.Background(), durable, key, string(data), rec.Version)

	// This request starts from the stale copy (its handler sees 2 and
	// answers 3 before the commit); the commit conflicts, reloads 100 from
	// the database and stores 101.
	incr()
	if got := incr(); got != "102" {
		t.Fatalf("increment after the change behind the cache = %s, want 102", got)
	}
	rec, err = durable.Load(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if values, _ := m.Codec.Decode(rec.Data); string(values["n"]) != "102" {
		t.Fatalf("database holds n = %s, want 102", values["n"])
	}
}

// TestMaxCacheAge: an entry made stale behind the cache's back is served
// at most for MaxCacheAge.
func TestMaxCacheAge(t *testing.T) {
	cache, durable := newMemstore(t), newSQLite(t)
	const age = 100 * time.Millisecond
	s := New(cache, durable, WithLogger(discardLogger()), WithMaxCacheAge(age))
	ctx := context.Background()
	key := session.NewKey()
	v1 := mustCreate(t, s, key, "old")
	changed := time.Now()
	v2 := mustUpdate(t, ctx, durable, key, "new", v1)
	for deadline := time.Now().Add(5 * time.Second); ; {
		rec, err := s.Load(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Version == v2 {
			break
		}
		// The check runs after the Load returned: allow for a slow
		// scheduler, but not for the hour the record lives.
		if since := time.Since(changed); since > age+time.Second {
			t.Fatalf("old entry still served %v after the change (MaxCacheAge %v)", since, age)
		}
		if time.Now().After(deadline) {
			t.Fatal("deadline")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// The cache entry's own expiry is capped; without the cap it is the
	// record's.
	if got := s.cacheExpiry(time.Now().Add(time.Hour)); time.Until(got) > age {
		t.Errorf("cache expiry %v away, want at most %v", time.Until(got), age)
	}
	uncapped := New(cache, durable, WithMaxCacheAge(0))
	exp := time.Now().Add(time.Hour)
	if got := uncapped.cacheExpiry(exp); !got.Equal(exp) {
		t.Errorf("uncapped cache expiry %v, want %v", got, exp)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
