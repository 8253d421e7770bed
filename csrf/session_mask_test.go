package csrf_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// With UseSession and MaskCookie the session holds a masked token (as
// Django 3.2 stores "_csrftoken"), masked afresh when the secret rotates;
// tokens handed out verify against it, and a rotation retires them.
func TestSessionValueMasked(t *testing.T) {
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}
	g, err := csrf.New(csrf.Options{Logger: quiet, UseSession: true, MaskCookie: true})
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, csrf.Token(r))
		stored, _ = session.Value[string](session.From(r), csrf.SessionKey)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := csrf.Rotate(r); err != nil {
			t.Error(err)
		}
		stored, _ = session.Value[string](session.From(r), csrf.SessionKey)
		io.WriteString(w, csrf.Token(r))
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	h := m.Middleware(g.Protect(mux))
	sid := ""
	do := func(method, path, tok string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if sid != "" {
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: sid})
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if tok != "" {
			req.Header.Set("X-CSRFToken", tok)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			if c.Name == "sessionid" {
				sid = c.Value
			}
		}
		return rec.Code, rec.Body.String()
	}
	_, tok := do("GET", "/form", "")
	first := stored
	if len(first) != csrf.TokenLength {
		t.Fatalf("session value %q, want a %d-letter masked token", first, csrf.TokenLength)
	}
	if code, _ := do("POST", "/submit", tok); code != 200 {
		t.Fatalf("POST with the token: %d", code)
	}
	if code, _ := do("POST", "/submit", first); code != 200 {
		t.Fatalf("POST with the session value itself: %d", code)
	}
	_, newTok := do("POST", "/login", tok)
	if len(stored) != csrf.TokenLength || stored == first {
		t.Fatalf("after Rotate the session holds %q (was %q)", stored, first)
	}
	if code, _ := do("POST", "/submit", tok); code != 403 {
		t.Fatalf("old token after rotation: %d", code)
	}
	if code, _ := do("POST", "/submit", newTok); code != 200 {
		t.Fatalf("new token after rotation: %d", code)
	}
}
