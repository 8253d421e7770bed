package session_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// clock is a settable time source shared by a Manager and its store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1700000000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a Manager over a fakeStore with a frozen clock and a captured log.
type env struct {
	t     *testing.T
	clock *clock
	store *fakeStore
	mgr   *session.Manager
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T, configure ...func(*session.Manager)) *env {
	t.Helper()
	c := newClock()
	e := &env{t: t, clock: c, store: newFakeStore(c.Now), logs: &syncBuffer{}}
	e.mgr = &session.Manager{
		Store:  e.store,
		Now:    c.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range configure {
		f(e.mgr)
	}
	return e
}

// serve runs one request through the middleware around h and returns the
// response.
func (e *env) serve(h http.HandlerFunc, method, target string, cookies ...*http.Cookie) *http.Response {
	e.t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for _, c := range cookies {
		if c != nil {
			req.AddCookie(c)
		}
	}
	rec := httptest.NewRecorder()
	e.mgr.Middleware(h).ServeHTTP(rec, req)
	return rec.Result()
}

// sessionCookie returns the session cookie a response sets, if any.
func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == session.DefaultCookieName {
			return c
		}
	}
	return nil
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// setHandler stores key=value.
func setHandler(t *testing.T, key string, value any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Set(key, value); err != nil {
			t.Errorf("Set: %v", err)
		}
	}
}

// login stores a value and returns the session cookie.
func (e *env) login(values map[string]any) *http.Cookie {
	e.t.Helper()
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		for k, v := range values {
			if err := s.Set(k, v); err != nil {
				e.t.Fatal(err)
			}
		}
	}, "GET", "/")
	c := sessionCookie(resp)
	if c == nil || c.Value == "" {
		e.t.Fatalf("no session cookie after a write: %v", resp.Header)
	}
	return c
}
