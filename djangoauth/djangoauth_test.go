package djangoauth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/djangoauth"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// The reference's verification key and its session auth hash vector.
const (
	secretKey    = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
	passwordHash = "pbkdf2_sha256$260000$fOhQiWSLFZ1deZD9IXu11x$J4eKCj6vwW62sI6OaMSQCOnL2PXr8CBFn21F2vcaluk="
	authHash     = "66170ce5ada9c34fccb1a54c5423e77fb73566d86e742e0ef649f9b349710603"
)

func TestSessionAuthHash(t *testing.T) {
	if got := djangoauth.SessionAuthHash(passwordHash, []byte(secretKey)); got != authHash {
		t.Fatalf("SessionAuthHash = %s, want %s", got, authHash)
	}
}

// site is a session manager (memstore) and a CSRF guard around a
// handler set per request, with a cookie jar.
type site struct {
	t       *testing.T
	store   *memstore.Store
	h       http.Handler
	do      http.HandlerFunc
	cookies map[string]string
}

func newSite(t *testing.T, useSession bool) *site {
	s := &site{t: t, store: memstore.New(), cookies: map[string]string{}}
	t.Cleanup(func() { s.store.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := csrf.New(csrf.Options{UseSession: useSession, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m := &session.Manager{Store: s.store, Logger: quiet}
	s.h = m.Middleware(g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.do(w, r) })))
	return s
}

func (s *site) get(do http.HandlerFunc) *http.Response {
	s.do = do
	req := httptest.NewRequest("GET", "/", nil)
	for k, v := range s.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(s.cookies, c.Name)
		} else {
			s.cookies[c.Name] = c.Value
		}
	}
	return rec.Result()
}

// lookup knows one user, 7, with passwordHash (or hash, when set).
func lookupWith(hash string) djangoauth.PasswordLookup {
	return func(ctx context.Context, id string) (string, bool, error) {
		if id == "7" {
			return hash, true, nil
		}
		return "", false, nil
	}
}

func newAuth() *djangoauth.Auth { return &djangoauth.Auth{SecretKey: []byte(secretKey)} }

// store sets values in the site's session.
func (s *site) put(values map[string]any) {
	s.get(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range values {
			session.From(r).Set(k, v)
		}
	})
}

// user runs Auth.User on the site's session.
func (s *site) user(a *djangoauth.Auth, lookup djangoauth.PasswordLookup) (id string, err error) {
	s.get(func(w http.ResponseWriter, r *http.Request) {
		id, err = a.User(r.Context(), session.From(r), lookup)
	})
	return id, err
}

func TestUser(t *testing.T) {
	a := newAuth()
	login := map[string]any{djangoauth.UserIDKey: "7", djangoauth.BackendKey: djangoauth.ModelBackend, djangoauth.HashKey: authHash, "cart": 3}

	s := newSite(t, false)
	if id, err := s.user(a, lookupWith(passwordHash)); id != "" || err != nil {
		t.Fatalf("no session: %q %v", id, err)
	}
	s.put(login)
	key := s.cookies["sessionid"]
	if id, err := s.user(a, lookupWith(passwordHash)); id != "7" || err != nil {
		t.Fatalf("valid login: %q %v", id, err)
	}
	if s.cookies["sessionid"] != key {
		t.Fatal("a verified login changed the key")
	}

	// Another backend, an unknown user: nobody, session left alone.
	other := &djangoauth.Auth{SecretKey: []byte(secretKey), Backends: []string{"myapp.Backend"}}
	if id, _ := s.user(other, lookupWith(passwordHash)); id != "" {
		t.Fatalf("a backend not in Backends: %q", id)
	}
	if id, _ := s.user(a, func(context.Context, string) (string, bool, error) { return "", false, nil }); id != "" {
		t.Fatalf("unknown user: %q", id)
	}
	if s.cookies["sessionid"] != key {
		t.Fatal("a refused login without a hash mismatch flushed the session")
	}
	boom := errors.New("db down")
	if _, err := s.user(a, func(context.Context, string) (string, bool, error) { return "", false, boom }); !errors.Is(err, boom) {
		t.Fatalf("lookup error: %v", err)
	}

	// The password changed: nobody, and the session is flushed.
	if id, _ := s.user(a, lookupWith("pbkdf2_sha256$260000$new$other=")); id != "" {
		t.Fatalf("stale hash: %q", id)
	}
	if _, ok := s.cookies["sessionid"]; ok {
		t.Fatal("the session of a stale login was not flushed")
	}
	if _, err := s.store.Load(t.Context(), key); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("the flushed record: %v", err)
	}

	// A forged or missing hash is a stale login too.
	for _, h := range []any{"", "0000", 7, nil} {
		s := newSite(t, false)
		l := map[string]any{djangoauth.UserIDKey: "7", djangoauth.BackendKey: djangoauth.ModelBackend, djangoauth.HashKey: h}
		s.put(l)
		if id, _ := s.user(a, lookupWith(passwordHash)); id != "" {
			t.Errorf("hash %v: %q", h, id)
		}
	}
}

