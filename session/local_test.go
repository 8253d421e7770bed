package session_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// TestLocalStoreExpiryOnTheManagersClock: the Manager leaves a Local
// store's expiry check to the store only when both read time.Now. With a
// clock of its own (Manager.Now), it checks the record's expiry on that
// clock, though the memory store, on the real one, still holds it.
func TestLocalStoreExpiryOnTheManagersClock(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	now := time.Now()
	m := &session.Manager{Store: store, MaxAge: time.Hour, Now: func() time.Time { return now }}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("user", "demo")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "sessionid="+rec.Result().Cookies()[0].Value)
	read := func() (string, bool) {
		var v string
		var ok bool
		m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, ok = session.Value[string](session.From(r), "user")
		})).ServeHTTP(httptest.NewRecorder(), req)
		return v, ok
	}
	if v, ok := read(); !ok || v != "demo" {
		t.Fatalf("before expiry: %q %v", v, ok)
	}
	now = now.Add(2 * time.Hour)
	if v, ok := read(); ok {
		t.Fatalf("after expiry on the Manager's clock: read %q", v)
	}
}
