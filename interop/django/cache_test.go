package djangointerop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/redis/go-redis/v9"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/djangocache"
	"github.com/tetherweb/tether/store/memcachestore"
	"github.com/tetherweb/tether/store/redisstore"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cacheSite is a Go site and a Django app sharing sessions through one
// of Django's cache session engines ("cache" or "cached_db") on one cache
// ("redis" or "memcached").
type cacheSite struct {
	t       *testing.T
	cfg     string // sessions_cache.py's CONFIG
	engine  string
	backend string
	mgr     *session.Manager
	logs    *lockedBuffer
	mu      sync.Mutex
	keys    []string // session keys to clean up in the cache
}

func newCacheSite(t *testing.T, engine, backend string) *cacheSite {
	t.Helper()
	djangoPython(t)
	var b [6]byte
	rand.Read(b[:])
	keyPrefix := "tether-test-" + hex.EncodeToString(b[:])
	prefix := keyPrefix + ":1:django.contrib.sessions." + engine
	cfg := map[string]string{"engine": engine, "cache": backend, "key_prefix": keyPrefix}
	site := &cacheSite{t: t, engine: engine, backend: backend, logs: &lockedBuffer{}}
	logger := slog.New(slog.NewTextHandler(site.logs, nil))

	var cache session.Store
	var deleteEntry func(ctx context.Context, item string) error
	switch backend {
	case "redis":
		addr := servicetest.RedisAddr(t)
		cfg["redis"] = addr
		client := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { client.Close() })
		cache = redisstore.NewDjangoCache(client, redisstore.WithPrefix(prefix))
		deleteEntry = func(ctx context.Context, item string) error { return client.Del(ctx, item).Err() }
	case "memcached":
		addr := servicetest.MemcachedAddr(t)
		cfg["memcached"] = addr
		client := memcache.New(addr)
		client.Timeout = 3 * time.Second
		t.Cleanup(func() { client.Close() })
		cache = memcachestore.NewDjangoCache(client, memcachestore.WithDjangoPrefix(prefix), memcachestore.WithDjangoLogger(logger))
		deleteEntry = func(_ context.Context, item string) error {
			if err := client.Delete(item); err != nil && err != memcache.ErrCacheMiss {
				return err
			}
			return nil
		}
	default:
		t.Fatalf("unknown cache %q", backend)
	}
	t.Cleanup(func() {
		site.mu.Lock()
		defer site.mu.Unlock()
		for _, k := range site.keys {
			if err := deleteEntry(context.Background(), prefix+k); err != nil {
				t.Errorf("cleanup of %s: %v", prefix+k, err)
			}
		}
	})

	site.mgr = &session.Manager{Logger: logger}
	switch engine {
	case "cache":
		site.mgr.Store, site.mgr.Codec = cache, djangocache.Codec{}
	case "cached_db":
		db := filepath.Join(t.TempDir(), "cached_db.sqlite3")
		cfg["db"] = db
		table, err := sqlite.Open(db, sqlstore.WithDjangoTable())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { table.Close() })
		codec, err := session.NewDjangoCodec([]byte(djangoKey))
		if err != nil {
			t.Fatal(err)
		}
		site.mgr.Store, site.mgr.Codec = djangocache.NewCachedDB(table, cache, logger), codec
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	raw, _ := json.Marshal(cfg)
	site.cfg = string(raw)
	if engine == "cached_db" {
		site.django(nil, "migrate")
	}
	return site
}

// django runs sessions_cache.py COMMAND args... with stdin.
func (s *cacheSite) django(stdin []byte, args ...string) []byte {
	s.t.Helper()
	if len(args) > 1 {
		s.track(args[1])
	}
	return runPython(s.t, "sessions_cache.py", stdin, append([]string{s.cfg}, args...)...)
}

func (s *cacheSite) track(key string) {
	s.mu.Lock()
	s.keys = append(s.keys, key)
	s.mu.Unlock()
}

// djangoWrite makes Django save a new session holding data; it returns
// the session key.
func (s *cacheSite) djangoWrite(data string) string {
	s.t.Helper()
	var w struct{ Key string }
	if err := json.Unmarshal(s.django([]byte(data), "write"), &w); err != nil || w.Key == "" {
		s.t.Fatalf("Django write: %q, %v", w.Key, err)
	}
	s.track(w.Key)
	return w.Key
}

