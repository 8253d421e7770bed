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
	"github.com/tetherweb/tether/store/cookiestore"
)

// cookieScript is the Django side of the signed_cookies cross-check.
const cookieScript = "sessions_cookie.py"

// signedCookieCases are sessions both sides write and read: plain ASCII,
// non-ASCII text (Latin, CJK, astral characters that JSON escapes as
// surrogate pairs, U+2028, quotes and markup) and one large enough that
// signing.dumps compresses it.
func signedCookieCases() map[string]map[string]any {
	long := make([]any, 120)
	for i := range long {
		long[i] = map[string]any{"product": i % 7, "note": "the same words again and again"}
	}
	return map[string]map[string]any{
		"ascii":      {"_auth_user_id": "7", "cart": []any{1, 2, 3}, "ok": true, "nothing": nil},
		"zoe":        {"name": "Zoë"},
		"non-ascii":  {"name": "Zoë", "city": "東京", "emoji": "😀 and 🏳️‍🌈", "odd": "line\u2028sep \"q\" <b>&amp;</b> \\", "clé": "vàlue"},
		"compressed": {"history": long, "title": "ünïcode in a compressed cookie"},
	}
}

// signedCookieNames lists signedCookieCases in the order the tests send
// them, and whether signing.dumps compresses each (the escaped non-ASCII
// case is long enough to pay).
var signedCookieNames = []struct {
	name       string
	compressed bool
}{{"ascii", false}, {"zoe", false}, {"non-ascii", true}, {"compressed", true}}

// normalJSON renders v as sorted, compact JSON (numbers as encoding/json
// writes them), for comparing what two sides decoded.
func normalJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(back)
	return string(b)
}

// signedManager is a session.Manager keeping sessions in Django's
// signed_cookies format, signing at now.
func signedManager(t *testing.T, now func() time.Time, log io.Writer) *session.Manager {
	t.Helper()
	store, err := cookiestore.NewSigned([]byte(djangoKey), cookiestore.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	return &session.Manager{CookieStore: store, Logger: slog.New(slog.NewTextHandler(log, nil))}
}

// goReadCookie runs one request with the sessionid cookie value through
// mgr and returns everything the session held.
func goReadCookie(t *testing.T, mgr *session.Manager, value string) (map[string]any, int) {
	t.Helper()
	got := map[string]any{}
	h := mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		for _, k := range s.Keys() {
			var v any
			if _, err := s.Get(k, &v); err != nil {
				t.Errorf("Get(%q): %v", k, err)
			}
			got[k] = v
		}
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: value})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return got, rec.Code
}

