package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/dsn"
)

const (
	currentKey = "the-current-secret-key-of-the-tests-0123456789-abcdefghijklmnop"
	formerKey  = "a-former-secret-key-of-the-tests-0123456789-abcdefghijklmnopqrs"
)

// webapp is an application on the store at a DSN: a Manager sealing with a
// secret key, with a per-user index.
type webapp struct {
	t *testing.T
	h http.Handler
}

func newSite(t *testing.T, storeDSN, secret string, fallbacks ...string) *webapp {
	t.Helper()
	s, err := dsn.Open(storeDSN, dsn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	durable := s.Store.(session.Durable)
	m := &session.Manager{Store: durable, SecretKey: []byte(secret), Users: session.NewUserIndex(durable), Logger: slog.New(slog.DiscardHandler)}
	for _, f := range fallbacks {
		m.FallbackKeys = append(m.FallbackKeys, []byte(f))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.CycleKey()
		if err := s.SetUser(r.FormValue("user")); err != nil {
			t.Error(err)
		}
		s.Set("cart", "apples for "+r.FormValue("user"))
	})
	mux.HandleFunc("GET /cart", func(w http.ResponseWriter, r *http.Request) {
		var cart string
		session.From(r).Get("cart", &cart)
		io.WriteString(w, cart)
	})
	return &webapp{t: t, h: m.Middleware(mux)}
}

func (s *webapp) do(method, path string, c *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// login returns the session cookie of a new session of user.
func (s *webapp) login(user string) *http.Cookie {
	s.t.Helper()
	for _, c := range s.do("POST", "/login?user="+user, nil).Result().Cookies() {
		if c.Name == session.DefaultCookieName && session.ValidKey(c.Value) {
			return c
		}
	}
	s.t.Fatal("login set no session cookie")
	return nil
}

func (s *webapp) cart(c *http.Cookie) string { return s.do("GET", "/cart", c).Body.String() }

// keyFiles writes the secret key and fallback key files.
func keyFiles(t *testing.T, secret string, fallbacks ...string) (string, string) {
	dir := t.TempDir()
	kf, ff := filepath.Join(dir, "secret"), filepath.Join(dir, "fallbacks")
	if err := os.WriteFile(kf, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ff, []byte(strings.Join(fallbacks, "\n")+"\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return kf, ff
}

var listedID = regexp.MustCompile(`(?m)^([0-9a-f]{64})[ \t]+\S+[ \t]+\d+[ \t]*(.*)$`)

// listed runs sessions list and returns its IDs with their KIND (empty
// without the secret key).
func listed(t *testing.T, args ...string) (map[string]string, string) {
	t.Helper()
	code, out, errs := runCLI(t, append([]string{"sessions", "list"}, args...)...)
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, errs)
	}
	ids := map[string]string{}
	for _, m := range listedID.FindAllStringSubmatch(out, -1) {
		ids[m[1]] = strings.TrimSpace(m[2])
	}
	return ids, out
}

// noKeys fails when out shows a session key or another 32-character
// token that could be one.
func noKeys(t *testing.T, out string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if strings.Contains(out, k) {
			t.Errorf("output shows the session key %s:\n%s", k, out)
		}
	}
	if m := regexp.MustCompile(`(^|[^0-9a-z])[0-9a-z]{32}([^0-9a-z]|$)`).FindString(out); m != "" {
		t.Errorf("output shows something of a session key's form (%q):\n%s", m, out)
	}
}

