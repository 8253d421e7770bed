package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/session"
)

func TestUntouchedSessionCostsNothing(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"a": 1})
	before := e.store.calls()
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hi")) }, "GET", "/", c)
	if n := e.store.calls() - before; n != 0 {
		t.Fatalf("untouched session made %d store calls, want 0", n)
	}
	if resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("Vary") != "" {
		t.Fatalf("untouched session changed headers: %v", resp.Header)
	}
}

func TestReadOnlyIsOneLoadNoWrite(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"name": "Zoë"})
	loads, writes := e.store.loads.Load(), e.store.writes()
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		name, ok := session.Value[string](session.From(r), "name")
		if !ok || name != "Zoë" {
			t.Errorf("name = %q, %v", name, ok)
		}
		session.From(r).Has("other")
		session.From(r).Keys()
	}, "GET", "/", c)
	if got := e.store.loads.Load() - loads; got != 1 {
		t.Errorf("%d loads, want 1", got)
	}
	if got := e.store.writes() - writes; got != 0 {
		t.Errorf("%d writes for a read-only request, want 0", got)
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("read-only request sent a cookie: %q", resp.Header.Get("Set-Cookie"))
	}
	if resp.Header.Get("Vary") != "Cookie" {
		t.Errorf("Vary = %q, want Cookie", resp.Header.Get("Vary"))
	}
}

func TestNewSessionCookieDefaults(t *testing.T) {
	e := newEnv(t)
	resp := e.serve(setHandler(t, "cart", []int{1, 2, 3}), "GET", "/")
	c := sessionCookie(resp)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if !session.ValidKey(c.Value) {
		t.Errorf("key %q is not 32 chars of [a-z0-9]", c.Value)
	}
	if c.MaxAge != 1209600 || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Domain != "" {
		t.Errorf("cookie %+v does not have Django's defaults", c)
	}
	if want := e.clock.Now().Add(2 * 7 * 24 * time.Hour); !c.Expires.IsZero() && c.Expires.Before(want.Add(-time.Hour)) {
		// Expires is computed from the real clock by net/http; only check it exists.
		_ = want
	}
	rec, ok := e.store.get(c.Value)
	if !ok {
		t.Fatal("record not stored")
	}
	if got, want := rec.Expiry, e.clock.Now().Add(session.DefaultMaxAge); !got.Equal(want) {
		t.Errorf("record expiry %v, want %v", got, want)
	}
	if string(rec.Data) != `{"cart":[1,2,3]}` {
		t.Errorf("record data %s", rec.Data)
	}
	if resp.Header.Get("Vary") != "Cookie" {
		t.Errorf("Vary = %q", resp.Header.Get("Vary"))
	}
}

func TestRoundTripAcrossRequests(t *testing.T) {
	e := newEnv(t)
	type profile struct {
		Name  string
		Langs []string
	}
	c := e.login(map[string]any{"p": profile{"Zoë", []string{"go", "py"}}, "n": 42})
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		var p profile
		if ok, err := s.Get("p", &p); !ok || err != nil || p.Name != "Zoë" || len(p.Langs) != 2 {
			t.Errorf("Get = %+v, %v, %v", p, ok, err)
		}
		if n, ok := session.Value[int](s, "n"); !ok || n != 42 {
			t.Errorf("n = %d, %v", n, ok)
		}
		if _, ok := session.Value[int](s, "missing"); ok {
			t.Error("missing key reported present")
		}
		if got := strings.Join(s.Keys(), ","); got != "n,p" {
			t.Errorf("Keys = %s", got)
		}
	}, "GET", "/", c)
}

func TestUnchangedSessionIsNeverWritten(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"a": []int{1}})
	writes := e.store.writes()
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		a, _ := session.Value[[]int](s, "a")
		a[0] = 99 // changing a copy
		a = append(a, 5)
		if s.Modified() {
			t.Error("reading marked the session modified")
		}
	}, "GET", "/", c)
	if e.store.writes() != writes || resp.Header.Get("Set-Cookie") != "" {
		t.Fatal("unchanged session was written")
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if a, _ := session.Value[[]int](session.From(r), "a"); len(a) != 1 || a[0] != 1 {
			t.Errorf("mutating a copy changed the session: %v", a)
		}
	}, "GET", "/", c)
}