// djangoCacheRead is what sessions_cache.py read prints.
type djangoCacheRead struct {
	Exists     bool           `json:"exists"`
	Data       map[string]any `json:"data"`
	ExpiryAge  int            `json:"expiry_age"`
	CacheEntry map[string]any `json:"cache_entry"`
}

func (s *cacheSite) djangoRead(key string) djangoCacheRead {
	s.t.Helper()
	var r djangoCacheRead
	if err := json.Unmarshal(s.django(nil, "read", key), &r); err != nil {
		s.t.Fatal(err)
	}
	return r
}

// serve runs h as a Go request carrying the session cookie key (none when
// ""); it returns the status and the session cookie set, if any.
func (s *cacheSite) serve(key string, h http.HandlerFunc) (int, string) {
	s.t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	if key != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	}
	rec := httptest.NewRecorder()
	s.mgr.Middleware(h).ServeHTTP(rec, req)
	resp := rec.Result()
	var set string
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			set = c.Value
			if c.Value != "" {
				s.track(c.Value)
			}
		}
	}
	return resp.StatusCode, set
}

var cacheBackends = []string{"redis", "memcached"}

// TestCacheSessionsWithDjango shares SESSION_ENGINE = "cache" sessions
// with a real Django, both ways, on Redis and on memcached.
func TestCacheSessionsWithDjango(t *testing.T) {
	for _, backend := range cacheBackends {
		t.Run(backend, func(t *testing.T) {
			s := newCacheSite(t, "cache", backend)

			// Django logs a user in; Go reads the login and adds to the cart.
			key := s.djangoWrite(`{"_auth_user_id":"7","cart":{"5":2},"name":"Zo\u00eb","ratio":1.5,"flags":[true,null]}`)
			status, _ := s.serve(key, func(w http.ResponseWriter, r *http.Request) {
				ss := session.From(r)
				user, _ := session.Value[string](ss, "_auth_user_id")
				name, _ := session.Value[string](ss, "name")
				ratio, _ := session.Value[float64](ss, "ratio")
				if user != "7" || name != "Zoë" || ratio != 1.5 {
					t.Errorf("Go read user %q name %q ratio %v from Django's session", user, name, ratio)
				}
				session.Update(ss, "cart", func(c map[string]int) map[string]int { c["5"]++; c["9"] = 1; return c })
			})
			if status != 200 {
				t.Fatalf("Go request on Django's session: %d\n%s", status, s.logs)
			}
			got := s.djangoRead(key)
			cart, _ := got.Data["cart"].(map[string]any)
			if !got.Exists || cart["5"] != 3.0 || cart["9"] != 1.0 || got.Data["name"] != "Zoë" || got.Data["ratio"] != 1.5 {
				t.Fatalf("Django reads back %+v", got)
			}
			flags, _ := got.Data["flags"].([]any)
			if len(flags) != 2 || flags[0] != true || flags[1] != nil {
				t.Errorf("Django reads flags %#v", got.Data["flags"])
			}

			// Django changes the session again; Go sees it.
			s.django([]byte(`{"theme":"dark"}`), "update", key)
			s.serve(key, func(w http.ResponseWriter, r *http.Request) {
				theme, _ := session.Value[string](session.From(r), "theme")
				cart, _ := session.Value[map[string]int](session.From(r), "cart")
				if theme != "dark" || cart["5"] != 3 {
					t.Errorf("Go reads theme %q cart %v after Django's update", theme, cart)
				}
			})

			// Go creates a session with its own expiry; Django reads it.
			_, goKey := s.serve("", func(w http.ResponseWriter, r *http.Request) {
				ss := session.From(r)
				ss.Set("_auth_user_id", "8")
				ss.SetExpiry(300 * time.Second)
			})
			if goKey == "" {
				t.Fatal("Go set no session cookie")
			}
			got = s.djangoRead(goKey)
			if !got.Exists || got.Data["_auth_user_id"] != "8" || got.ExpiryAge != 300 {
				t.Fatalf("Django reads Go's session as %+v", got)
			}

			// Django logs out: Go no longer finds the session.
			s.django(nil, "flush", key)
			s.serve(key, func(w http.ResponseWriter, r *http.Request) {
				if keys := session.From(r).Keys(); len(keys) != 0 {
					t.Errorf("Go still sees %v after Django's logout", keys)
				}
			})

			// Go logs out: Django no longer finds the session.
			s.serve(goKey, func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() })
			if got := s.djangoRead(goKey); got.Exists || len(got.Data) != 0 {
				t.Fatalf("Django still sees the session Go flushed: %+v", got)
			}
		})
	}
}