// goWriteCookie runs one request through mgr that stores values and
// returns the sessionid cookie value of the response.
func goWriteCookie(t *testing.T, mgr *session.Manager, values map[string]any) string {
	t.Helper()
	h := mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		for k, v := range values {
			if err := s.Set(k, v); err != nil {
				t.Errorf("Set(%q): %v", k, err)
			}
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	v := sessionCookie(rec.Result())
	if v == "" {
		t.Fatalf("no session cookie: %v", rec.Result().Header)
	}
	return v
}

// tamper changes one character of a signed value at index i (negative:
// from the end) to another character of the same alphabet.
func tamper(value string, i int) string {
	if i < 0 {
		i += len(value)
	}
	b := []byte(value)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// djangoCookieVerdict is one entry of "sessions_cookie.py read".
type djangoCookieVerdict struct {
	Valid bool           `json:"valid"`
	Data  map[string]any `json:"data"`
}

func djangoReadCookies(t *testing.T, values []string) []djangoCookieVerdict {
	t.Helper()
	in, _ := json.Marshal(values)
	var out []djangoCookieVerdict
	if err := json.Unmarshal(runPython(t, cookieScript, in, "read"), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(values) {
		t.Fatalf("Django read %d cookies, want %d", len(out), len(values))
	}
	return out
}

// Sessions that Django's signed_cookies backend writes are read by
// cookiestore.NewSigned with the same content; a changed signature or
// payload is refused (an empty session, a log line, no error status).
func TestSignedCookiesFromDjango(t *testing.T) {
	cases := signedCookieCases()
	list := make([]map[string]any, len(signedCookieNames))
	for i, c := range signedCookieNames {
		list[i] = cases[c.name]
	}
	in, _ := json.Marshal(list)
	var values []string
	if err := json.Unmarshal(runPython(t, cookieScript, in, "write"), &values); err != nil {
		t.Fatal(err)
	}
	if len(values) != len(signedCookieNames) {
		t.Fatalf("Django wrote %d cookies", len(values))
	}
	var log strings.Builder
	mgr := signedManager(t, time.Now, &log)
	for i, c := range signedCookieNames {
		if compressed := strings.HasPrefix(values[i], "."); compressed != c.compressed {
			t.Errorf("%s: Django's cookie %.20q…: compressed %v", c.name, values[i], compressed)
		}
		got, code := goReadCookie(t, mgr, values[i])
		if code != 200 || normalJSON(t, got) != normalJSON(t, cases[c.name]) {
			t.Errorf("%s: Go reads Django's cookie as %v (status %d), want %v", c.name, got, code, cases[c.name])
		}
	}
	// Two weeks and an hour later Django's cookie has outlived
	// SESSION_COOKIE_AGE: refused, as Django refuses it.
	later := signedManager(t, time.Now, &log)
	later.Now = func() time.Time { return time.Now().Add(session.DefaultMaxAge + time.Hour) }
	if got, code := goReadCookie(t, later, values[0]); code != 200 || len(got) != 0 {
		t.Errorf("expired Django cookie: Go reads %v (status %d), want an empty session", got, code)
	}
	for _, bad := range []struct{ name, value string }{
		{"signature", tamper(values[0], -3)},
		{"payload", tamper(values[0], 2)},
		{"compressed payload", tamper(values[3], 5)},
		{"unsigned", strings.Split(values[0], ":")[0]},
	} {
		log.Reset()
		got, code := goReadCookie(t, mgr, bad.value)
		if code != 200 || len(got) != 0 {
			t.Errorf("tampered %s: Go reads %v (status %d), want an empty session", bad.name, got, code)
		}
		if !strings.Contains(log.String(), "rejected") {
			t.Errorf("tampered %s: no log line; log %q", bad.name, log.String())
		}
	}
}

// Sessions that cookiestore.NewSigned writes are read by Django's
// signed_cookies backend with the same content; a tampered cookie and one
// signed longer ago than SESSION_COOKIE_AGE are refused by Django.
func TestSignedCookiesToDjango(t *testing.T) {
	cases := signedCookieCases()
	mgr := signedManager(t, time.Now, io.Discard)
	var values []string
	for _, c := range signedCookieNames {
		v := goWriteCookie(t, mgr, cases[c.name])
		if compressed := strings.HasPrefix(v, "."); compressed != c.compressed {
			t.Errorf("%s: Go's cookie %.20q…: compressed %v", c.name, v, compressed)
		}
		values = append(values, v)
	}
	old := signedManager(t, func() time.Time { return time.Now().Add(-session.DefaultMaxAge - time.Hour) }, io.Discard)
	bad := []string{
		tamper(values[0], -3),
		tamper(values[1], 2),
		tamper(values[3], 5),
		goWriteCookie(t, old, cases["ascii"]),
	}
	verdicts := djangoReadCookies(t, append(values, bad...))
	for i, c := range signedCookieNames {
		v := verdicts[i]
		if !v.Valid || normalJSON(t, v.Data) != normalJSON(t, cases[c.name]) {
			t.Errorf("%s: Django reads Go's cookie as %+v, want %v", c.name, v, cases[c.name])
		}
	}
	for i, v := range verdicts[len(signedCookieNames):] {
		if v.Valid || len(v.Data) != 0 {
			t.Errorf("bad cookie %d (%.30q…): Django accepted it: %+v", i, bad[i], v)
		}
	}
}