func TestSetCopiesTheValue(t *testing.T) {
	e := newEnv(t)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		m := map[string]int{"x": 1}
		s := session.From(r)
		s.Set("m", m)
		m["x"] = 2 // after Set: not seen
		got, _ := session.Value[map[string]int](s, "m")
		if got["x"] != 1 {
			t.Errorf("Set did not copy: %v", got)
		}
	}, "GET", "/")
	rec, _ := e.store.get(sessionCookie(resp).Value)
	if string(rec.Data) != `{"m":{"x":1}}` {
		t.Errorf("stored %s", rec.Data)
	}
}

func TestExpiredRecordRejectedEvenWithCookie(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	e.clock.Advance(session.DefaultMaxAge + time.Second)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if session.From(r).Has("user") {
			t.Error("expired session loaded")
		}
	}, "GET", "/", c)
	del := sessionCookie(resp)
	if del == nil || del.MaxAge >= 0 || del.Value != "" {
		t.Fatalf("stale cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
	// A write after expiry gets a brand-new key.
	resp = e.serve(setHandler(t, "x", 1), "GET", "/", c)
	if nc := sessionCookie(resp); nc == nil || nc.Value == c.Value {
		t.Fatalf("expired key reused: %v", resp.Header["Set-Cookie"])
	}
}

func TestUnknownKeyIsNeverAdopted(t *testing.T) {
	e := newEnv(t)
	forged := &http.Cookie{Name: "sessionid", Value: session.NewKey()}
	resp := e.serve(setHandler(t, "x", 1), "GET", "/", forged)
	c := sessionCookie(resp)
	if c == nil || c.Value == forged.Value {
		t.Fatalf("forged key adopted: %v", resp.Header["Set-Cookie"])
	}
	if _, ok := e.store.get(forged.Value); ok {
		t.Fatal("a record was created under the forged key")
	}
	if _, ok := e.store.get(c.Value); !ok {
		t.Fatal("no record under the new key")
	}
}

func TestMalformedCookieIsDeletedWithoutStoreCall(t *testing.T) {
	for _, v := range []string{"short", "../../etc/passwd", strings.Repeat("A", 32), strings.Repeat("a", 33), "%00"} {
		e := newEnv(t)
		resp := e.serve(func(w http.ResponseWriter, r *http.Request) {}, "GET", "/", &http.Cookie{Name: "sessionid", Value: v})
		if e.store.calls() != 0 {
			t.Errorf("%q: %d store calls", v, e.store.calls())
		}
		if c := sessionCookie(resp); c == nil || c.MaxAge >= 0 {
			t.Errorf("%q: malformed cookie not deleted: %v", v, resp.Header["Set-Cookie"])
		}
	}
}

func TestSetExpiry(t *testing.T) {
	cases := []struct {
		name       string
		set        func(s *session.Session) error
		wantMaxAge int // -1: no Max-Age (browser session)
		wantRecord time.Duration
		configure  func(*session.Manager)
	}{
		{"zero means browser close", func(s *session.Session) error { return s.SetExpiry(0) }, -1, session.DefaultMaxAge, nil},
		{"seconds", func(s *session.Session) error { return s.SetExpiry(300 * time.Second) }, 300, 300 * time.Second, nil},
		{"rounded up", func(s *session.Session) error { return s.SetExpiry(1500 * time.Millisecond) }, 2, 2 * time.Second, nil},
		{"at", func(s *session.Session) error { return s.SetExpiryAt(time.Unix(1700000000+90, 0)) }, 90, 90 * time.Second, nil},
		{"manager browser close", func(s *session.Session) error { return nil }, -1, session.DefaultMaxAge,
			func(m *session.Manager) { m.ExpireAtBrowserClose = true }},
		{"session overrides manager", func(s *session.Session) error { return s.SetExpiry(60 * time.Second) }, 60, time.Minute,
			func(m *session.Manager) { m.ExpireAtBrowserClose = true }},
		{"manager max age", func(s *session.Session) error { return nil }, 3600, time.Hour,
			func(m *session.Manager) { m.MaxAge = time.Hour }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var cfg []func(*session.Manager)
			if tc.configure != nil {
				cfg = append(cfg, tc.configure)
			}
			e := newEnv(t, cfg...)
			resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.From(r)
				s.Set("user", "alice")
				if err := tc.set(s); err != nil {
					t.Fatal(err)
				}
			}, "GET", "/")
			c := sessionCookie(resp)
			raw := resp.Header.Get("Set-Cookie")
			if tc.wantMaxAge < 0 {
				if strings.Contains(raw, "Max-Age") || strings.Contains(raw, "Expires") {
					t.Errorf("cookie %q should end with the browser", raw)
				}
			} else if c.MaxAge != tc.wantMaxAge || !strings.Contains(raw, "Expires=") {
				t.Errorf("cookie %q, want Max-Age=%d with Expires", raw, tc.wantMaxAge)
			}
			rec, _ := e.store.get(c.Value)
			if want := e.clock.Now().Add(tc.wantRecord); !rec.Expiry.Equal(want) {
				t.Errorf("record expiry %v, want %v", rec.Expiry, want)
			}
		})
	}
}