// TestCacheSessionsBadDjangoData: whatever else Django's cache holds under
// a session's key (a pickled datetime or Decimal, a list, a bare value, a
// cut pickle) gives the Go request a fresh session and a log line, never a
// panic or a 5xx; the Go request's own write then replaces it with a dict
// Django reads.
func TestCacheSessionsBadDjangoData(t *testing.T) {
	for _, backend := range cacheBackends {
		t.Run(backend, func(t *testing.T) {
			s := newCacheSite(t, "cache", backend)
			for _, mode := range []string{"datetime", "decimal", "list", "plain", "truncated"} {
				t.Run(mode, func(t *testing.T) {
					key := s.djangoWrite(`{"_auth_user_id":"7"}`)
					s.django(nil, "corrupt", key, mode)
					before := len(s.logs.String())
					status, newKey := s.serve(key, func(w http.ResponseWriter, r *http.Request) {
						ss := session.From(r)
						if keys := ss.Keys(); len(keys) != 0 {
							t.Errorf("Go read %v from a %s entry", keys, mode)
						}
						ss.Set("after", "go")
					})
					if status != 200 {
						t.Fatalf("status %d on a %s entry\n%s", status, mode, s.logs)
					}
					logged := s.logs.String()[before:]
					if !strings.Contains(logged, "level=WARN") {
						t.Errorf("a %s entry was not logged: %q", mode, logged)
					}
					if newKey == "" {
						newKey = key
					}
					if got := s.djangoRead(newKey); !got.Exists || got.Data["after"] != "go" || len(got.Data) != 1 {
						t.Errorf("after Go's write over a %s entry, Django reads %+v", mode, got)
					}
				})
			}
		})
	}
}

// TestCachedDBWithDjango shares SESSION_ENGINE = "cached_db" sessions:
// Django's table is the record, and Go's writes keep Django's cache entry
// from going stale.
func TestCachedDBWithDjango(t *testing.T) {
	for _, backend := range cacheBackends {
		t.Run(backend, func(t *testing.T) {
			s := newCacheSite(t, "cached_db", backend)
			key := s.djangoWrite(`{"_auth_user_id":"7","cart":{"5":2}}`)
			if got := s.djangoRead(key); got.CacheEntry == nil || !got.Exists {
				t.Fatalf("Django's cached_db did not cache the session: %+v", got)
			}

			for round, want := range []float64{3, 4} {
				status, _ := s.serve(key, func(w http.ResponseWriter, r *http.Request) {
					session.Update(session.From(r), "cart", func(c map[string]int) map[string]int { c["5"]++; return c })
				})
				if status != 200 {
					t.Fatalf("round %d: Go update: %d\n%s", round, status, s.logs)
				}
				got := s.djangoRead(key)
				if got.CacheEntry != nil {
					t.Errorf("round %d: Django's cache entry survived Go's write: %v", round, got.CacheEntry)
				}
				cart, _ := got.Data["cart"].(map[string]any)
				if !got.Exists || cart["5"] != want {
					t.Fatalf("round %d: Django reads %+v, want cart 5 = %v", round, got, want)
				}
				// Django refilled its cache from the row: the next read is a hit.
				got = s.djangoRead(key)
				cart, _ = got.CacheEntry["cart"].(map[string]any)
				if cart["5"] != want {
					t.Fatalf("round %d: Django's refilled cache entry %v", round, got.CacheEntry)
				}
			}

			// Django logs out: Go finds no session.
			s.django(nil, "flush", key)
			s.serve(key, func(w http.ResponseWriter, r *http.Request) {
				if keys := session.From(r).Keys(); len(keys) != 0 {
					t.Errorf("Go still sees %v after Django's logout", keys)
				}
			})

			// Go creates and then logs out; Django follows both.
			_, goKey := s.serve("", func(w http.ResponseWriter, r *http.Request) { session.From(r).Set("_auth_user_id", "8") })
			if got := s.djangoRead(goKey); !got.Exists || got.Data["_auth_user_id"] != "8" {
				t.Fatalf("Django reads Go's session as %+v", got)
			}
			if got := s.djangoRead(goKey); got.CacheEntry == nil {
				t.Fatalf("Django did not cache Go's session: %+v", got)
			}
			s.serve(goKey, func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() })
			if got := s.djangoRead(goKey); got.Exists || len(got.Data) != 0 || got.CacheEntry != nil {
				t.Fatalf("Django still sees the session Go flushed: %+v", got)
			}
		})
	}
}
