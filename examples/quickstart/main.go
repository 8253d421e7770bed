// Command quickstart is the README's quick start: sessions, flash
// messages, CSRF protection and security headers around a plain ServeMux.
package main

import (
	"bytes"
	"html/template"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/secure"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

var page = template.Must(template.New("").Funcs(messages.FuncMap()).Funcs(csrf.FuncMap()).Parse(`
{{with messages .}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.}}</li>{{end}}</ul>{{end}}
<form method="post">{{csrfField .}}<input name="name"> <button>Save</button></form>`))

func main() {
	store, err := sqlite.Open("app.db") // or memstore, redisstore, ...
	if err != nil {
		panic(err)
	}
	key := []byte(os.Getenv("SECRET_KEY")) // go run ./cmd/tether keygen
	sessions := &session.Manager{Store: store}
	flashes := &messages.Manager{Storage: messages.NewFallbackStorage(key)}
	protect, err := csrf.Protect(csrf.Options{})
	if err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer // render first: messages and the CSRF cookie go out with the headers
		page.Execute(&buf, r)
		buf.WriteTo(w)
	})
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("name", r.FormValue("name"))
		messages.Success(r, "Saved, "+r.FormValue("name")+".")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	headers := secure.Middleware(secure.Options{}) // nosniff, Referrer-Policy, COOP, X-Frame-Options; HSTS when you say so
	srv := &http.Server{
		Addr:    "localhost:8000",
		Handler: headers(sessions.Middleware(flashes.Middleware(protect(mux)))),
		// A client that never finishes its request must not hold a connection forever.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	log.Fatal(srv.ListenAndServe())
}
