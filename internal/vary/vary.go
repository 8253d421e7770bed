// Package vary adds "Vary: Cookie" to responses whose content depends on
// a cookie (a session, flash messages, a CSRF token), so that shared caches
// never serve one user's page to another.
package vary

import (
	"net/http"
	"strings"
)

// Cookie adds "Vary: Cookie" unless the header already varies on Cookie
// (or on everything, "*").
func Cookie(h http.Header) {
	for _, line := range h["Vary"] {
		for f := range strings.SplitSeq(line, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Cookie") {
				return
			}
		}
	}
	if len(h["Vary"]) == 0 {
		// The common case, without allocating: a shared one-element slice
		// whose capacity is its length, so an Add to it copies it first.
		h["Vary"] = cookieOnly[:1:1]
		return
	}
	h.Add("Vary", "Cookie")
}

// cookieOnly is the value of a Vary header that says only Cookie.
var cookieOnly = []string{"Cookie"}
