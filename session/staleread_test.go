package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// staged makes one concurrent change to the record under key just before
// the request's first compare-and-swap of it.
func staged(e *env, key string, change func(map[string]json.RawMessage)) {
	done := false
	e.store.beforeUpdate = func(k string) {
		if k == key && !done {
			done = true
			e.store.mutate(k, change)
		}
	}
}

func storedValue(t *testing.T, e *env, key, name string) string {
	t.Helper()
	rec, ok := e.store.get(key)
	if !ok {
		t.Fatalf("no record under %s", key)
	}
	var vals map[string]json.RawMessage
	if err := json.Unmarshal(rec.Data, &vals); err != nil {
		t.Fatal(err)
	}
	return string(vals[name])
}

// TestReadThenSetNeverReplayedOverAChange is the tutorial's trap: a
// request reads n, another request changes n, the first sets n+1. Its Set
// must not be replayed over the other change: the request fails with 409
// before its response goes out, and the other change stays.
func TestReadThenSetNeverReplayedOverAChange(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": 1})
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["n"] = json.RawMessage("5") })
	handlerSawOK := false
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		n, _ := session.Value[int](s, "n")
		if err := s.Set("n", n+1); err != nil {
			t.Fatal(err)
		}
		handlerSawOK = true
		w.Write([]byte("saved"))
	}, "POST", "/incr", c)
	if !handlerSawOK {
		t.Fatal("handler did not run")
	}
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("status %d, want 409", resp.StatusCode)
	}
	if resp.Header.Get("Retry-After") != "0" {
		t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	if b := body(t, resp); strings.Contains(b, "saved") {
		t.Errorf("the handler's body went out: %q", b)
	}
	if got := storedValue(t, e, c.Value, "n"); got != "5" {
		t.Errorf("stored n = %s, want the concurrent 5", got)
	}
	if !strings.Contains(e.logs.String(), "changed by a concurrent request") {
		t.Errorf("not logged: %s", e.logs.String())
	}
}

// TestReadThenDeleteNeverReplayedOverAChange: deleting a value decided on
// from a read is the same trap.
func TestReadThenDeleteNeverReplayedOverAChange(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": 1, "keep": true})
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["n"] = json.RawMessage("2") })
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		if n, _ := session.Value[int](s, "n"); n == 1 {
			s.Delete("n")
		}
	}, "POST", "/", c)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("status %d, want 409", resp.StatusCode)
	}
	if got := storedValue(t, e, c.Value, "n"); got != "2" {
		t.Errorf("stored n = %s, want 2", got)
	}
}

// TestReadThenSetReplayedWhenReadValueUnchanged: a concurrent change to
// another key is no reason to fail: the Set is replayed and both land.
func TestReadThenSetReplayedWhenReadValueUnchanged(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": 1})
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["other"] = json.RawMessage("7") })
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		n, _ := session.Value[int](s, "n")
		s.Set("n", n+1)
	}, "POST", "/", c)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n, o := storedValue(t, e, c.Value, "n"), storedValue(t, e, c.Value, "other"); n != "2" || o != "7" {
		t.Errorf("n=%s other=%s, want 2 and 7", n, o)
	}
}

