package session_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

func TestHijackCommitsFirst(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	srv := httptest.NewServer(e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("ws", "open")
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		brw.Flush()
		if err := session.From(r).Set("late", 1); !errors.Is(err, session.ErrCommitted) {
			t.Errorf("Set after hijack: %v", err)
		}
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.AddCookie(c)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if rec, _ := e.store.get(c.Value); !strings.Contains(string(rec.Data), `"ws":"open"`) {
		t.Fatalf("session not saved before the hijack: %s", rec.Data)
	}
}

func TestHijackRefusedWhenANewCookieIsNeeded(t *testing.T) {
	for name, change := range map[string]func(s *session.Session){
		"new session": func(s *session.Session) { s.Set("ws", "open") },
		"cycle":       func(s *session.Session) { s.CycleKey() },
		"flush":       func(s *session.Session) { s.Flush() },
	} {
		e := newEnv(t)
		var c *http.Cookie
		if name != "new session" {
			c = e.login(map[string]any{"user": "alice"})
		}
		srv := httptest.NewServer(e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			change(session.From(r))
			if _, _, err := http.NewResponseController(w).Hijack(); !errors.Is(err, session.ErrHijackCookie) {
				t.Errorf("%s: Hijack = %v, want ErrHijackCookie", name, err)
			}
			w.WriteHeader(http.StatusBadRequest)
		})))
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if c != nil {
			req.AddCookie(c)
		}
		resp, err := http.DefaultClient.Do(req)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
	}
}

func TestUnsupportedHijackSavesNothing(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	writes := e.store.writes()
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("ws", "open")
		if _, _, err := http.NewResponseController(w).Hijack(); err == nil {
			t.Error("a recorder was hijacked")
		}
		http.Error(w, "cannot upgrade", http.StatusInternalServerError)
	}, "GET", "/", c)
	if resp.StatusCode != 500 || e.store.writes() != writes || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("status %d, %d writes, cookie %q", resp.StatusCode, e.store.writes()-writes, resp.Header.Get("Set-Cookie"))
	}
}

func TestErrorResponseDropsTheHandlersHeaders(t *testing.T) {
	e := newEnv(t)
	e.store.failWith = session.ErrUnavailable
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=60")
		session.From(r).Set("a", 1)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("Content-Disposition", "attachment; filename=x")
		w.Write([]byte("x"))
	}, "GET", "/")
	if resp.StatusCode != 503 || resp.Header.Get("Cache-Control") != "no-store" ||
		resp.Header.Get("Content-Disposition") != "" || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
}

func TestInvalidStatusSavesNothing(t *testing.T) {
	e := newEnv(t)
	func() {
		defer func() { recover() }() // net/http's recorder panics on an invalid code
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			session.From(r).Set("a", 1)
			w.WriteHeader(0)
		}, "GET", "/")
	}()
	if e.store.len() != 0 {
		t.Fatal("a session was saved for an invalid status code")
	}
}

func TestDeadRecordFromAStoreIsNeverUsed(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	// A store that (wrongly) returns a record past its expiry.
	e.store.mu.Lock()
	rec := e.store.recs[c.Value]
	rec.Expiry = e.clock.Now().Add(-time.Second)
	e.store.recs[c.Value] = rec
	e.store.mu.Unlock()
	e.store.ignoreExpiry = true
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if session.From(r).Has("user") {
			t.Error("a dead record was loaded")
		}
	}, "GET", "/", c)
}

func TestHijackRefusedWhenCommitFails(t *testing.T) {
	e := newEnv(t)
	e.store.failWith = session.ErrUnavailable
	srv := httptest.NewServer(e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("ws", "open")
		if _, _, err := w.(http.Hijacker).Hijack(); err == nil {
			t.Error("Hijack succeeded although the session could not be saved")
		}
		if _, err := w.Write([]byte("late")); err == nil {
			t.Error("Write after a replaced response succeeded")
		}
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
}

func TestUnwrapReachesTheServerWriter(t *testing.T) {
	e := newEnv(t)
	var inner http.ResponseWriter
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = w.(interface{ Unwrap() http.ResponseWriter }).Unwrap()
	})).ServeHTTP(rec, req)
	if inner != rec {
		t.Fatal("Unwrap does not return the wrapped writer")
	}
}

// WriteString commits the session first, like Write, and passes the string
// through without a copy.
func TestWriteStringCommitsFirst(t *testing.T) {
	e := newEnv(t)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("k", "v")
		if _, ok := w.(interface{ WriteString(string) (int, error) }); !ok {
			t.Error("the session writer has no WriteString")
		}
		io.WriteString(w, "hello")
		if err := session.From(r).Set("late", 1); !errors.Is(err, session.ErrCommitted) {
			t.Errorf("Set after WriteString: %v", err)
		}
	}, "GET", "/")
	if got := body(t, resp); sessionCookie(resp) == nil || got != "hello" {
		t.Fatalf("cookie %v, body %q", resp.Cookies(), got)
	}
}