// A hash made with a fallback key (SECRET_KEY_FALLBACKS) verifies; the
// session then gets a new key and the hash under the current key.
func TestUserFallbackKey(t *testing.T) {
	const newKey = "a-new-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123"
	a := &djangoauth.Auth{SecretKey: []byte(newKey), FallbackKeys: [][]byte{[]byte(secretKey)}}
	s := newSite(t, false)
	s.put(map[string]any{djangoauth.UserIDKey: "7", djangoauth.BackendKey: djangoauth.ModelBackend, djangoauth.HashKey: authHash})
	key := s.cookies["sessionid"]
	if id, err := s.user(a, lookupWith(passwordHash)); id != "7" || err != nil {
		t.Fatalf("fallback hash: %q %v", id, err)
	}
	if s.cookies["sessionid"] == key || s.cookies["sessionid"] == "" {
		t.Fatal("the key was not cycled")
	}
	var hash string
	s.get(func(w http.ResponseWriter, r *http.Request) {
		hash, _ = session.Value[string](session.From(r), djangoauth.HashKey)
	})
	if hash != djangoauth.SessionAuthHash(passwordHash, []byte(newKey)) {
		t.Fatalf("hash after renewal %q", hash)
	}
	if ok, current := a.VerifyHash(authHash, passwordHash); !ok || current {
		t.Fatalf("VerifyHash(fallback) = %v, %v", ok, current)
	}
	if ok, _ := (&djangoauth.Auth{SecretKey: []byte(newKey)}).VerifyHash(authHash, passwordHash); ok {
		t.Fatal("a hash of a key that is no fallback verified")
	}
}

func TestLogin(t *testing.T) {
	for _, useSession := range []bool{false, true} {
		a := newAuth()
		s := newSite(t, useSession)
		var before string
		s.get(func(w http.ResponseWriter, r *http.Request) {
			session.From(r).Set("cart", 3)
			before = csrf.Token(r)
		})
		anon := s.cookies["sessionid"]
		var after string
		s.get(func(w http.ResponseWriter, r *http.Request) {
			if err := a.Login(r, "7", "", passwordHash); err != nil {
				t.Fatal(err)
			}
			after = csrf.Token(r)
		})
		if s.cookies["sessionid"] == anon || s.cookies["sessionid"] == "" {
			t.Fatalf("useSession %v: the key was not cycled", useSession)
		}
		if before == after || before == "" {
			t.Fatalf("useSession %v: the CSRF token did not rotate", useSession)
		}
		var cart int
		var l djangoauth.Login
		s.get(func(w http.ResponseWriter, r *http.Request) {
			cart, _ = session.Value[int](session.From(r), "cart")
			l, _ = djangoauth.SessionLogin(session.From(r))
		})
		if cart != 3 || l != (djangoauth.Login{UserID: "7", Backend: djangoauth.ModelBackend, Hash: authHash}) {
			t.Fatalf("after login: cart %d, login %+v", cart, l)
		}

		// The same user again: key and data kept.
		key := s.cookies["sessionid"]
		s.get(func(w http.ResponseWriter, r *http.Request) { a.Login(r, "7", "", passwordHash) })
		if s.cookies["sessionid"] != key {
			t.Fatal("logging the same user in again changed the key")
		}
		// Another user: flushed.
		s.get(func(w http.ResponseWriter, r *http.Request) { a.Login(r, "8", "", "other$hash") })
		s.get(func(w http.ResponseWriter, r *http.Request) {
			cart, _ = session.Value[int](session.From(r), "cart")
			l, _ = djangoauth.SessionLogin(session.From(r))
		})
		if s.cookies["sessionid"] == key || cart != 0 || l.UserID != "8" {
			t.Fatalf("another user's login: key kept %v, cart %d, %+v", s.cookies["sessionid"] == key, cart, l)
		}
		// Logout flushes.
		s.get(func(w http.ResponseWriter, r *http.Request) { djangoauth.Logout(r) })
		if _, ok := s.cookies["sessionid"]; ok {
			t.Fatal("Logout kept the session cookie")
		}
	}
}

func TestLoginRefuses(t *testing.T) {
	a := newAuth()
	s := newSite(t, false)
	for _, id := range []string{"", "a\nb", string(make([]byte, 300))} {
		s.get(func(w http.ResponseWriter, r *http.Request) {
			if err := a.Login(r, id, "", passwordHash); err == nil {
				t.Errorf("Login(%q) succeeded", id)
			}
		})
	}
	req := httptest.NewRequest("GET", "/", nil)
	if err := a.Login(req, "7", "", passwordHash); !errors.Is(err, session.ErrNoMiddleware) {
		t.Errorf("Login without the session middleware: %v", err)
	}
}

// FuzzUser feeds arbitrary values under the three keys to User: never a
// panic, and a user only with the right hash.
func FuzzUser(f *testing.F) {
	f.Add("7", djangoauth.ModelBackend, authHash)
	f.Add("", "", "")
	f.Add("7\x00", "django.contrib.auth.backends.ModelBackend ", authHash+"0")
	f.Add("99999999999999999999999", "x", "\xff\xfe")
	a := newAuth()
	f.Fuzz(func(t *testing.T, id, backend, hash string) {
		s := newSite(t, false)
		s.put(map[string]any{djangoauth.UserIDKey: id, djangoauth.BackendKey: backend, djangoauth.HashKey: hash})
		got, err := s.user(a, func(context.Context, string) (string, bool, error) { return passwordHash, true, nil })
		if err != nil {
			t.Fatal(err)
		}
		if got != "" && (hash != authHash || backend != djangoauth.ModelBackend) {
			t.Fatalf("User accepted id %q backend %q hash %q as %q", id, backend, hash, got)
		}
	})
}
