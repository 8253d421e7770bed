package csrf

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tetherweb/tether/signing"
)

// HTMXFailureEvent is the htmx event DefaultFailureHandler triggers when
// it refuses an htmx request. Its detail has "reason" (Error.Detail,
// Django's sentence, such as "CSRF token missing.") and "error" (the
// reason's sentinel without its "csrf: " prefix, such as "token
// missing"), for a page that listens:
//
//	document.body.addEventListener("csrf-failure", e => showToast(e.detail.reason))
const HTMXFailureEvent = "csrf-failure"

// maxHTMXReason bounds the reason sent back in an htmx failure: the
// detail quotes the request's Origin or Referer, which may be long.
const maxHTMXReason = 256

// HXHeaders returns the value of an htmx hx-headers attribute that sends
// a fresh token in the token header (Options.HeaderName, "X-CSRFToken" by
// default) with every htmx request below the element, as JSON:
//
//	<body hx-headers='{{csrfHXHeaders .Request}}'>
//
// renders <body hx-headers='{&#34;X-CSRFToken&#34;:&#34;...&#34;}'>:
// html/template escapes the quotes, and the browser hands htmx the JSON
// again. It is a plain string on purpose, so html/template escapes it
// for whatever attribute it is put in. It calls Token (the same timing
// rule applies: render before the response's first byte is written) and
// returns "{}" where Token returns "" (HeaderOnly mode, no middleware):
// htmx then sends no header, and the page needs no other change.
func HXHeaders(r *http.Request) string {
	t := Token(r)
	if t == "" {
		return "{}"
	}
	// The header name is checked by New (letters, digits, '-', '_') and
	// the token is letters and digits: nothing needs JSON escaping.
	return `{"` + stateFrom(r).g.headerName + `":"` + t + `"}`
}

// htmxFailure answers a refused htmx request: 403 with a one-line text
// body (htmx would otherwise swap a whole page into the target, were it
// told to swap errors), "HX-Reswap: none" (nothing is swapped), and an
// HX-Trigger that fires HTMXFailureEvent with the reason, so the page can
// say what went wrong.
func htmxFailure(w http.ResponseWriter, err error) {
	reason, kind := "CSRF verification failed.", ""
	var e *Error
	if errors.As(err, &e) {
		reason = boundUTF8(e.Detail, maxHTMXReason)
		if e.Reason != nil {
			kind = strings.TrimPrefix(e.Reason.Error(), "csrf: ")
		}
	}
	trigger, _ := json.Marshal(map[string]map[string]string{
		HTMXFailureEvent: {"reason": reason, "error": kind},
	})
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("HX-Reswap", "none")
	h.Set("HX-Trigger", string(signing.ASCIIJSON(trigger)))
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("CSRF verification failed: " + reason + "\n"))
}

// boundUTF8 cuts s to at most n bytes, on a character boundary, marking
// a cut with "…", and replaces invalid UTF-8.
func boundUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
