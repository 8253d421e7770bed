package main

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/tetherweb/tether/cookie"
	"github.com/tetherweb/tether/session"
)

type app struct {
	secure bool
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tether demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
button{font:inherit}code{background:#f3f3f3;padding:0 .2em}</style></head>
<body><h1>tether demo</h1>
<p>You have loaded this page <strong>{{.Visits}}</strong> times in this session.</p>
<p>Cart: {{if .Cart}}{{range $id, $qty := .Cart}}<code>{{$id}}×{{$qty}}</code> {{end}}{{else}}empty{{end}}</p>
<form method="post" action="/cart/add/5"><button>Add product 5 to the cart</button></form>
<p><a href="/visits">The visited-cookie counter</a> · <a href="/api/cart">/api/cart</a></p>
</body></html>`))

// index counts visits in the session with session.Update, which never
// loses an increment to a concurrent request.
func (a *app) index(w http.ResponseWriter, r *http.Request) {
	s := session.From(r)
	n, err := session.Update(s, "visits", func(n int) int { return n + 1 })
	if err != nil {
		http.Error(w, "session unavailable", http.StatusServiceUnavailable)
		return
	}
	cart, _ := session.Value[map[string]int](s, "cart")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, map[string]any{"Visits": n, "Cart": cart})
}

// visits is the tutorial's cookie counter: the count lives in a plain
// "visited" cookie (HttpOnly, SameSite=Lax, 30 days).
func (a *app) visits(w http.ResponseWriter, r *http.Request) {
	n := 0
	if v, ok := cookie.Value(r, "visited"); ok {
		n, _ = strconv.Atoi(v)
	}
	n++
	opts := cookie.Options{MaxAge: 30 * 24 * time.Hour, Secure: a.secure}
	if err := cookie.Set(w, "visited", strconv.Itoa(n), opts); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("You have visited this page " + strconv.Itoa(n) + " times.\n"))
}

func (a *app) cartAdd(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("product_id")
	if _, err := strconv.Atoi(id); err != nil {
		http.NotFound(w, r)
		return
	}
	_, err := session.Update(session.From(r), "cart", func(cart map[string]int) map[string]int {
		if cart == nil {
			cart = map[string]int{}
		}
		cart[id]++
		return cart
	})
	if err != nil {
		http.Error(w, "session unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/cart", http.StatusSeeOther)
}

func (a *app) cart(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) apiCart(w http.ResponseWriter, r *http.Request) {
	cart, _ := session.Value[map[string]int](session.From(r), "cart")
	if cart == nil {
		cart = map[string]int{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"items": cart})
}