func TestSetExpiryResetAndAge(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		if s.ExpiryAge() != session.DefaultMaxAge || s.ExpireAtBrowserClose() {
			t.Errorf("default age %v, browser close %v", s.ExpiryAge(), s.ExpireAtBrowserClose())
		}
		s.SetExpiry(10 * time.Second)
		if s.ExpiryAge() != 10*time.Second {
			t.Errorf("age %v after SetExpiry(10s)", s.ExpiryAge())
		}
		s.SetExpiry(0)
		if s.ExpiryAge() != session.DefaultMaxAge || !s.ExpireAtBrowserClose() {
			t.Errorf("SetExpiry(0): age %v, browser close %v", s.ExpiryAge(), s.ExpireAtBrowserClose())
		}
		s.SetExpiry(session.DefaultExpiry)
		if s.ExpiryAge() != session.DefaultMaxAge || s.ExpireAtBrowserClose() {
			t.Errorf("reset: age %v", s.ExpiryAge())
		}
		if strings.Join(s.Keys(), ",") != "user" {
			t.Errorf("Keys shows the expiry setting: %v", s.Keys())
		}
	}, "GET", "/", c)
}

func TestDjangoExpiryForms(t *testing.T) {
	// Records written by Django keep _session_expiry as an int or an ISO string.
	e := newEnv(t)
	for _, tc := range []struct {
		raw  string
		want time.Duration
	}{
		{`300`, 300 * time.Second},
		{`"2023-11-14T22:14:50+00:00"`, 90 * time.Second},
		{`"2023-11-14T22:14:50.000000Z"`, 90 * time.Second},
		{`"garbage"`, session.DefaultMaxAge},
	} {
		key := session.NewKey()
		e.store.Create(t.Context(), key, session.Record{
			Data: []byte(`{"_session_expiry":` + tc.raw + `,"u":1}`), Expiry: e.clock.Now().Add(time.Hour)})
		e.serve(func(w http.ResponseWriter, r *http.Request) {
			if got := session.From(r).ExpiryAge(); got != tc.want {
				t.Errorf("%s: age %v, want %v", tc.raw, got, tc.want)
			}
		}, "GET", "/", &http.Cookie{Name: "sessionid", Value: key})
	}
}

func TestCycleKeyKeepsDataAndKillsOldKey(t *testing.T) {
	e := newEnv(t)
	old := e.login(map[string]any{"cart": map[string]int{"5": 2}})
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		if err := s.CycleKey(); err != nil {
			t.Fatal(err)
		}
		s.Set("user", "demo")
	}, "POST", "/login", old)
	nc := sessionCookie(resp)
	if nc == nil || nc.Value == old.Value || !session.ValidKey(nc.Value) {
		t.Fatalf("no new key: %v", resp.Header["Set-Cookie"])
	}
	if _, ok := e.store.get(old.Value); ok {
		t.Fatal("old record still live")
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		cart, _ := session.Value[map[string]int](s, "cart")
		user, _ := session.Value[string](s, "user")
		if cart["5"] != 2 || user != "demo" {
			t.Errorf("after cycle: cart %v user %q", cart, user)
		}
	}, "GET", "/", nc)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if session.From(r).Has("cart") {
			t.Error("the old key still works")
		}
	}, "GET", "/", old)
}

