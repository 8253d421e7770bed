package storetest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/session"
)

// testUserIndex runs the per-user index on a Durable store (others cannot
// hold one, and session.NewUserIndex does not accept them at compile time):
// three sessions of one user and one of another are listed apart, and
// RevokeUser ends the first user's other sessions at once while the
// current one and the other user's live on.
func testUserIndex(t *testing.T, s session.Store, _ Options) {
	d, ok := s.(session.Durable)
	if !ok {
		t.Log("not a session.Durable store: it cannot hold a per-user index (nothing to run)")
		return
	}
	m := &session.Manager{Store: d, SecretKey: []byte("storetest-user-index-secret-0123456789"),
		Users: session.NewUserIndex(d)}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		if u := r.URL.Query().Get("login"); u != "" {
			s.SetUser(u)
			return
		}
		u, _ := s.User()
		w.Write([]byte(u))
	}))
	serve := func(target string, c *http.Cookie) (*http.Cookie, string) {
		req := httptest.NewRequest("POST", target, nil)
		if c != nil {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
		for _, nc := range rec.Result().Cookies() {
			return nc, rec.Body.String()
		}
		return c, rec.Body.String()
	}
	var alice []*http.Cookie
	for range 3 {
		c, _ := serve("/?login=alice", nil)
		alice = append(alice, c)
	}
	bob, _ := serve("/?login=bob", nil)
	devices, err := m.SessionsOf(t.Context(), "alice")
	if err != nil || len(devices) != 3 {
		t.Fatalf("SessionsOf(alice) = %d devices, %v; want 3", len(devices), err)
	}
	keep := session.HashKey(alice[0].Value)
	if n, err := m.RevokeUser(t.Context(), "alice", keep); err != nil || n != 2 {
		t.Fatalf("RevokeUser = %d, %v; want 2", n, err)
	}
	for i, c := range alice {
		_, got := serve("/", c)
		if want := map[bool]string{true: "alice", false: ""}[i == 0]; got != want {
			t.Errorf("alice's session %d after RevokeUser: user %q, want %q", i, got, want)
		}
	}
	if _, got := serve("/", bob); got != "bob" {
		t.Errorf("bob's session after RevokeUser(alice): %q", got)
	}
	if devices, err := m.SessionsOf(t.Context(), "alice"); err != nil || len(devices) != 1 || devices[0].ID != keep {
		t.Errorf("SessionsOf(alice) after RevokeUser = %+v, %v", devices, err)
	}
}
