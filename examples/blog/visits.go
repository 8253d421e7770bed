package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tetherweb/tether/cookie"
)

// visits is the tutorial's cookie counter: the count lives in a plain
// "visited" cookie (HttpOnly, SameSite=Lax, 30 days, Secure with -secure).
// A cookie the client can edit is fine for a counter and for nothing that
// matters; that is what sessions are for.
func (a *app) visits(w http.ResponseWriter, r *http.Request) {
	n := 0
	if v, ok := cookie.Value(r, "visited"); ok {
		n, _ = strconv.Atoi(v)
	}
	n = max(n, 0) + 1
	opts := cookie.Options{MaxAge: 30 * 24 * time.Hour, Secure: a.cfg.Secure}
	if err := cookie.Set(w, "visited", strconv.Itoa(n), opts); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	times := " times.\n"
	if n == 1 {
		times = " time.\n"
	}
	w.Write([]byte("You have visited this page " + strconv.Itoa(n) + times))
}
