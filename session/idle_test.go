package session_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

func idleEnv(t *testing.T) *env {
	return newEnv(t, func(m *session.Manager) {
		m.IdleTimeout = 30 * time.Minute
		m.IdleRefresh = 3 * time.Minute
	})
}

func readUser(t *testing.T, want bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, ok := session.Value[string](session.From(r), "user")
		if ok != want {
			t.Errorf("user present = %v, want %v", ok, want)
		}
	}
}

// TestIdleTimeoutEndsUnusedSession: a session unused for longer than
// IdleTimeout ends: its record is deleted, the cookie too, and the request
// sees a fresh session.
func TestIdleTimeoutEndsUnusedSession(t *testing.T) {
	e := idleEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	e.clock.Advance(29 * time.Minute)
	e.serve(readUser(t, true), "GET", "/", c)
	e.clock.Advance(31 * time.Minute) // since the last use, refreshed at 29
	resp := e.serve(readUser(t, false), "GET", "/", c)
	if _, ok := e.store.get(c.Value); ok {
		t.Error("the idle session's record survived")
	}
	if dc := sessionCookie(resp); dc == nil || dc.MaxAge >= 0 {
		t.Errorf("cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
	if !strings.Contains(e.logs.String(), "idle timeout") {
		t.Errorf("not logged: %s", e.logs.String())
	}
}

// TestIdleTimeoutFewWrites: read-only requests refresh the last use at
// most once per IdleRefresh: 1,000 requests a second apart (16 min 40 s)
// write 5 times (every 3 minutes), and the session stays alive.
func TestIdleTimeoutFewWrites(t *testing.T) {
	e := idleEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	before := e.store.writes()
	for range 1000 {
		e.clock.Advance(time.Second)
		e.serve(readUser(t, true), "GET", "/", c)
	}
	writes := e.store.writes() - before
	if writes != 5 {
		t.Errorf("1,000 read-only requests wrote %d times, want 5 (one per 3 minutes)", writes)
	}
	// Still alive well past IdleTimeout since the login, because used.
	e.clock.Advance(20 * time.Minute)
	e.serve(readUser(t, true), "GET", "/", c)
}

// TestIdleTimeoutHidesItsKey: the last-use stamp is not one of the
// session's keys, and a session holding only it is empty.
func TestIdleTimeoutHidesItsKey(t *testing.T) {
	e := idleEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		if got := strings.Join(s.Keys(), ","); got != "user" {
			t.Errorf("Keys = %s", got)
		}
		s.Delete("user")
	}, "POST", "/", c)
	if _, ok := e.store.get(c.Value); ok {
		t.Error("a session holding only its last-use stamp was kept")
	}
	if dc := sessionCookie(resp); dc == nil || dc.MaxAge >= 0 {
		t.Errorf("cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
}

// TestNoIdleTimeoutNoStamp: without IdleTimeout nothing changes: no stamp,
// no writes on reads.
func TestNoIdleTimeoutNoStamp(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	before := e.store.writes()
	for range 10 {
		e.clock.Advance(time.Hour)
		e.serve(readUser(t, true), "GET", "/", c)
	}
	if w := e.store.writes() - before; w != 0 {
		t.Errorf("%d writes", w)
	}
	rec, _ := e.store.get(c.Value)
	if strings.Contains(string(rec.Data), "_tether_seen") {
		t.Errorf("stamp stored: %s", rec.Data)
	}
}

// TestIdleTimeoutWithSaveEveryRequest: with SaveEveryRequest, a request
// that never touches its idle session still ends it (the record is
// deleted, the cookie too).
func TestIdleTimeoutWithSaveEveryRequest(t *testing.T) {
	e := newEnv(t, func(m *session.Manager) {
		m.IdleTimeout = 30 * time.Minute
		m.SaveEveryRequest = true
	})
	c := e.login(map[string]any{"user": "alice"})
	e.clock.Advance(31 * time.Minute)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {}, "GET", "/", c)
	if _, ok := e.store.get(c.Value); ok {
		t.Error("the idle session's record survived")
	}
	if dc := sessionCookie(resp); dc == nil || dc.MaxAge >= 0 {
		t.Errorf("cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
}
