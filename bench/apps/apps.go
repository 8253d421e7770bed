// Package apps builds the same small application on each session library
// compared here, so that the benchmarks, the lost-update test and the load
// server all measure the same handlers.
//
// Every App has four handlers, each a complete chain (the library's
// middleware, when it has one, around the handler):
//
//   - Read reads the string under "user" and writes it (no session write);
//   - Incr adds one to the int under "n" and writes the new value;
//   - Create stores "user" = "demo", which on a request without a session
//     cookie is a first visit creating a session;
//   - Count reads "n" and writes it.
//
// gorilla/sessions has no middleware: its handlers call Store.Get and
// Session.Save themselves, as its documentation shows.
package apps

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/gorilla/sessions"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/cookiestore"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/store/redisstore"
)

// CookieName is the session cookie of every App, so that one Cookie header
// line fits them all.
const CookieName = "sessionid"

// App is one library (and store) behind the handlers.
type App struct {
	Name   string
	Read   http.Handler
	Incr   http.Handler
	Create http.Handler
	Count  http.Handler
	// Untouched is a handler behind the library's middleware that never
	// looks at the session (a static page of a site with sessions).
	Untouched http.Handler
	// RoundTrips counts the round trips to the App's server (nil for the
	// memory, file and cookie stores, which make none).
	RoundTrips *RoundTrips
	// Close releases what the App holds: background goroutines,
	// connections, and the Redis keys and PostgreSQL tables it created.
	Close func()
}

// Routes serves GET /read, POST /incr, POST /create, GET /count,
// GET /untouched and GET /page (/read with a Content-Type, see Typed).
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	a.Mount(mux, "")
	return mux
}

// Mount adds the App's routes to mux under prefix ("" or "/name").
func (a *App) Mount(mux *http.ServeMux, prefix string) {
	mux.Handle("GET "+prefix+"/read", a.Read)
	mux.Handle("POST "+prefix+"/incr", a.Incr)
	mux.Handle("POST "+prefix+"/create", a.Create)
	mux.Handle("GET "+prefix+"/count", a.Count)
	mux.Handle("GET "+prefix+"/untouched", a.Untouched)
	mux.Handle("GET "+prefix+"/page", Typed(a.Read))
}

// Typed is h with a Content-Type set first, as a real page's handler sets
// one (html/template pages, JSON answers): GET /page is /read so. A
// response with any header makes net/http allocate the header map and
// copy it at WriteHeader; a bare handler that sets none spares both,
// which a session library's Vary: Cookie cannot (see docs/performance.md).
func Typed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		h.ServeHTTP(w, r)
	})
}

// Config holds what the constructors need.
type Config struct {
	// Work is how long Incr sleeps after changing the session and before
	// the change is saved, as a handler doing I/O would (0: no sleep).
	Work time.Duration
	// Dir is gorilla-fs's directory.
	Dir string
	// RedisAddr is the Redis server of the -redis Apps; Prefix their key
	// prefix, which must be unique: Close deletes every key under it.
	RedisAddr, Prefix string
	// PostgresDSN is the database of the -pg Apps (pgx syntax). Each App
	// makes a table of its own there and drops it on Close.
	PostgresDSN string
}

func (c Config) work() {
	if c.Work > 0 {
		time.Sleep(c.Work)
	}
}

// Names lists the Apps that New makes without a server; RedisNames those
// that need Redis, PostgresNames those that need PostgreSQL. "bare" is the
// handlers without any session library, the ceiling of the others; the
// "-sealed" variants are tether with Manager.SecretKey (records sealed at
// rest), beside the same store unsealed.
var (
	Names         = []string{"bare", "tether-mem", "tether-mem-sealed", "scs-mem", "gorilla-cookie", "gorilla-fs", "tether-cookie"}
	RedisNames    = []string{"tether-redis", "tether-redis-sealed", "scs-redis"}
	PostgresNames = []string{"tether-pg", "tether-pg-sealed", "scs-pg"}
)

// ServerStore reports whether the App called name keeps its sessions on
// the server (and so one counter shared by concurrent requests of one
// cookie means something); the cookie stores and bare do not.
func ServerStore(name string) bool {
	return name != "bare" && name != "gorilla-cookie" && name != "tether-cookie"
}

