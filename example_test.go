package tether_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/secure"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// The stack, outermost first: security headers, sessions, messages, CSRF.
func Example() {
	key := []byte("example-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
	sessions := &session.Manager{Store: memstore.New(), SecretKey: key}
	flashes := &messages.Manager{Storage: messages.NewFallbackStorage(key)}
	protect, err := csrf.Protect(csrf.Options{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Update(session.From(r), "visits", func(n int) int { return n + 1 })
		fmt.Fprintf(w, "visit %d", n)
	})
	h := secure.Middleware(secure.Options{})(sessions.Middleware(flashes.Middleware(protect(mux))))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Body.String(), rec.Header().Get("X-Content-Type-Options"))
	// Output: visit 1 nosniff
}
