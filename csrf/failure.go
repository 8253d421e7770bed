package csrf

import (
	"errors"
	"net/http"
)

// DefaultFailureHandler answers a refused request: 403 Forbidden, a
// plain-text page with Django's heading, the reason and what to fix,
// "Cache-Control: no-store" (the answer depends on this request's
// headers) and "X-Content-Type-Options: nosniff". The page tells nothing
// a forger does not already know: it only describes the request it got.
//
// An htmx request (HX-Request: true) gets a short answer an htmx page can
// show instead: 403 with a one-line text body, "HX-Reswap: none" and an
// HX-Trigger firing HTMXFailureEvent with the reason (see
// HTMXFailureEvent).
func DefaultFailureHandler(w http.ResponseWriter, r *http.Request, err error) {
	if r.Header.Get("HX-Request") == "true" {
		htmxFailure(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	body := "403 Forbidden\n\nCSRF verification failed. Request aborted.\n"
	var e *Error
	if errors.As(err, &e) {
		body += "\nReason: " + e.Detail + "\n"
		if e.Fix != "" {
			body += "\nTo fix: " + e.Fix + "\n"
		}
	}
	_, _ = w.Write([]byte(body))
}
