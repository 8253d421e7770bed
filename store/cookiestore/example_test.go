package cookiestore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/cookiestore"
)

// Sessions with no server state: the session is sealed into the cookie.
func Example() {
	store, err := cookiestore.NewEncrypted([]byte("a long random secret key, e.g. from tether keygen"))
	if err != nil {
		panic(err)
	}
	m := &session.Manager{CookieStore: store}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Update(session.From(r), "visits", func(n int) int { return n + 1 })
		fmt.Fprintf(w, "visit %d", n)
	}))

	var jar []*http.Cookie
	for range 3 {
		req := httptest.NewRequest("GET", "/", nil)
		for _, c := range jar {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		jar = rec.Result().Cookies()
		fmt.Println(rec.Body.String())
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}
