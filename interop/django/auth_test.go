package djangointerop

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/djangoauth"
	"github.com/tetherweb/tether/session"
)

// djangoUser is a user made by Django's create_user.
type djangoUser struct {
	ID       string `json:"id"`
	Password string `json:"password"`
}

func addDjangoUser(t *testing.T, db djangoDB, name, password string) djangoUser {
	t.Helper()
	var u djangoUser
	if err := json.Unmarshal(runPython(t, "sessions_db.py", nil, "adduser", db.arg, name, password), &u); err != nil || u.ID == "" {
		t.Fatalf("adduser: %v %+v", err, u)
	}
	return u
}

// authUserLookup reads a user's password hash from Django's auth_user
// table, as ModelBackend.get_user finds users (active ones only).
func authUserLookup(db *sql.DB) djangoauth.PasswordLookup {
	return func(ctx context.Context, id string) (string, bool, error) {
		var hash string
		err := db.QueryRowContext(ctx, "SELECT password FROM auth_user WHERE id = ? AND is_active", id).Scan(&hash)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		return hash, err == nil, err
	}
}

// djangoWhoami is what sessions_db.py whoami prints.
type djangoWhoami struct {
	User   *string `json:"user"`
	Exists bool    `json:"exists"`
}

func whoami(t *testing.T, db djangoDB, key string) djangoWhoami {
	t.Helper()
	var w djangoWhoami
	if err := json.Unmarshal(runPython(t, "sessions_db.py", nil, "whoami", db.arg, key), &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// A user logged in by Django's auth.login is the user djangoauth.Auth.User
// finds, verified against the auth_user row; after Django changes the
// password the login is over on the Go side too, and the flush tether
// makes is what Django sees.
func TestAuthLoginFromDjango(t *testing.T) {
	db := sqliteDjango(t)
	u := addDjangoUser(t, db, "zoë", "correct horse")
	var login struct {
		Key  string         `json:"key"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(runPython(t, "sessions_db.py", nil, "login", db.arg, "zoë", "correct horse"), &login); err != nil {
		t.Fatal(err)
	}
	if login.Data[djangoauth.UserIDKey] != u.ID || login.Data[djangoauth.HashKey] != djangoauth.SessionAuthHash(u.Password, []byte(djangoKey)) {
		t.Fatalf("Django's login %+v; Go computes hash %s", login.Data, djangoauth.SessionAuthHash(u.Password, []byte(djangoKey)))
	}
	a := &djangoauth.Auth{SecretKey: []byte(djangoKey)}
	mgr := djangoManager(t, db, nil)
	lookup := authUserLookup(db.store.DB())
	who := func() (id string, resp *http.Response) {
		resp = serveWith(mgr, func(w http.ResponseWriter, r *http.Request) {
			var err error
			if id, err = a.User(r.Context(), session.From(r), lookup); err != nil {
				t.Error(err)
			}
		}, login.Key)
		return id, resp
	}
	if id, _ := who(); id != u.ID {
		t.Fatalf("Go finds user %q on Django's login, want %q", id, u.ID)
	}

	runPython(t, "sessions_db.py", nil, "setpassword", db.arg, "zoë", "a new password")
	if id, _ := who(); id != "" {
		t.Fatalf("after the password change Go still finds user %q", id)
	}
	if w := whoami(t, db, login.Key); w.User != nil || w.Exists {
		t.Fatalf("after Go's flush Django sees %+v", w)
	}
}

// djangoauth.Auth.Login from Go logs a user in so that Django's get_user
// finds them: new session key (the anonymous data kept), the three keys,
// the CSRF secret kept in the session rotated (Django refuses the old
// token and takes the new one). djangoauth.Logout ends it for Django too.
func TestAuthLoginToDjango(t *testing.T) {
	db := sqliteDjango(t)
	u := addDjangoUser(t, db, "zoë", "correct horse")
	a := &djangoauth.Auth{SecretKey: []byte(djangoKey)}
	mgr := djangoManager(t, db, nil)
	var do http.HandlerFunc
	h := sessionGuard(t, mgr, true, func(w http.ResponseWriter, r *http.Request) { do(w, r) })
	key := ""
	serve := func(f http.HandlerFunc) {
		do = f
		req := httptest.NewRequest("GET", "/", nil)
		if key != "" {
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name == "sessionid" {
				key = c.Value
				if c.MaxAge < 0 {
					key = ""
				}
			}
		}
	}
	var before, after string
	serve(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("cart", map[string]int{"5": 2})
		before = csrf.Token(r)
	})
	anonymous := key
	serve(func(w http.ResponseWriter, r *http.Request) {
		if err := a.Login(r, u.ID, "", u.Password); err != nil {
			t.Fatal(err)
		}
		after = csrf.Token(r)
	})
	if key == anonymous || key == "" {
		t.Fatal("Login kept the anonymous key")
	}
	if w := whoami(t, db, key); w.User == nil || *w.User != u.ID || !w.Exists {
		t.Fatalf("Django's get_user on Go's login: %+v", w)
	}
	if got := readDjango(t, db.arg, key); got.Data["cart"] == nil || got.Data[djangoauth.BackendKey] != djangoauth.ModelBackend {
		t.Fatalf("Django reads Go's login as %+v", got.Data)
	}
	if got := readDjango(t, db.arg, anonymous); got.Exists {
		t.Fatal("the anonymous session outlived the login")
	}
	for _, c := range []struct {
		token    string
		accepted bool
	}{{after, true}, {before, false}} {
		var v struct{ Verdict string }
		json.Unmarshal(runPython(t, "sessions_db.py", nil, "csrfcheck", db.arg, key, c.token), &v)
		if (v.Verdict == "accepted") != c.accepted {
			t.Errorf("token from before the login %v: Django says %q", !c.accepted, v.Verdict)
		}
	}

	loggedIn := key
	serve(func(w http.ResponseWriter, r *http.Request) {
		if err := djangoauth.Logout(r); err != nil {
			t.Fatal(err)
		}
	})
	if w := whoami(t, db, loggedIn); w.User != nil || w.Exists {
		t.Fatalf("after Go's logout Django sees %+v", w)
	}
}