// TestReadOfMissingKey: reading a key that is not there is a read too.
// When another request creates it meanwhile, the Set decided on from its
// absence fails with 409; when it is still missing, the Set is replayed.
func TestReadOfMissingKey(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(map[string]json.RawMessage)
		status int
		want   string
	}{
		{"created meanwhile", func(v map[string]json.RawMessage) { v["cart"] = json.RawMessage(`"theirs"`) }, http.StatusConflict, `"theirs"`},
		{"still missing", func(v map[string]json.RawMessage) { v["other"] = json.RawMessage("7") }, http.StatusOK, `"mine"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			ck := e.login(map[string]any{"n": 1})
			staged(e, ck.Value, c.change)
			resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
				s := session.From(r)
				if _, ok := session.Value[string](s, "cart"); !ok {
					s.Set("cart", "mine")
				}
			}, "POST", "/", ck)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if got := storedValue(t, e, ck.Value, "cart"); got != c.want {
				t.Errorf("stored cart = %s, want %s", got, c.want)
			}
		})
	}
}

// TestBlindSetStillReplayed: a Set of a key the request never read is a
// plain write ("the user chose dark mode") and is replayed as before.
func TestBlindSetStillReplayed(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"theme": "light"})
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["theme"] = json.RawMessage(`"blue"`) })
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("theme", "dark")
	}, "POST", "/", c)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := storedValue(t, e, c.Value, "theme"); got != `"dark"` {
		t.Errorf("theme = %s", got)
	}
}

// TestReadAfterOwnWriteIsNoRead: reading back what the request itself set
// says nothing about the stored value, so a concurrent change to it does
// not fail the request (the request's Set wins, as a blind Set does).
func TestReadAfterOwnWriteIsNoRead(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": 1})
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["n"] = json.RawMessage("9") })
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Set("n", 3)
		if n, _ := session.Value[int](s, "n"); n != 3 {
			t.Errorf("read back %d", n)
		}
		s.Set("n", 4)
	}, "POST", "/", c)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := storedValue(t, e, c.Value, "n"); got != "4" {
		t.Errorf("n = %s", got)
	}
}

// TestUpdateAfterReadIsReplayed: Update recomputes on the fresh value, so
// a read before it is harmless.
func TestUpdateAfterReadIsReplayed(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": 1})
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["n"] = json.RawMessage("10") })
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		session.Value[int](s, "n")
		session.Update(s, "n", func(n int) int { return n + 1 })
	}, "POST", "/", c)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := storedValue(t, e, c.Value, "n"); got != "11" {
		t.Errorf("n = %s, want 11", got)
	}
}

// TestManyReadsTracked: more reads than the inline slots are tracked too.
func TestManyReadsTracked(t *testing.T) {
	e := newEnv(t)
	vals := map[string]any{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		vals[k] = 1
	}
	c := e.login(vals)
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["f"] = json.RawMessage("2") })
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
			s.Has(k)
		}
		s.Set("f", 100)
	}, "POST", "/", c)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("status %d, want 409", resp.StatusCode)
	}
}

// TestStaleReadStatus maps the error for custom handlers.
func TestStaleReadStatus(t *testing.T) {
	if got := session.StatusFor(session.ErrStaleRead); got != http.StatusConflict {
		t.Errorf("StatusFor(ErrStaleRead) = %d", got)
	}
}

// hangingStore never answers until its context is done, like a paused
// backend.
type hangingStore struct{ *fakeStore }

func (h hangingStore) Load(ctx context.Context, key string) (session.Record, error) {
	<-ctx.Done()
	return session.Record{}, ctx.Err()
}

func (h hangingStore) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

// TestHungStoreAnswers503: a store that never answers fails the request
// with 503 after StoreTimeout, reported as ErrUnavailable.
func TestHungStoreAnswers503(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"n": 1})
	var gotErr error
	e.mgr = &session.Manager{
		Store:        hangingStore{e.store},
		StoreTimeout: 20 * time.Millisecond,
		Logger:       e.mgr.Logger,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			session.DefaultErrorHandler(w, r, err)
		},
	}
	resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.Value[int](session.From(r), "n")
	}, "GET", "/", c)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	if !errors.Is(gotErr, session.ErrUnavailable) {
		t.Errorf("error %v does not match ErrUnavailable", gotErr)
	}
}

// TestStoreTimeoutBoundsEachCall: each store call gets a deadline no
// later than StoreTimeout; a Local store's calls get none.
func TestStoreTimeoutBoundsEachCall(t *testing.T) {
	e := newEnv(t, func(m *session.Manager) { m.StoreTimeout = 300 * time.Millisecond })
	c := e.login(map[string]any{"n": 1})
	var deadline time.Time
	var has bool
	e.store.onLoad = func(ctx context.Context) { deadline, has = ctx.Deadline() }
	start := time.Now()
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c)
	if !has || deadline.After(start.Add(300*time.Millisecond+time.Second)) {
		t.Errorf("Load ran with deadline %v (set: %v)", deadline, has)
	}

	local := &localStore{e.store}
	m := &session.Manager{Store: local, Now: e.clock.Now}
	e.mgr = m
	e.store.onLoad = func(ctx context.Context) { _, has = ctx.Deadline() }
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c)
	if has {
		t.Error("a Local store's Load got a deadline")
	}
}

type localStore struct{ *fakeStore }

func (localStore) Local() bool { return true }

// TestManagerNeedsOneBackend: a Manager takes a Store or a CookieStore,
// and refuses neither or both at once.
func TestManagerNeedsOneBackend(t *testing.T) {
	for name, m := range map[string]*session.Manager{
		"neither": {},
		"both":    {Store: newFakeStore(time.Now), CookieStore: fakeCookies{}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Middleware did not panic")
				}
			}()
			m.Middleware(http.NotFoundHandler())
		})
	}
}

type fakeCookies struct{}

func (fakeCookies) SealCookie(session.Record) (string, error) { return "x", nil }
func (fakeCookies) OpenCookie(string) (session.Record, error) {
	return session.Record{}, errors.New("no")
}

// TestRequestContextKeepsCancellation: the context that carries the
// session is the request's: its cancellation reaches the handler and the
// contexts it derives, and its values are still there.
func TestRequestContextKeepsCancellation(t *testing.T) {
	type key struct{}
	e := newEnv(t)
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	req := httptest.NewRequest("GET", "/", nil).WithContext(parent)
	done := make(chan struct{})
	h := e.mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if session.From(r) == nil || r.Context().Value(key{}) != "v" {
			t.Error("session or parent value missing")
		}
		derived, stop := context.WithTimeout(r.Context(), time.Hour)
		defer stop()
		cancel()
		select {
		case <-derived.Done():
		case <-time.After(10 * time.Second):
			t.Error("the request's cancellation did not reach a derived context")
		}
		close(done)
	}))
	h.ServeHTTP(httptest.NewRecorder(), req)
	<-done
}
