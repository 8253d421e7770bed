// Command chi is tether under the chi router (github.com/go-chi/chi/v5):
// chi's middleware are plain func(http.Handler) http.Handler, so tether's
// go into r.Use as they are, with no adapter.
//
//	go run ./examples/chi   # http://localhost:8000
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/examples/internal/page"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// newApp returns the site: sessions in store, messages in the session,
// CSRF tokens in a cookie.
func newApp(store session.Store) (http.Handler, error) {
	sessions := &session.Manager{Store: store}
	flashes := &messages.Manager{}
	protect, err := csrf.Protect(csrf.Options{})
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	// The order matters as with any router: sessions outside messages
	// (kept in the session), CSRF inside both.
	r.Use(sessions.Middleware, flashes.Middleware, protect)
	r.Get("/", home)
	r.Post("/name", saveName)
	return r, nil
}

// home shows the page (rendered into a buffer first, so that the
// messages it shows are consumed and the CSRF cookie goes out with the
// headers).
func home(w http.ResponseWriter, r *http.Request) { page.Render(w, r, "chi") }

func saveName(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	session.From(r).Set("name", name)
	messages.Success(r, "Saved, "+name+".")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func main() {
	addr := flag.String("addr", "localhost:8000", "where to listen")
	flag.Parse()
	store := memstore.New()
	defer store.Close()
	app, err := newApp(store)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("tether with chi on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, app))
}