func TestCycleKeyCarriesConcurrentChange(t *testing.T) {
	e := newEnv(t)
	old := e.login(map[string]any{"a": 1})
	// Between this request's load and its retirement of the old record,
	// another request adds "b" to it: the new record must have it.
	staged := false
	e.store.beforeUpdate = func(key string) {
		if key == old.Value && !staged {
			staged = true
			e.store.mutate(key, func(v map[string]json.RawMessage) { v["b"] = json.RawMessage("2") })
		}
	}
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Has("a")
		s.CycleKey()
	}, "POST", "/login", old)
	nc := sessionCookie(resp)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if got := strings.Join(session.From(r).Keys(), ","); got != "a,b" {
			t.Errorf("keys after cycle with a concurrent change: %s", got)
		}
	}, "GET", "/", nc)
	if _, ok := e.store.get(old.Value); ok {
		t.Fatal("old record still live")
	}
}

func TestFlushDeletesRecordAndCookie(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Flush(); err != nil {
			t.Fatal(err)
		}
	}, "POST", "/logout", c)
	if _, ok := e.store.get(c.Value); ok {
		t.Fatal("record survived Flush")
	}
	del := sessionCookie(resp)
	if del == nil || del.MaxAge >= 0 || !strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
	if resp.Header.Get("Vary") != "Cookie" {
		t.Errorf("Vary = %q", resp.Header.Get("Vary"))
	}
}

func TestFlushThenSetUsesNewKey(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Flush()
		s.Set("notice", "bye")
		if s.Has("user") {
			t.Error("Flush kept data")
		}
	}, "POST", "/logout", c)
	nc := sessionCookie(resp)
	if nc == nil || nc.Value == c.Value {
		t.Fatalf("Flush+Set kept the old key: %v", resp.Header["Set-Cookie"])
	}
	if _, ok := e.store.get(c.Value); ok {
		t.Fatal("old record survived")
	}
	if rec, _ := e.store.get(nc.Value); string(rec.Data) != `{"notice":"bye"}` {
		t.Fatalf("new record %s", rec.Data)
	}
}

func TestEmptiedSessionIsDeleted(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"a": 1})
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Delete("a")
	}, "GET", "/", c)
	if e.store.len() != 0 {
		t.Fatal("emptied record still stored")
	}
	if del := sessionCookie(resp); del == nil || del.MaxAge >= 0 {
		t.Fatalf("cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
	// Deleting a missing key changes nothing.
	c = e.login(map[string]any{"a": 1})
	writes := e.store.writes()
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Delete("nope")
		if s.Modified() {
			t.Error("Delete of a missing key marked the session modified")
		}
	}, "GET", "/", c)
	if e.store.writes() != writes {
		t.Fatal("Delete of a missing key wrote")
	}
}

func TestEmptyNewSessionIsNotStored(t *testing.T) {
	e := newEnv(t)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Set("a", 1)
		s.Delete("a")
		s.SetExpiry(0) // only the expiry setting: still empty
	}, "GET", "/")
	if e.store.len() != 0 || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("empty session stored (%d records) or cookie sent %v", e.store.len(), resp.Header["Set-Cookie"])
	}
}

func TestLogoutBeatsSlowRequest(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	loaded := make(chan struct{})
	proceed := make(chan struct{})
	done := make(chan *http.Response)
	go func() {
		done <- e.serve(func(w http.ResponseWriter, r *http.Request) {
			s := session.From(r)
			s.Has("user") // loads the record before the logout
			close(loaded)
			<-proceed
			s.Set("cart", []int{1})
		}, "POST", "/cart", c)
	}()
	<-loaded
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() }, "POST", "/logout", c)
	close(proceed)
	resp := <-done
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("slow request after logout: status %d, want 400", resp.StatusCode)
	}
	if e.store.len() != 0 {
		t.Fatalf("the slow request brought the session back (%d records)", e.store.len())
	}
	if c := sessionCookie(resp); c != nil && c.MaxAge >= 0 {
		t.Fatalf("slow request set a live cookie: %v", resp.Header["Set-Cookie"])
	}
	if !strings.Contains(e.logs.String(), "session was deleted") {
		t.Errorf("interruption not logged: %s", e.logs.String())
	}
}