// Lossless reports whether the App called name promises to keep every
// concurrent update of one session (tether's server stores).
func Lossless(name string) bool {
	return strings.HasPrefix(name, "tether-") && ServerStore(name)
}

// New makes the App called name.
func New(name string, cfg Config) (*App, error) {
	base, sealed := strings.CutSuffix(name, "-sealed")
	if sealed && !strings.HasPrefix(base, "tether-") || sealed && base == "tether-cookie" {
		return nil, fmt.Errorf("apps: unknown app %q", name)
	}
	var secret []byte
	if sealed {
		secret = randomBytes(32)
	}
	switch base {
	case "bare":
		return bare(), nil
	case "tether-mem":
		store := memstore.New()
		return tether(name, &session.Manager{Store: store, SecretKey: secret}, cfg, nil, func() { store.Close() }), nil
	case "tether-cookie":
		store, err := cookiestore.NewEncrypted(randomBytes(32))
		if err != nil {
			return nil, err
		}
		return tether(name, &session.Manager{CookieStore: store}, cfg, nil, func() {}), nil
	case "tether-redis":
		trips := new(RoundTrips)
		client := goredis.NewClient(&goredis.Options{Addr: cfg.RedisAddr, ContextTimeoutEnabled: true, Dialer: trips.dial})
		store := redisstore.New(client, redisstore.WithPrefix(cfg.Prefix))
		return tether(name, &session.Manager{Store: store, SecretKey: secret}, cfg, trips, func() {
			deletePrefix(client, cfg.Prefix)
			client.Close()
		}), nil
	case "tether-pg":
		return tetherPostgres(name, secret, cfg)
	case "scs-mem":
		// Close does not call StopCleanup: in scs v2.9.0 it reads a field
		// that the cleanup goroutine writes without synchronisation (go
		// test -race reports it), and is a no-op when it runs first. (scs.New
		// starts such a goroutine as well, for its default memstore.)
		return scsApp(name, scsmem.New(), cfg, nil, func() {}), nil
	case "scs-redis":
		trips := new(RoundTrips)
		pool := &redigo.Pool{
			MaxIdle:     64,
			IdleTimeout: time.Minute,
			Dial: func() (redigo.Conn, error) {
				conn, err := trips.dial(context.Background(), "tcp", cfg.RedisAddr)
				if err != nil {
					return nil, err
				}
				return redigo.NewConn(conn, 0, 0), nil
			},
		}
		return scsApp(name, scsredis.NewWithPrefix(pool, cfg.Prefix), cfg, trips, func() {
			pool.Close()
			client := goredis.NewClient(&goredis.Options{Addr: cfg.RedisAddr})
			deletePrefix(client, cfg.Prefix)
			client.Close()
		}), nil
	case "scs-pg":
		return scsPostgres(name, cfg)
	case "gorilla-cookie":
		// Signed (HMAC-SHA256) and encrypted (AES-256).
		store := sessions.NewCookieStore(randomBytes(64), randomBytes(32))
		gorillaOptions(store.Options)
		return gorilla(name, store, cfg), nil
	case "gorilla-fs":
		if cfg.Dir == "" {
			return nil, errors.New("apps: gorilla-fs needs a directory")
		}
		store := sessions.NewFilesystemStore(cfg.Dir, randomBytes(64), randomBytes(32))
		gorillaOptions(store.Options)
		return gorilla(name, store, cfg), nil
	}
	return nil, fmt.Errorf("apps: unknown app %q", name)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// RandomPrefix returns a Redis key prefix that no other run uses.
func RandomPrefix(what string) string {
	return "tether-bench:" + what + ":" + hex.EncodeToString(randomBytes(8)) + ":"
}

// deletePrefix removes every key under prefix, in bounded batches.
func deletePrefix(client *goredis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var cursor uint64
	for range 100000 {
		keys, next, err := client.Scan(ctx, cursor, prefix+"*", 1000).Result()
		if err != nil {
			return
		}
		if len(keys) > 0 {
			client.Unlink(ctx, keys...)
		}
		if next == 0 {
			return
		}
		cursor = next
	}
}

// RedisUp reports whether a Redis server answers PING at addr.
func RedisUp(addr string) bool {
	client := goredis.NewClient(&goredis.Options{Addr: addr, DialTimeout: 300 * time.Millisecond, MaxRetries: -1})
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return client.Ping(ctx).Err() == nil
}

var body = []byte("ok\n")

// untouched is the handler of every App's Untouched route.
var untouched = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) })

