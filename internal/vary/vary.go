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
	h.Add("Vary", "Cookie")
}
