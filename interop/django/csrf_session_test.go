package djangointerop

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/session"
)

// sqliteDjango is one Django-migrated SQLite database shared with a
// Django-mode store, for the checks that do not depend on the database.
func sqliteDjango(t *testing.T) djangoDB {
	t.Helper()
	djangoPython(t)
	arg, open := sqliteDjangoDB(t)
	runPython(t, "sessions_db.py", nil, "migrate", arg)
	store, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return djangoDB{arg: arg, store: store}
}

// djangoWrite saves a new Django session holding the JSON object and
// returns its key.
func djangoWrite(t *testing.T, db djangoDB, object string) string {
	t.Helper()
	var written struct{ Key string }
	if err := json.Unmarshal(runPython(t, "sessions_db.py", []byte(object), "write", db.arg), &written); err != nil || written.Key == "" {
		t.Fatalf("Django write: %v %+v", err, written)
	}
	return written.Key
}

// sessionGuard wraps h in mgr's sessions and a CSRF guard keeping its
// secret in the session (CSRF_USE_SESSIONS), masked when mask is set.
func sessionGuard(t *testing.T, mgr *session.Manager, mask bool, h http.HandlerFunc) http.Handler {
	t.Helper()
	g := quietGuard(t, csrf.Options{UseSession: true, MaskCookie: mask})
	return mgr.Middleware(g.Protect(h))
}

// postWithToken is a same-origin POST carrying the session cookie key and
// token in X-CSRFToken.
func postWithToken(key, token string) *http.Request {
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("X-CSRFToken", token)
	r.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	return r
}

// With CSRF_USE_SESSIONS, the secret Django's CsrfViewMiddleware keeps in
// the session ("_csrftoken") and the tokens Django hands out pass tether's
// guard with UseSession on the same session; an altered token does not.
func TestCSRFInSessionFromDjango(t *testing.T) {
	db := sqliteDjango(t)
	key := djangoWrite(t, db, `{"cart":{"5":1}}`)
	var got struct {
		Token        string `json:"token"`
		SessionValue string `json:"session_value"`
	}
	if err := json.Unmarshal(runPython(t, "sessions_db.py", nil, "csrftoken", db.arg, key), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Token) != 64 || len(got.SessionValue) != 64 {
		t.Fatalf("Django 3.2 gave token %q, session value %q; want 64 characters each", got.Token, got.SessionValue)
	}
	mgr := djangoManager(t, db, nil)
	var checked bool
	h := sessionGuard(t, mgr, false, func(w http.ResponseWriter, r *http.Request) { checked = true })
	for _, tok := range []string{got.Token, got.SessionValue} {
		checked = false
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, postWithToken(key, tok))
		if rec.Code != 200 || !checked {
			t.Errorf("Django's token %q: status %d, handler ran %v", tok, rec.Code, checked)
		}
	}
	g := quietGuard(t, csrf.Options{UseSession: true})
	bad := []byte(got.Token)
	bad[40] ^= 1
	var err error
	mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err = g.Check(r)
	})).ServeHTTP(httptest.NewRecorder(), postWithToken(key, string(bad)))
	if !errors.Is(err, csrf.ErrBadToken) {
		t.Errorf("altered Django token: %v, want ErrBadToken", err)
	}
}

// The secret tether's guard keeps in the session and the tokens it hands
// out pass Django's own CsrfViewMiddleware with CSRF_USE_SESSIONS on the
// same session when the guard masks the session value (MaskCookie, as
// Django 3.2 stores it); an altered token and a token of another session
// do not. Without MaskCookie the session holds the bare secret, which
// Django 4.1+ reads and Django 3.2 cannot: the test pins that limit.
func TestCSRFInSessionToDjango(t *testing.T) {
	db := sqliteDjango(t)
	mgr := djangoManager(t, db, nil)
	issue := func(mask bool) (key, token string) {
		h := sessionGuard(t, mgr, mask, func(w http.ResponseWriter, r *http.Request) {
			session.From(r).Set("cart", map[string]int{"5": 1})
			token = csrf.Token(r)
		})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		key = sessionCookie(rec.Result())
		if key == "" || len(token) != 64 {
			t.Fatalf("no session (%q) or token (%q)", key, token)
		}
		return key, token
	}
	verdict := func(key, token string) string {
		var v struct{ Verdict string }
		if err := json.Unmarshal(runPython(t, "sessions_db.py", nil, "csrfcheck", db.arg, key, token), &v); err != nil {
			t.Fatal(err)
		}
		return v.Verdict
	}
	key, token := issue(true)
	_, other := issue(true)
	stored, _ := readDjango(t, db.arg, key).Data["_csrftoken"].(string)
	if len(stored) != 64 {
		t.Fatalf("the session holds _csrftoken %q, want a 64-character masked token", stored)
	}
	bad := []byte(token)
	bad[50] ^= 1
	for _, c := range []struct {
		name, token string
		accepted    bool
	}{
		{"token", token, true},
		{"session value", stored, true},
		{"altered", string(bad), false},
		{"other session's", other, false},
	} {
		if v := verdict(key, c.token); (v == "accepted") != c.accepted {
			t.Errorf("%s: Django says %q, want accepted %v", c.name, v, c.accepted)
		}
	}

	bareKey, bareToken := issue(false)
	if s, _ := readDjango(t, db.arg, bareKey).Data["_csrftoken"].(string); len(s) != 32 {
		t.Fatalf("without MaskCookie the session holds %q, want the 32-character secret", s)
	}
	if v := verdict(bareKey, bareToken); v == "accepted" {
		t.Errorf("Django 3.2 accepted a token against a bare session secret; update MaskCookie's documentation")
	}
}
