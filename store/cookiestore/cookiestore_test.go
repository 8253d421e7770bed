package cookiestore_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/cookiestore"
)

const djangoKey = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type app struct {
	t     *testing.T
	mgr   *session.Manager
	clock *clock
	logs  *bytes.Buffer
}

func newApp(t *testing.T, newStore func(now func() time.Time) (*cookiestore.Store, error)) *app {
	c := &clock{t: time.Unix(1700000000, 0)}
	s, err := newStore(c.Now)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	return &app{t: t, clock: c, logs: logs, mgr: &session.Manager{
		CookieStore: s, Now: c.Now, Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}}
}

func encrypted(t *testing.T) *app {
	return newApp(t, func(now func() time.Time) (*cookiestore.Store, error) {
		return cookiestore.NewEncrypted([]byte("a secret key for the tests"))
	})
}

func signed(t *testing.T) *app {
	return newApp(t, func(now func() time.Time) (*cookiestore.Store, error) {
		return cookiestore.NewSigned([]byte(djangoKey), cookiestore.WithClock(now))
	})
}

func (a *app) serve(h http.HandlerFunc, c *http.Cookie) *http.Response {
	req := httptest.NewRequest("GET", "/", nil)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	a.mgr.Middleware(h).ServeHTTP(rec, req)
	return rec.Result()
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			return c
		}
	}
	return nil
}

func set(key string, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { session.From(r).Set(key, v) }
}

func TestEncryptedRoundTrip(t *testing.T) {
	a := encrypted(t)
	c := sessionCookie(a.serve(set("secret", "the launch code is 0000"), nil))
	if c == nil {
		t.Fatal("no cookie")
	}
	if strings.Contains(c.Value, "launch") || c.MaxAge != int(session.DefaultMaxAge/time.Second) {
		t.Fatalf("cookie %q (Max-Age %d)", c.Value, c.MaxAge)
	}
	resp := a.serve(func(w http.ResponseWriter, r *http.Request) {
		v, ok := session.Value[string](session.From(r), "secret")
		if !ok || v != "the launch code is 0000" {
			t.Errorf("read back %q, %v", v, ok)
		}
	}, c)
	if resp.Header.Get("Set-Cookie") != "" {
		t.Error("a read-only request re-sent the cookie")
	}
}

func TestTamperedCookieIsEmptySession(t *testing.T) {
	for name, a := range map[string]*app{"encrypted": encrypted(t), "signed": signed(t)} {
		t.Run(name, func(t *testing.T) {
			c := sessionCookie(a.serve(set("user", "alice"), nil))
			for i := 0; i < len(c.Value); i += 7 {
				bad := []byte(c.Value)
				bad[i] ^= 0x01
				if bad[i] == ';' || bad[i] == ',' || bad[i] < 0x21 || bad[i] > 0x7e {
					continue
				}
				resp := a.serve(func(w http.ResponseWriter, r *http.Request) {
					if session.From(r).Has("user") {
						t.Errorf("tampered cookie (byte %d) accepted", i)
					}
				}, &http.Cookie{Name: "sessionid", Value: string(bad)})
				if del := sessionCookie(resp); del == nil || del.MaxAge >= 0 {
					t.Fatalf("tampered cookie not deleted: %v", resp.Header["Set-Cookie"])
				}
			}
			if !strings.Contains(a.logs.String(), "session cookie rejected") {
				t.Error("rejection not logged")
			}
		})
	}
}

func TestEncryptedExpiryEnforcedOnServer(t *testing.T) {
	a := encrypted(t)
	c := sessionCookie(a.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Set("user", "alice")
		s.SetExpiry(time.Minute)
	}, nil))
	a.clock.Advance(59 * time.Second)
	a.serve(func(w http.ResponseWriter, r *http.Request) {
		if !session.From(r).Has("user") {
			t.Error("session gone before its expiry")
		}
	}, c)
	a.clock.Advance(2 * time.Second)
	a.serve(func(w http.ResponseWriter, r *http.Request) {
		if session.From(r).Has("user") {
			t.Error("a replayed expired cookie was accepted")
		}
	}, c)
}

