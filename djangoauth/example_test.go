package djangoauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tetherweb/tether/djangoauth"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// A Go handler logs a Django user in, and the next request finds out who
// is logged in. In a real app, lookup reads auth_user.password and the
// Manager shares Django's table (session.NewDjangoCodec).
func Example() {
	auth := &djangoauth.Auth{SecretKey: []byte("the SECRET_KEY of the Django project")}
	passwords := map[string]string{"7": "pbkdf2_sha256$260000$salt$hash="}
	lookup := func(ctx context.Context, id string) (string, bool, error) {
		p, ok := passwords[id]
		return p, ok, nil
	}
	store := memstore.New()
	defer store.Close()
	mgr := &session.Manager{Store: store}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		// ... after checking the password against passwords["7"]:
		if err := auth.Login(r, "7", djangoauth.ModelBackend, passwords["7"]); err != nil {
			http.Error(w, "login failed", http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		id, err := auth.User(r.Context(), session.From(r), lookup)
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "user %q", id)
	})
	h := mgr.Middleware(mux)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/login", nil))
	req := httptest.NewRequest("GET", "/me", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output: user "7"
}