func writeInt(w http.ResponseWriter, n int) {
	var buf [24]byte
	w.Write(append(strconv.AppendInt(buf[:0], int64(n), 10), '\n'))
}

// tether wraps each handler in m's Middleware.
func tether(name string, m *session.Manager, cfg Config, trips *RoundTrips, closeFn func()) *App {
	return &App{
		Name:       name,
		RoundTrips: trips,
		Read: m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user, ok := session.Value[string](session.From(r), "user")
			if !ok {
				http.Error(w, "no user in the session", http.StatusInternalServerError)
				return
			}
			w.Write([]byte(user))
		})),
		Incr: m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, err := session.Update(session.From(r), "n", func(n int) int { return n + 1 })
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			cfg.work()
			writeInt(w, n) // the Manager saves here, before the headers go out
		})),
		Create: m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := session.From(r).Set("user", "demo"); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Write(body)
		})),
		Count: m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := session.Value[int](session.From(r), "n")
			writeInt(w, n)
		})),
		Untouched: m.Middleware(untouched),
		Close:     closeFn,
	}
}

// scsApp wraps each handler in LoadAndSave.
func scsApp(name string, store scs.Store, cfg Config, trips *RoundTrips, closeFn func()) *App {
	sm := scs.New()
	sm.Store = store
	sm.Cookie.Name = CookieName
	sm.Lifetime = session.DefaultMaxAge
	return &App{
		Name:       name,
		RoundTrips: trips,
		Read: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			user := sm.GetString(r.Context(), "user")
			if user == "" {
				http.Error(w, "no user in the session", http.StatusInternalServerError)
				return
			}
			w.Write([]byte(user))
		})),
		Incr: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := sm.GetInt(r.Context(), "n") + 1
			sm.Put(r.Context(), "n", n)
			cfg.work()
			writeInt(w, n) // LoadAndSave's writer commits here
		})),
		Create: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), "user", "demo")
			w.Write(body)
		})),
		Count: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeInt(w, sm.GetInt(r.Context(), "n"))
		})),
		Untouched: sm.LoadAndSave(untouched),
		Close:     closeFn,
	}
}

func gorillaOptions(o *sessions.Options) {
	o.Path = "/"
	o.MaxAge = int(session.DefaultMaxAge / time.Second)
	o.HttpOnly = true
	o.Secure = false // the tests serve plain HTTP on loopback
	o.SameSite = http.SameSiteLaxMode
}

// gorilla's handlers load and save the session themselves. Store.Get
// caches the session in the request's context, and replaces *r to do so:
// callers must not reuse one *http.Request across requests.
func gorilla(name string, store sessions.Store, cfg Config) *App {
	return &App{
		Name: name,
		Read: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := store.Get(r, CookieName)
			user, ok := s.Values["user"].(string)
			if err != nil || !ok {
				http.Error(w, "no user in the session", http.StatusInternalServerError)
				return
			}
			w.Write([]byte(user))
		}),
		Incr: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := store.Get(r, CookieName) // a bad or missing session starts empty
			n, _ := s.Values["n"].(int)
			n++
			s.Values["n"] = n
			cfg.work()
			if err := s.Save(r, w); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeInt(w, n)
		}),
		Create: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := store.Get(r, CookieName)
			s.Values["user"] = "demo"
			if err := s.Save(r, w); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Write(body)
		}),
		Count: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := store.Get(r, CookieName)
			n, _ := s.Values["n"].(int)
			writeInt(w, n)
		}),
		Untouched: untouched, // no middleware: nothing to pay
		Close:     func() {},
	}
}

// Seed runs a first visit through a.Create and returns the Cookie header
// value ("sessionid=...") that presents the new session.
func Seed(a *App) (string, error) {
	rec := httptest.NewRecorder()
	a.Create.ServeHTTP(rec, httptest.NewRequest("POST", "/create", nil))
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("apps: %s: seeding answered %d: %s", a.Name, rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == CookieName && c.Value != "" {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("apps: %s: seeding set no %s cookie", a.Name, CookieName)
}
