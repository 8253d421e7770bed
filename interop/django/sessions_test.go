package djangointerop

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// djangoKey is the SECRET_KEY of sessions_db.py.
const djangoKey = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

// djangoRead is what sessions_db.py read prints.
type djangoRead struct {
	Exists    bool           `json:"exists"`
	Data      map[string]any `json:"data"`
	ExpiryAge int            `json:"expiry_age"`
}

func readDjango(t *testing.T, db, key string) djangoRead {
	t.Helper()
	var r djangoRead
	if err := json.Unmarshal(runPython(t, "sessions_db.py", nil, "read", db, key), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSharedLoginWithDjango shares one django_session table between a real
// Django (its ORM, its migration, its session store) and a session.Manager
// on sqlstore.DjangoTable with session.DjangoCodec: each side reads and
// changes what the other wrote.
func TestSharedLoginWithDjango(t *testing.T) {
	djangoPython(t)
	db := filepath.Join(t.TempDir(), "shared.sqlite3")
	runPython(t, "sessions_db.py", nil, "migrate", db)

	store, err := sqlite.Open(db, sqlstore.WithDjangoTable())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	codec, err := session.NewDjangoCodec([]byte(djangoKey))
	if err != nil {
		t.Fatal(err)
	}
	mgr := &session.Manager{Store: store, Codec: codec}
	serve := func(h http.HandlerFunc, key string) *http.Response {
		req := httptest.NewRequest("GET", "/", nil)
		if key != "" {
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
		}
		rec := httptest.NewRecorder()
		mgr.Middleware(h).ServeHTTP(rec, req)
		return rec.Result()
	}

	// Django logs a user in; Go reads the login and adds to the cart.
	var written struct{ Key string }
	json.Unmarshal(runPython(t, "sessions_db.py", []byte(`{"_auth_user_id":"7","cart":{"5":2},"name":"Zo\u00eb"}`), "write", db), &written)
	resp := serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		user, _ := session.Value[string](s, "_auth_user_id")
		name, _ := session.Value[string](s, "name")
		if user != "7" || name != "Zoë" {
			t.Errorf("Go read user %q name %q from Django's session", user, name)
		}
		session.Update(s, "cart", func(c map[string]int) map[string]int { c["5"]++; c["9"] = 1; return c })
	}, written.Key)
	if resp.StatusCode != 200 {
		t.Fatalf("Go request on Django's session: %d", resp.StatusCode)
	}
	got := readDjango(t, db, written.Key)
	cart, _ := got.Data["cart"].(map[string]any)
	if !got.Exists || cart["5"] != 3.0 || cart["9"] != 1.0 || got.Data["name"] != "Zoë" {
		t.Fatalf("Django reads back %+v", got)
	}

	// Go creates a session with a custom expiry; Django reads it.
	resp = serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Set("_auth_user_id", "8")
		s.SetExpiry(300 * time.Second)
	}, "")
	var goKey string
	for _, c := range resp.Cookies() {
		goKey = c.Value
	}
	got = readDjango(t, db, goKey)
	if !got.Exists || got.Data["_auth_user_id"] != "8" || got.ExpiryAge != 300 {
		t.Fatalf("Django reads Go's session as %+v", got)
	}

	// Go logs out (Flush): Django no longer finds the session.
	serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() }, written.Key)
	if got := readDjango(t, db, written.Key); got.Exists || len(got.Data) != 0 {
		t.Fatalf("Django still sees the flushed session: %+v", got)
	}
}
