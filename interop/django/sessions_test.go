package djangointerop

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
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

// djangoManager is a session.Manager on db's Django table with Django's
// codec, logging into log (nil: nowhere).
func djangoManager(t *testing.T, db djangoDB, log io.Writer) *session.Manager {
	t.Helper()
	codec, err := session.NewDjangoCodec([]byte(djangoKey))
	if err != nil {
		t.Fatal(err)
	}
	if log == nil {
		log = io.Discard
	}
	return &session.Manager{Store: db.store, Codec: codec, Logger: slog.New(slog.NewTextHandler(log, nil))}
}

// serveWith runs h once through mgr's middleware, with the session cookie
// key when key is not empty.
func serveWith(mgr *session.Manager, h http.HandlerFunc, key string) *http.Response {
	req := httptest.NewRequest("GET", "/", nil)
	if key != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	}
	rec := httptest.NewRecorder()
	mgr.Middleware(h).ServeHTTP(rec, req)
	return rec.Result()
}

// sessionCookie returns the sessionid a response set ("" if none).
func sessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			return c.Value
		}
	}
	return ""
}

// TestSharedLoginWithDjango shares one django_session table between a real
// Django (its ORM, its migration, its session store) and a session.Manager
// on sqlstore.DjangoTable with session.DjangoCodec, on SQLite, PostgreSQL
// and MySQL/MariaDB: each side reads and changes what the other wrote.
func TestSharedLoginWithDjango(t *testing.T) {
	eachDjangoDB(t, func(t *testing.T, db djangoDB) {
		mgr := djangoManager(t, db, nil)
		serve := func(h http.HandlerFunc, key string) *http.Response { return serveWith(mgr, h, key) }

		// Django logs a user in; Go reads the login and adds to the cart.
		var written struct{ Key string }
		json.Unmarshal(runPython(t, "sessions_db.py", []byte(`{"_auth_user_id":"7","cart":{"5":2},"name":"Zo\u00eb"}`), "write", db.arg), &written)
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
		got := readDjango(t, db.arg, written.Key)
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
		goKey := sessionCookie(resp)
		got = readDjango(t, db.arg, goKey)
		if !got.Exists || got.Data["_auth_user_id"] != "8" || got.ExpiryAge != 300 {
			t.Fatalf("Django reads Go's session as %+v", got)
		}

		// A record Go stored dead is dead for Django: clearsessions
		// deletes its row and keeps the two live ones (Go writes
		// expire_date as Django compares it on each database).
		dead, _ := mgr.Codec.Encode(map[string][]byte{"cart": []byte("[1]")})
		if _, err := db.store.Create(t.Context(), session.NewKey(), session.Record{Data: dead, Expiry: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		var left struct{ Left int }
		json.Unmarshal(runPython(t, "sessions_db.py", nil, "clear", db.arg), &left)
		if left.Left != 2 {
			t.Fatalf("after clearsessions %d rows are left, want 2", left.Left)
		}

		// Go logs out (Flush): Django no longer finds the session.
		serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Flush() }, written.Key)
		if got := readDjango(t, db.arg, written.Key); got.Exists || len(got.Data) != 0 {
			t.Fatalf("Django still sees the flushed session: %+v", got)
		}
	})
}

// A row that Django's side spoiled (a changed signature, or text that is
// no signed value) is an empty session to tether, as to Django: the
// request succeeds, a warning is logged, the key is kept and the next save
// overwrites the row with data Django reads again.
func TestCorruptDjangoRow(t *testing.T) {
	eachDjangoDB(t, func(t *testing.T, db djangoDB) {
		for _, how := range []string{"signature", "garbage"} {
			t.Run(how, func(t *testing.T) {
				var log strings.Builder
				mgr := djangoManager(t, db, &log)
				var written struct{ Key string }
				json.Unmarshal(runPython(t, "sessions_db.py", []byte(`{"_auth_user_id":"7","cart":{"5":2}}`), "write", db.arg), &written)
				runPython(t, "sessions_db.py", nil, "corrupt", db.arg, written.Key, how)
				if got := readDjango(t, db.arg, written.Key); !got.Exists || len(got.Data) != 0 {
					t.Fatalf("Django reads the spoiled row as %+v, want an empty session", got)
				}
				resp := serveWith(mgr, func(w http.ResponseWriter, r *http.Request) {
					s := session.From(r)
					if keys := s.Keys(); len(keys) != 0 {
						t.Errorf("Go reads the spoiled row as %v, want nothing", keys)
					}
					s.Set("fresh", "yes")
				}, written.Key)
				if resp.StatusCode != 200 {
					t.Fatalf("spoiled row: status %d", resp.StatusCode)
				}
				if !strings.Contains(log.String(), "does not decode") {
					t.Errorf("no log line for the spoiled row; log: %q", log.String())
				}
				got := readDjango(t, db.arg, written.Key)
				if !got.Exists || got.Data["fresh"] != "yes" || got.Data["_auth_user_id"] != nil {
					t.Fatalf("after Go's save Django reads %+v", got)
				}
			})
		}
	})
}
