package main

import (
	"math"
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
	n := visitCount(r)
	if n < math.MaxInt {
		n++
	}
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

// visitCount is the visited cookie's count: 0 without the cookie or when
// its value is not a count (it is the client's to edit).
func visitCount(r *http.Request) int {
	v, ok := cookie.Value(r, "visited")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