func TestSessionsListShowByID(t *testing.T) {
	for _, d := range stores(t) {
		t.Run(strings.Split(d, ":")[0], func(t *testing.T) {
			app := newSite(t, d, currentKey)
			a1, a2, b := app.login("alice"), app.login("alice"), app.login("bob")
			kf, _ := keyFiles(t, currentKey)

			ids, out := listed(t, "--store", d)
			noKeys(t, out, a1.Value, a2.Value, b.Value)
			if len(ids) != 5 { // three sessions, two index records
				t.Fatalf("listed %d IDs, want 5:\n%s", len(ids), out)
			}
			if strings.Contains(out, "KIND") {
				t.Errorf("KIND without the secret key:\n%s", out)
			}
			ids, out = listed(t, "--store", d, "--secret-key-file", kf)
			kinds := map[string]int{}
			for _, k := range ids {
				kinds[k]++
			}
			if kinds["session"] != 3 || kinds["index"] != 2 {
				t.Fatalf("kinds %v, want 3 session and 2 index:\n%s", kinds, out)
			}
			noKeys(t, out, a1.Value, a2.Value, b.Value)

			id := session.HashKey(b.Value)
			if ids[id] != "session" {
				t.Fatalf("bob's session %s not listed as a session:\n%s", id, out)
			}
			// With the key: the content, by the listed ID or the key.
			for _, arg := range []string{id, b.Value} {
				code, out, errs := runCLI(t, "sessions", "show", arg, "--store", d, "--secret-key-file", kf)
				if code != 0 || !strings.Contains(out, `"cart": "apples for bob"`) || !strings.Contains(out, "with the current secret key") {
					t.Fatalf("show %s with the key: exit %d %s\n%s", arg, code, errs, out)
				}
				noKeys(t, out, b.Value)
			}
			// Through the environment too.
			t.Setenv("TETHER_SECRET_KEY", currentKey)
			if code, out, _ := runCLI(t, "sessions", "show", id, "--store", d); code != 0 || !strings.Contains(out, "apples for bob") {
				t.Fatalf("show with $TETHER_SECRET_KEY: exit %d\n%s", code, out)
			}
			os.Unsetenv("TETHER_SECRET_KEY")
			// Without the key: expiry and size, and no content.
			code, out, errs := runCLI(t, "sessions", "show", id, "--store", d)
			if code != 0 || !strings.Contains(out, "expires: ") || !strings.Contains(out, "data:    sealed") || strings.Contains(out, "apples") || strings.Contains(out, "\\x") {
				t.Fatalf("show without the key: exit %d %s\n%s", code, errs, out)
			}
			// Another key opens nothing.
			other, _ := keyFiles(t, formerKey)
			if code, out, _ := runCLI(t, "sessions", "show", id, "--store", d, "--secret-key-file", other); code != 0 || !strings.Contains(out, "does not open") || strings.Contains(out, "apples") {
				t.Fatalf("show with another key: exit %d\n%s", code, out)
			}
			// An index record shows as one, without the keys it holds.
			for listedAs, kind := range ids {
				if kind != "index" {
					continue
				}
				code, out, _ := runCLI(t, "sessions", "show", listedAs, "--store", d, "--secret-key-file", kf)
				if code != 0 || !strings.Contains(out, "per-user index of") {
					t.Fatalf("show index: exit %d\n%s", code, out)
				}
				noKeys(t, out, a1.Value, a2.Value, b.Value)
			}
			// Unknown and malformed IDs.
			if code, _, errs := runCLI(t, "sessions", "show", session.HashKey(session.NewKey()), "--store", d); code != 1 || !strings.Contains(errs, "no live session") {
				t.Fatalf("show unknown ID: exit %d %s", code, errs)
			}
			if code, _, errs := runCLI(t, "sessions", "show", strings.ToUpper(id), "--store", d); code != 1 || !strings.Contains(errs, "not a session key") {
				t.Fatalf("show malformed ID: exit %d %s", code, errs)
			}
		})
	}
}

// TestSessionsPlainKeyStore: a store that keeps plain keys (Django's
// table) is listed with the keys' hashes, and show finds a record by one.
func TestSessionsPlainKeyStore(t *testing.T) {
	d := "sqlite:" + filepath.Join(t.TempDir(), "django.db") + "?table=django_session"
	key := seed(t, d, 2, 0)
	ids, out := listed(t, "--store", d)
	noKeys(t, out, key)
	if _, ok := ids[session.HashKey(key)]; !ok || len(ids) != 2 {
		t.Fatalf("listing lacks the key's hash:\n%s", out)
	}
	code, out, errs := runCLI(t, "sessions", "show", session.HashKey(key), "--store", d)
	if code != 0 || !strings.Contains(out, `"user": "demo"`) || !strings.Contains(out, "stored in the clear") {
		t.Fatalf("show by hash: exit %d %s\n%s", code, errs, out)
	}
	if code, out, errs := runCLI(t, "sessions", "revoke", session.HashKey(key), "--store", d); code != 0 || !strings.Contains(out, "revoked 1 session") {
		t.Fatalf("revoke by hash: exit %d %s\n%s", code, errs, out)
	}
	if ids, _ := listed(t, "--store", d); len(ids) != 1 {
		t.Fatalf("after revoke: %d listed, want 1", len(ids))
	}
}

