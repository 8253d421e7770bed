package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// usersSite is a Manager with a per-user index over memstore, and a
// login route that links the session to a user and cycles its key.
type usersSite struct {
	t     *testing.T
	store *memstore.Store
	m     *session.Manager
	h     http.Handler
}

func newUsersSite(t *testing.T) *usersSite {
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	return newUsersSiteOn(t, store, store)
}

func newUsersSiteOn(t *testing.T, store *memstore.Store, durable session.Durable) *usersSite {
	m := &session.Manager{Store: durable, SecretKey: sealKey, Users: session.NewUserIndex(durable), RecordClient: true}
	return &usersSite{t: t, store: store, m: m, h: m.Middleware(rotatedMux(t))}
}

// rotatedMux is the users site's routes: login (CycleKey, SetUser, a cart),
// me (the user and the session's ID) and logout.
func rotatedMux(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.CycleKey()
		if err := s.SetUser(r.FormValue("user")); err != nil {
			t.Error(err)
		}
		s.Set("cart", []int{1})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		u, _ := session.From(r).User()
		w.Write([]byte(u + "|" + session.From(r).ID()))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() })
	return mux
}

func (u *usersSite) do(method, path string, c *http.Cookie, agent string) (*http.Response, string) {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("User-Agent", agent)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	u.h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func (u *usersSite) login(user, agent string) *http.Cookie {
	u.t.Helper()
	resp, _ := u.do("POST", "/login?user="+user, nil, agent)
	c := sessionCookie(resp)
	if c == nil {
		u.t.Fatalf("no cookie: %v", resp.Header)
	}
	return c
}

func (u *usersSite) me(c *http.Cookie) string {
	_, b := u.do("GET", "/me", c, "")
	return b
}

// TestSessionsOfAndRevokeUser: a user's sessions are listed with their
// devices, and "sign out everywhere else" ends all but the current one at
// once; another user's sessions are untouched.
func TestSessionsOfAndRevokeUser(t *testing.T) {
	u := newUsersSite(t)
	phone := u.login("alice", "Phone/1.0")
	laptop := u.login("alice", "Laptop/2.0")
	tablet := u.login("alice", "Tablet/3.0")
	bob := u.login("bob", "Bob/1.0")

	devices, err := u.m.SessionsOf(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(devices) != 3 {
		t.Fatalf("%d devices: %+v", len(devices), devices)
	}
	agents := []string{}
	for _, d := range devices {
		agents = append(agents, d.UserAgent)
		if d.ID == "" || d.Created.IsZero() || !d.Expiry.After(time.Now()) || strings.Contains(d.ID, phone.Value) {
			t.Errorf("device %+v", d)
		}
	}
	if got := strings.Join(agents, ","); !strings.Contains(got, "Phone/1.0") || !strings.Contains(got, "Laptop/2.0") {
		t.Errorf("agents %s", got)
	}
	laptopID := strings.Split(u.me(laptop), "|")[1]
	n, err := u.m.RevokeUser(t.Context(), "alice", laptopID)
	if err != nil || n != 2 {
		t.Fatalf("RevokeUser = %d, %v", n, err)
	}
	for name, c := range map[string]*http.Cookie{"phone": phone, "tablet": tablet} {
		if got := u.me(c); got != "|" {
			t.Errorf("%s still signed in: %q", name, got)
		}
	}
	if got := u.me(laptop); !strings.HasPrefix(got, "alice|") {
		t.Errorf("the kept session: %q", got)
	}
	if got := u.me(bob); !strings.HasPrefix(got, "bob|") {
		t.Errorf("another user's session: %q", got)
	}
	devices, _ = u.m.SessionsOf(t.Context(), "alice")
	if len(devices) != 1 || devices[0].ID != laptopID {
		t.Errorf("after revoke: %+v", devices)
	}
}

// TestRevokeOneAndLogout: Revoke ends one device; a logout (Flush) takes
// the session out of the index.
func TestRevokeOneAndLogout(t *testing.T) {
	u := newUsersSite(t)
	a := u.login("alice", "A")
	b := u.login("alice", "B")
	bID := strings.Split(u.me(b), "|")[1]
	if err := u.m.Revoke(t.Context(), "alice", bID); err != nil {
		t.Fatal(err)
	}
	if got := u.me(b); got != "|" {
		t.Errorf("revoked session still works: %q", got)
	}
	u.do("POST", "/logout", a, "")
	if devices, err := u.m.SessionsOf(t.Context(), "alice"); err != nil || len(devices) != 0 {
		t.Errorf("after logout: %+v, %v", devices, err)
	}
	if n, _ := u.store.Count(t.Context()); n != 0 {
		t.Errorf("%d records left (the index should be gone with its last session)", n)
	}
}

// TestIndexRecordIsNoSession: a client that presents a user's index key
// as its session cookie gets a fresh session, not the index.
func TestIndexRecordIsNoSession(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	rec := &recordingStore{Store: store}
	u := newUsersSiteOn(t, store, rec)
	c := u.login("alice", "A")
	refused := 0
	for _, key := range rec.created {
		if key == c.Value {
			continue
		}
		_, body := u.do("GET", "/me", &http.Cookie{Name: "sessionid", Value: key}, "")
		if body != "|" {
			t.Errorf("the index's key %s gave %q", key, body)
		}
		refused++
	}
	if refused != 1 {
		t.Errorf("%d index records tried, want 1", refused)
	}
}

// recordingStore remembers the keys it was asked to create.
type recordingStore struct {
	*memstore.Store
	mu      sync.Mutex
	created []string
}

func (r *recordingStore) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	r.mu.Lock()
	r.created = append(r.created, key)
	r.mu.Unlock()
	return r.Store.Create(ctx, key, rec)
}

// TestNoUserIndexWithoutKey: without a SecretKey the index keys would be
// guessable: the Manager refuses to keep one.
func TestNoUserIndexWithoutKey(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store, Users: session.NewUserIndex(store)}
	m.Middleware(http.NotFoundHandler())
	if _, err := m.SessionsOf(context.Background(), "alice"); err != session.ErrNoUserIndex {
		t.Errorf("SessionsOf: %v", err)
	}
}

// TestRevokeUserAfterKeyRotation: sessions indexed before a secret key
// rotation are still listed and revoked after it (the index under the
// former key is read too), and new logins go to the new index.
func TestRevokeUserAfterKeyRotation(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	before := newUsersSiteOn(t, store, store)
	old := before.login("alice", "Old/1.0")

	rotated := newUsersSiteOn(t, store, store)
	rotated.m = &session.Manager{Store: store, SecretKey: []byte("the-new-secret-key-0123456789abcdef"),
		FallbackKeys: [][]byte{sealKey}, Users: session.NewUserIndex(store), RecordClient: true}
	rotated.h = rotated.m.Middleware(rotatedMux(t))
	fresh := rotated.login("alice", "New/2.0")

	devices, err := rotated.m.SessionsOf(t.Context(), "alice")
	if err != nil || len(devices) != 2 {
		t.Fatalf("after rotation: %d devices, %v; want 2", len(devices), err)
	}
	freshID := strings.Split(rotated.me(fresh), "|")[1]
	if n, err := rotated.m.RevokeUser(t.Context(), "alice", freshID); err != nil || n != 1 {
		t.Fatalf("RevokeUser = %d, %v; want 1", n, err)
	}
	if got := rotated.me(old); got != "|" {
		t.Errorf("the session from before the rotation survived RevokeUser: %q", got)
	}
}