func TestSignedIsDjangoFormat(t *testing.T) {
	a := signed(t)
	c := sessionCookie(a.serve(set("cart", []int{1, 2, 3}), nil))
	// §2.10.5 of the Django reference, verified against Django 3.2.
	want := "eyJjYXJ0IjpbMSwyLDNdfQ:1r31eq:gcnTOVshS63GzqgJc2nh5Mnxm9z9XdEqCDGRMh19d-s"
	if c.Value != want {
		t.Fatalf("cookie %s\nwant   %s", c.Value, want)
	}
	a.serve(func(w http.ResponseWriter, r *http.Request) {
		cart, _ := session.Value[[]int](session.From(r), "cart")
		if len(cart) != 3 || cart[2] != 3 {
			t.Errorf("cart %v", cart)
		}
	}, &http.Cookie{Name: "sessionid", Value: want})
	// Django's max age (two weeks) is enforced from the signing time.
	a.clock.Advance(session.DefaultMaxAge + time.Second)
	a.serve(func(w http.ResponseWriter, r *http.Request) {
		if session.From(r).Has("cart") {
			t.Error("signed cookie older than the max age accepted")
		}
	}, c)
}

func TestOversizeSessionFailsClearly(t *testing.T) {
	a := encrypted(t)
	resp := a.serve(set("big", strings.Repeat("x", 5000)), nil)
	if resp.StatusCode != http.StatusInternalServerError || sessionCookie(resp) != nil {
		t.Fatalf("status %d, cookie %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}
	if !strings.Contains(a.logs.String(), "larger than 4096 bytes") {
		t.Fatalf("no clear error logged: %s", a.logs.String())
	}
}

func TestFlushDeletesCookie(t *testing.T) {
	a := encrypted(t)
	c := sessionCookie(a.serve(set("user", "alice"), nil))
	resp := a.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() }, c)
	if del := sessionCookie(resp); del == nil || del.MaxAge >= 0 {
		t.Fatalf("cookie not deleted: %v", resp.Header["Set-Cookie"])
	}
}

func TestKeyRotation(t *testing.T) {
	old, _ := cookiestore.NewEncrypted([]byte("old key"))
	rotated, _ := cookiestore.NewEncrypted([]byte("new key"), cookiestore.WithFallbackKeys([]byte("old key")))
	other, _ := cookiestore.NewEncrypted([]byte("new key"))
	v, _ := old.SealCookie(session.Record{Data: []byte(`{"a":1}`), Expiry: time.Now().Add(time.Hour)})
	if rec, err := rotated.OpenCookie(v); err != nil || string(rec.Data) != `{"a":1}` {
		t.Fatalf("fallback key: %q, %v", rec.Data, err)
	}
	if _, err := other.OpenCookie(v); err == nil {
		t.Fatal("opened with the wrong key")
	}
	for _, garbage := range []string{"", "x", "AAAA", strings.Repeat("A", 60)} {
		if _, err := rotated.OpenCookie(garbage); err == nil {
			t.Errorf("OpenCookie(%q) succeeded", garbage)
		}
	}
}

// TestNoServerState: a cookie store has no server records, and says so
// through the type system: it is neither a session.Store nor a Sweeper, so
// it cannot be given to Manager.Store or to clearsessions by mistake.
func TestNoServerState(t *testing.T) {
	s, _ := cookiestore.NewEncrypted([]byte("k"))
	if _, ok := any(s).(session.Store); ok {
		t.Error("cookiestore.Store implements session.Store")
	}
	if _, ok := any(s).(session.Sweeper); ok {
		t.Error("cookiestore.Store implements session.Sweeper")
	}
	var _ session.CookieStore = s
}