func TestSessionsFallbackShowAndReseal(t *testing.T) {
	for _, d := range stores(t) {
		t.Run(strings.Split(d, ":")[0], func(t *testing.T) {
			old := newSite(t, d, formerKey)
			a, b := old.login("alice"), old.login("bob")
			// One record sealed with a key nobody holds any more.
			lost := newSite(t, d, "a-lost-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF")
			lost.do("GET", "/cart", nil) // no write: an anonymous, empty session
			c := lost.login("carol")
			kf, ff := keyFiles(t, currentKey, formerKey)
			id := session.HashKey(a.Value)

			code, out, errs := runCLI(t, "sessions", "show", id, "--store", d, "--secret-key-file", kf, "--fallback-key-file", ff)
			if code != 0 || !strings.Contains(out, "a fallback key") || !strings.Contains(out, "apples for alice") {
				t.Fatalf("show with the fallback key: exit %d %s\n%s", code, errs, out)
			}
			if ids, out := listed(t, "--store", d, "--secret-key-file", kf, "--fallback-key-file", ff); ids[id] != "session (fallback key)" || ids[session.HashKey(c.Value)] != "unopenable" {
				t.Fatalf("kinds before reseal:\n%s", out)
			}

			code, out, errs = runCLI(t, "sessions", "reseal", "--store", d, "--secret-key-file", kf, "--fallback-key-file", ff)
			// alice's and bob's sessions and index records; carol's two records open with no key.
			if code != 0 || !strings.Contains(out, "resealed 4, already current 0, written meanwhile 0, unopenable 2") {
				t.Fatalf("reseal: exit %d %s\n%s", code, errs, out)
			}
			noKeys(t, out, a.Value, b.Value, c.Value)
			code, out, _ = runCLI(t, "sessions", "reseal", "--store", d, "--secret-key-file", kf, "--fallback-key-file", ff)
			if code != 0 || !strings.Contains(out, "resealed 0, already current 4, written meanwhile 0, unopenable 2") {
				t.Fatalf("second reseal: exit %d\n%s", code, out)
			}
			// The current key alone opens them now: on the CLI and in an
			// application that no longer knows the former key.
			cur, _ := keyFiles(t, currentKey)
			if code, out, _ := runCLI(t, "sessions", "show", id, "--store", d, "--secret-key-file", cur); code != 0 || !strings.Contains(out, "with the current secret key") || !strings.Contains(out, "apples for alice") {
				t.Fatalf("show after reseal: exit %d\n%s", code, out)
			}
			app := newSite(t, d, currentKey)
			if got := app.cart(a); got != "apples for alice" {
				t.Fatalf("alice's cart after reseal: %q", got)
			}
			if got := app.cart(b); got != "apples for bob" {
				t.Fatalf("bob's cart after reseal: %q", got)
			}
		})
	}
}

// staleIDs loads every record with a version it no longer has, as if the
// application wrote each one between reseal's load and its write.
type staleIDs struct {
	session.Store
}

func (s staleIDs) List(ctx context.Context, after string, limit int) ([]session.Entry, error) {
	return s.Store.(session.Lister).List(ctx, after, limit)
}

func (s staleIDs) LoadID(ctx context.Context, id string) (session.Record, error) {
	rec, err := s.Store.(session.IDStore).LoadID(ctx, id)
	rec.Version += 1 << 40
	return rec, err
}

func (s staleIDs) UpdateID(ctx context.Context, id string, rec session.Record) (session.Version, error) {
	return s.Store.(session.IDStore).UpdateID(ctx, id, rec)
}

func (s staleIDs) DeleteID(ctx context.Context, id string) error {
	return s.Store.(session.IDStore).DeleteID(ctx, id)
}

