package storetest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/session"
)

// SealMarker is the value RunSealedAtRest stores and then looks for in
// the backend's raw contents.
const SealMarker = "tether-seal-marker-alice@example.com"

// RunSealedAtRest checks that a Manager with a SecretKey leaves nothing
// readable at rest in store: it saves a session holding SealMarker, then
// dump (which reads every record the backend holds through the backend's
// own client: SQL rows, Redis hashes, memcached items, files) must contain
// neither the marker nor the session key, while the Manager still reads
// the value back intact. dump gets the session key, for backends such as
// memcached that can only fetch an item they can name.
func RunSealedAtRest(t *testing.T, store session.Store, dump func(t *testing.T, key string) []byte) {
	t.Helper()
	m := &session.Manager{Store: store, SecretKey: []byte("storetest-seal-secret-0123456789abcdef")}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.From(r).Set("email", SealMarker); err != nil {
			t.Fatal(err)
		}
	})).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("no session cookie: %v", rec.Result().Header)
	}
	key := cookies[0].Value
	raw := dump(t, key)
	if len(raw) == 0 {
		t.Fatal("dump found nothing in the backend")
	}
	for what, needle := range map[string]string{"the stored value": SealMarker, "the value's name": `"email"`, "the session key": key} {
		if bytes.Contains(raw, []byte(needle)) {
			t.Errorf("the backend's raw contents show %s (%q)", what, needle)
		}
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(cookies[0])
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, _ := session.Value[string](session.From(r), "email"); got != SealMarker {
			t.Errorf("read back %q through the Manager, want %q", got, SealMarker)
		}
	})).ServeHTTP(httptest.NewRecorder(), req)
}
