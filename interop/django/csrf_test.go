package djangointerop

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherweb/tether/csrf"
)

// csrfScript is the Django side of the CSRF cross-check.
const csrfScript = "csrf_vectors.py"

// quietGuard is a csrf.Guard that logs nowhere.
func quietGuard(t *testing.T, o csrf.Options) *csrf.Guard {
	t.Helper()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := csrf.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// A cookie and tokens made by Django's get_token pass tether's check, in
// the header and in the form field; a token changed by one character does
// not.
func TestCSRFTokensFromDjango(t *testing.T) {
	var got struct {
		Cookie string   `json:"cookie"`
		Tokens []string `json:"tokens"`
	}
	if err := json.Unmarshal(runPython(t, csrfScript, nil, "generate"), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Tokens) != 5 || got.Cookie == "" {
		t.Fatalf("Django gave %+v", got)
	}
	g := quietGuard(t, csrf.Options{})
	post := func(token string, field bool) *http.Request {
		var r *http.Request
		if field {
			r = httptest.NewRequest("POST", "/", strings.NewReader(url.Values{"csrfmiddlewaretoken": {token}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest("POST", "/", nil)
			r.Header.Set("X-CSRFToken", token)
		}
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: got.Cookie})
		return r
	}
	for i, tok := range got.Tokens {
		for _, field := range []bool{false, true} {
			if err := g.Check(post(tok, field)); err != nil {
				t.Errorf("Django token %d (form field %v): %v", i, field, err)
			}
		}
	}
	bad := []byte(got.Tokens[0])
	bad[10] ^= 1 // still a letter or digit: a valid shape, the wrong secret
	if err := g.Check(post(string(bad), false)); !errors.Is(err, csrf.ErrBadToken) {
		t.Errorf("altered Django token: %v, want ErrBadToken", err)
	}
}

// goCSRF runs one GET through a guard and returns the csrftoken cookie it
// set and the masked token the page got.
func goCSRF(t *testing.T, g *csrf.Guard) (cookieValue, token string) {
	t.Helper()
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token = csrf.Token(r)
		w.Write([]byte(token))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == "csrftoken" {
			cookieValue = c.Value
		}
	}
	if cookieValue == "" || token == "" {
		t.Fatalf("no cookie or token: %v", rec.Result().Header)
	}
	return cookieValue, token
}

// A cookie and a token made by tether, in either cookie form, pass Django's
// own CsrfViewMiddleware; a token of another cookie, an altered token and a
// missing one do not.
func TestCSRFTokensToDjango(t *testing.T) {
	type csrfCase struct {
		Name   string `json:"name"`
		Cookie string `json:"cookie"`
		Token  string `json:"token"`
		Field  bool   `json:"field"`
	}
	var cases []csrfCase
	want := map[string]string{}
	for _, mode := range []struct {
		name string
		mask bool
	}{{"secret-cookie", false}, {"masked-cookie", true}} {
		g := quietGuard(t, csrf.Options{MaskCookie: mode.mask})
		ck, tok := goCSRF(t, g)
		wantLen := 32
		if mode.mask {
			wantLen = 64
		}
		if len(ck) != wantLen {
			t.Fatalf("%s: cookie %q, want %d characters", mode.name, ck, wantLen)
		}
		otherCookie, _ := goCSRF(t, g)
		bad := []byte(tok)
		bad[5] ^= 1
		cases = append(cases,
			csrfCase{mode.name + "/header", ck, tok, false},
			csrfCase{mode.name + "/field", ck, tok, true},
			csrfCase{mode.name + "/cookie-as-header", ck, ck, false},
			csrfCase{mode.name + "/other-cookie", otherCookie, tok, false},
			csrfCase{mode.name + "/altered", ck, string(bad), false},
			csrfCase{mode.name + "/missing", ck, "", false},
		)
		// The cookie's value sent back as the token is accepted too: a
		// masked cookie is a valid masked token, and Django takes a
		// 32-character token as the unmasked secret (as tether does).
		for _, c := range []string{"header", "field", "cookie-as-header"} {
			want[mode.name+"/"+c] = "accepted"
		}
	}
	in, _ := json.Marshal(map[string]any{"cases": cases})
	var verdicts map[string]string
	if err := json.Unmarshal(runPython(t, csrfScript, in, "verify"), &verdicts); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		v := verdicts[c.Name]
		if w, ok := want[c.Name]; ok {
			if v != w {
				t.Errorf("%s: Django says %q, want %q", c.Name, v, w)
			}
			continue
		}
		if !strings.HasPrefix(v, "rejected") {
			t.Errorf("%s: Django says %q, want rejected", c.Name, v)
		}
	}
}