func TestServerErrorSavesNothing(t *testing.T) {
	for _, code := range []int{500, 502, 503} {
		e := newEnv(t)
		c := e.login(map[string]any{"a": 1})
		writes := e.store.writes()
		resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
			session.From(r).Set("a", 2)
			session.Update(session.From(r), "n", func(n int) int { return n + 1 })
			w.WriteHeader(code)
		}, "POST", "/", c)
		if e.store.writes() != writes {
			t.Errorf("%d: session written", code)
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%d: cookie sent", code)
		}
		if rec, ok := e.store.get(c.Value); !ok || string(rec.Data) != `{"a":1}` {
			t.Errorf("%d: record changed: %s", code, rec.Data)
		}
	}
}

func TestLogoutTakesEffectEvenOn5xx(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Flush()
		w.WriteHeader(http.StatusInternalServerError) // the logout page failed to render
	}, "POST", "/logout", c)
	if _, ok := e.store.get(c.Value); ok {
		t.Fatal("a logout that ended in a 500 left the session alive")
	}
}

func TestCommitSurvivesClientDisconnect(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"user": "alice"})
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("POST", "/logout", nil).WithContext(ctx)
	req.AddCookie(c)
	e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Flush()
		cancel() // the user closed the tab
	})).ServeHTTP(httptest.NewRecorder(), req)
	if _, ok := e.store.get(c.Value); ok {
		t.Fatal("the logout was lost when the client disconnected")
	}
}

func TestClientErrorStillSaves(t *testing.T) {
	e := newEnv(t)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("flash", "Please check the input again.")
		w.WriteHeader(http.StatusUnprocessableEntity)
	}, "POST", "/")
	if sessionCookie(resp) == nil || e.store.len() != 1 {
		t.Fatal("a 4xx response did not save the session")
	}
}

func TestCommitBeforeHeaders(t *testing.T) {
	ways := map[string]func(w http.ResponseWriter){
		"WriteHeader": func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) },
		"Write":       func(w http.ResponseWriter) { w.Write([]byte("x")) },
		"Flush":       func(w http.ResponseWriter) { w.(http.Flusher).Flush() },
		"Controller":  func(w http.ResponseWriter) { http.NewResponseController(w).Flush() },
		"ReadFrom":    func(w http.ResponseWriter) { fmt.Fprint(w, "x") },
		"return":      func(w http.ResponseWriter) {},
	}
	for name, write := range ways {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			var afterErr error
			resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.From(r)
				s.Set("a", 1)
				write(w)
				afterErr = s.Set("b", 2)
			}, "GET", "/")
			c := sessionCookie(resp)
			if c == nil {
				t.Fatalf("no cookie: %v", resp.Header)
			}
			want := `{"a":1}`
			if name == "return" {
				want = `{"a":1,"b":2}` // nothing was written before the handler returned
			}
			rec, _ := e.store.get(c.Value)
			if string(rec.Data) != want {
				t.Errorf("stored %s, want %s", rec.Data, want)
			}
			if name != "return" && !errors.Is(afterErr, session.ErrCommitted) {
				t.Errorf("Set after headers: %v, want ErrCommitted", afterErr)
			}
		})
	}
}