// TestResealConflictSkips: a record written since reseal loaded it is
// left alone (the application sealed it with the current key).
func TestResealConflictSkips(t *testing.T) {
	d := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	old := newSite(t, d, formerKey)
	a := old.login("alice")
	s, err := dsn.Open(d, dsn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kf, ff := keyFiles(t, currentKey, formerKey)
	keys, err := loadSealKeys(kf, ff)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	c := &sessionsCmd{store: s, recs: records{store: staleIDs{s.Store}}, keys: keys, stdout: &out, stderr: io.Discard}
	if err := c.reseal(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "resealed 0, already current 0, written meanwhile 2") {
		t.Fatalf("reseal with stale loads: %s", out.String())
	}
	if got := old.cart(a); got != "apples for alice" {
		t.Fatalf("the session was changed: %q", got)
	}
}

func TestSessionsRevoke(t *testing.T) {
	for _, d := range stores(t) {
		t.Run(strings.Split(d, ":")[0], func(t *testing.T) {
			app := newSite(t, d, currentKey)
			a1, a2, b := app.login("alice"), app.login("alice"), app.login("bob")
			kf, _ := keyFiles(t, currentKey)

			// By the listed ID: that session ends, the others do not.
			id := session.HashKey(a1.Value)
			code, out, errs := runCLI(t, "sessions", "revoke", id, "--store", d)
			if code != 0 || !strings.Contains(out, "revoked 1 session") {
				t.Fatalf("revoke ID: exit %d %s\n%s", code, errs, out)
			}
			noKeys(t, out, a1.Value)
			if got := app.cart(a1); got != "" {
				t.Fatalf("revoked session still has its cart: %q", got)
			}
			if app.cart(a2) != "apples for alice" || app.cart(b) != "apples for bob" {
				t.Fatal("revoking one session ended another")
			}
			if code, _, errs := runCLI(t, "sessions", "revoke", id, "--store", d); code != 1 || !strings.Contains(errs, "no live session") {
				t.Fatalf("revoke again: exit %d %s", code, errs)
			}
			// An index record is no session to revoke.
			ids, _ := listed(t, "--store", d, "--secret-key-file", kf)
			for listedAs, kind := range ids {
				if kind == "index" {
					if code, _, errs := runCLI(t, "sessions", "revoke", listedAs, "--store", d, "--secret-key-file", kf); code != 1 || !strings.Contains(errs, "per-user index") {
						t.Fatalf("revoke index: exit %d %s", code, errs)
					}
				}
			}
			// By user: every session of alice, none of bob's.
			a3 := app.login("alice")
			code, out, errs = runCLI(t, "sessions", "revoke", "--user", "alice", "--store", d, "--secret-key-file", kf)
			if code != 0 || !strings.Contains(out, `revoked 2 sessions of user "alice"`) {
				t.Fatalf("revoke --user: exit %d %s\n%s", code, errs, out)
			}
			noKeys(t, out, a2.Value, a3.Value)
			if app.cart(a2) != "" || app.cart(a3) != "" {
				t.Fatal("alice's sessions survive revoke --user")
			}
			if app.cart(b) != "apples for bob" {
				t.Fatal("revoke --user alice ended bob's session")
			}
			if code, out, _ := runCLI(t, "sessions", "revoke", "--user", "nobody", "--store", d, "--secret-key-file", kf); code != 0 || !strings.Contains(out, "revoked 0 sessions") {
				t.Fatalf("revoke --user nobody: exit %d\n%s", code, out)
			}
		})
	}
}

func TestSessionsUsageErrorsNew(t *testing.T) {
	kf, ff := keyFiles(t, currentKey, formerKey)
	t.Setenv("TETHER_SECRET_KEY", "")
	for _, args := range [][]string{
		{"sessions", "revoke", "--user", "alice", "--store", "memory:"},
		{"sessions", "reseal", "--store", "memory:"},
		{"sessions", "reseal", "--store", "memory:", "--secret-key-file", kf},
		{"sessions", "show", "--store", "memory:", "--fallback-key-file", ff},
		{"sessions", "revoke", "--store", "memory:"},
		{"sessions", "revoke", "x", "--user", "alice", "--store", "memory:", "--secret-key-file", kf},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, _, errs := runCLI(t, "sessions", "list", "--store", "cookie:", "--secret-key-file", kf); code != 1 || !strings.Contains(errs, "cookies") {
		t.Errorf("cookie store: exit %d %s", code, errs)
	}
}

// FuzzResolve: whatever an operator types as an ID, resolve never panics
// and finds a record only for the listed ID or the key of a stored one.
func FuzzResolve(f *testing.F) {
	d := "sqlite:" + filepath.Join(f.TempDir(), "s.db")
	s, err := dsn.Open(d, dsn.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	key := session.NewKey()
	if _, err := s.Create(context.Background(), key, session.Record{Data: []byte("{}"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		f.Fatal(err)
	}
	hash := session.HashKey(key)
	for _, seed := range []string{key, hash, "", "../" + key, strings.ToUpper(hash), hash + "\n", "*", "' OR 1=1 --", strings.Repeat("a", 1<<12)} {
		f.Add(seed)
	}
	r := records{store: s.Store}
	f.Fuzz(func(t *testing.T, arg string) {
		_, _, err := r.resolve(context.Background(), arg)
		if found := err == nil; found != (arg == key || arg == hash) {
			t.Fatalf("resolve(%q): %v", arg, err)
		}
	})
}
