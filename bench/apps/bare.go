package apps

import (
	"net/http"
	"sync/atomic"

	"github.com/tetherweb/tether/session"
)

// bare is the App without a session library: the ceiling the others are
// measured against. Read writes "demo" as the others' Read does, Incr and
// Count use one counter of the process (what a session would hold), and
// Create sets a cookie of a tether session cookie's size, so that a load
// run's requests carry the same Cookie header to every App.
func bare() *App {
	var n atomic.Int64
	demo := []byte("demo")
	key := session.NewKey()
	return &App{
		Name: "bare",
		Read: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(demo) }),
		Incr: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeInt(w, int(n.Add(1)))
		}),
		Create: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: key, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
			w.Write(body)
		}),
		Count:     http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeInt(w, int(n.Load())) }),
		Untouched: untouched,
		Close:     func() {},
	}
}