func TestStoreUnavailable(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"a": 1})
	e.store.failWith = fmt.Errorf("dial tcp: %w", session.ErrUnavailable)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Has("a")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"secret":"page"}`))
	}, "GET", "/", c)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	if b := body(t, resp); strings.Contains(b, "secret") {
		t.Fatalf("handler output leaked after a failed load: %q", b)
	}
	if !strings.Contains(e.logs.String(), "store unavailable") {
		t.Errorf("failure not logged: %s", e.logs.String())
	}
	// The store comes back: requests succeed again.
	e.store.failWith = nil
	resp = e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Set("a", 2) }, "GET", "/", c)
	if resp.StatusCode != 200 {
		t.Fatalf("after recovery: %d", resp.StatusCode)
	}
}

func TestStoreOtherErrorIs500AndCustomHandler(t *testing.T) {
	e := newEnv(t)
	e.store.failWith = errors.New("disk full")
	resp := e.serve(setHandler(t, "a", 1), "GET", "/")
	if resp.StatusCode != 500 {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	var got error
	e2 := newEnv(t, func(m *session.Manager) {
		m.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(http.StatusTeapot)
		}
	})
	e2.store.failWith = errors.New("disk full")
	resp = e2.serve(setHandler(t, "a", 1), "GET", "/")
	if resp.StatusCode != http.StatusTeapot || got == nil || !strings.Contains(got.Error(), "disk full") {
		t.Fatalf("custom handler: status %d err %v", resp.StatusCode, got)
	}
}

func TestUndecodableRecordIsEmptySession(t *testing.T) {
	e := newEnv(t)
	key := session.NewKey()
	e.store.Create(t.Context(), key, session.Record{Data: []byte("\x00not json"), Expiry: e.clock.Now().Add(time.Hour)})
	c := &http.Cookie{Name: "sessionid", Value: key}
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		if len(session.From(r).Keys()) != 0 {
			t.Error("garbage decoded to values")
		}
		session.From(r).Set("a", 1)
	}, "GET", "/", c)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if rec, _ := e.store.get(key); string(rec.Data) != `{"a":1}` {
		t.Fatalf("record not overwritten: %q", rec.Data)
	}
	if !strings.Contains(e.logs.String(), "does not decode") {
		t.Error("not logged")
	}
}

func TestNoMiddleware(t *testing.T) {
	r, _ := http.NewRequest("GET", "/", nil)
	s := session.From(r)
	if s != nil {
		t.Fatal("session without middleware")
	}
	if err := s.Set("a", 1); !errors.Is(err, session.ErrNoMiddleware) {
		t.Errorf("Set: %v", err)
	}
	if _, err := s.Get("a", new(int)); !errors.Is(err, session.ErrNoMiddleware) {
		t.Errorf("Get: %v", err)
	}
	if _, err := session.Update(s, "n", func(n int) int { return n + 1 }); !errors.Is(err, session.ErrNoMiddleware) {
		t.Errorf("Update: %v", err)
	}
	if s.Flush() == nil || s.CycleKey() == nil || s.Delete("a") == nil || s.Has("a") || s.Keys() != nil || s.Modified() {
		t.Error("nil session methods should fail safely")
	}
}

func TestSaveEveryRequest(t *testing.T) {
	e := newEnv(t, func(m *session.Manager) { m.SaveEveryRequest = true })
	c := e.login(map[string]any{"a": 1})
	e.clock.Advance(time.Hour)
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {}, "GET", "/", c)
	if nc := sessionCookie(resp); nc == nil || nc.Value != c.Value {
		t.Fatalf("cookie not re-sent: %v", resp.Header["Set-Cookie"])
	}
	rec, _ := e.store.get(c.Value)
	if want := e.clock.Now().Add(session.DefaultMaxAge); !rec.Expiry.Equal(want) {
		t.Fatalf("expiry not extended: %v want %v", rec.Expiry, want)
	}
	// Without a session, nothing is created.
	resp = e.serve(func(w http.ResponseWriter, r *http.Request) {}, "GET", "/")
	if resp.Header.Get("Set-Cookie") != "" {
		t.Fatal("SaveEveryRequest created a session")
	}
}

func TestVaryIsMerged(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"a": 1})
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding, cookie")
		session.From(r).Has("a")
	}, "GET", "/", c)
	if got := resp.Header.Values("Vary"); len(got) != 1 {
		t.Fatalf("Vary = %q", got)
	}
}

func TestConflictReplaysOperations(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": 0})
	once := false
	e.store.beforeUpdate = func(key string) {
		if !once {
			once = true
			// Another process sets n to 10 and adds other.
			e.store.mutate(key, func(v map[string]json.RawMessage) {
				v["n"] = json.RawMessage("10")
				v["other"] = json.RawMessage("true")
			})
		}
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		got, err := session.Update(s, "n", func(n int) int { return n + 1 })
		if err != nil || got != 1 {
			t.Errorf("Update = %d, %v", got, err)
		}
		s.Set("mine", "x")
	}, "GET", "/", c)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		n, _ := session.Value[int](s, "n")
		if n != 11 || !s.Has("other") || !s.Has("mine") {
			t.Errorf("after conflict: n=%d keys=%v", n, s.Keys())
		}
	}, "GET", "/", c)
}

func TestTooManyConflicts(t *testing.T) {
	e := newEnv(t, func(m *session.Manager) { m.MaxRetries = 3 })
	c := e.login(map[string]any{"n": 0})
	e.store.beforeUpdate = func(key string) {
		// Every attempt loses to a concurrent writer.
		e.store.mu.Lock()
		rec := e.store.recs[key]
		e.store.nextVer++
		rec.Version = session.Version(e.store.nextVer)
		e.store.recs[key] = rec
		e.store.mu.Unlock()
	}
	resp := e.serve(setHandler(t, "a", 1), "GET", "/", c)
	if resp.StatusCode != 500 || !strings.Contains(e.logs.String(), "too many concurrent changes") {
		t.Fatalf("status %d, log %s", resp.StatusCode, e.logs.String())
	}
	if got := e.store.updates.Load(); got != 4 {
		t.Errorf("%d update attempts, want 4 (1 + MaxRetries)", got)
	}
}

func TestUpdateWithWrongTypeFails(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": "not a number"})
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, err := session.Update(session.From(r), "n", func(n int) int { return n + 1 })
		if err == nil {
			t.Error("Update decoded a string as int")
		}
		if session.From(r).Modified() {
			t.Error("failed Update marked the session modified")
		}
	}, "GET", "/", c)
}

func TestUnencodableValue(t *testing.T) {
	e := newEnv(t)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Set("ch", make(chan int)); err == nil {
			t.Error("Set of a channel succeeded")
		}
	}, "GET", "/")
	if e.store.len() != 0 {
		t.Fatal("stored")
	}
}

func TestInformationalStatusDoesNotCommit(t *testing.T) {
	e := newEnv(t)
	// A real server: the recorder takes the first status as final.
	srv := httptest.NewServer(e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		w.WriteHeader(http.StatusEarlyHints)
		if err := s.Set("a", 1); err != nil {
			t.Errorf("Set after 103: %v", err)
		}
	})))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || sessionCookie(resp) == nil {
		t.Fatalf("status %d, no cookie after a 103 then a 200: %v", resp.StatusCode, resp.Header)
	}
}

func TestCustomCookieAttributes(t *testing.T) {
	e := newEnv(t, func(m *session.Manager) {
		m.CookieName = "sid"
		m.Cookie.Domain = "example.com"
		m.Cookie.Path = "/app"
		m.Cookie.Secure = true
		m.Cookie.SameSite = http.SameSiteStrictMode
	})
	resp := e.serve(setHandler(t, "a", 1), "GET", "/app/")
	raw := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"sid=", "Domain=example.com", "Path=/app", "Secure", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(raw, want) {
			t.Errorf("cookie %q lacks %q", raw, want)
		}
	}
	c := resp.Cookies()[0]
	resp = e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() }, "GET", "/app/", c)
	raw = resp.Header.Get("Set-Cookie")
	for _, want := range []string{"sid=;", "Domain=example.com", "Path=/app", "Max-Age=0"} {
		if !strings.Contains(raw, want) {
			t.Errorf("deletion %q lacks %q", raw, want)
		}
	}
}

func TestMisconfigurationFailsAtSetup(t *testing.T) {
	for name, m := range map[string]*session.Manager{
		"nil store":       {},
		"bad cookie name": {Store: newFakeStore(time.Now), CookieName: "bad name"},
		"__Host- domain":  {Store: newFakeStore(time.Now), CookieName: "__Host-sid", Cookie: cookie.Options{Domain: "example.com"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Middleware did not refuse the configuration", name)
				}
			}()
			m.Middleware(http.NotFoundHandler())
		}()
	}
}

func TestUpdateFunctionUsingTheSessionFailsInsteadOfDeadlocking(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"total": 10, "discount": 3})
	var inner error
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		session.Update(s, "total", func(n int) int {
			_, inner = s.Get("discount", new(int))
			return n - 3
		})
		w.Write([]byte("done"))
	}, "GET", "/", c)
	if !errors.Is(inner, session.ErrReentrant) {
		t.Fatalf("Get inside Update = %v, want ErrReentrant", inner)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestHugeStoredExpiryDoesNotOverflow(t *testing.T) {
	e := newEnv(t)
	key := session.NewKey()
	e.store.Create(t.Context(), key, session.Record{Data: []byte(`{"_session_expiry":9223372036854775807,"u":1}`), Expiry: e.clock.Now().Add(time.Hour)})
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		if age := s.ExpiryAge(); age <= 0 {
			t.Errorf("age %v", age)
		}
		s.Set("u", 2)
	}, "GET", "/", &http.Cookie{Name: "sessionid", Value: key})
	if rec, ok := e.store.get(key); !ok || !rec.Expiry.After(e.clock.Now()) {
		t.Fatalf("record saved already dead: %v %v", rec.Expiry, ok)
	}
}
