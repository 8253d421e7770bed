package csrf

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/tetherweb/tether/internal/logval"
)

// Token returns a token for r's client, to put in a form or hand to
// JavaScript: its secret masked afresh (64 letters), so that no two
// responses carry the same token, while any masking of the secret is
// accepted back. Like Django's get_token, it creates the secret when the
// client has none (or a malformed one) and marks the cookie to be sent
// with the response, renewing its lifetime: pages that call Token get a
// Set-Cookie, pages that don't, don't.
//
// Call it before the response's first byte is written: the cookie goes
// out with the headers. A template executed straight into the
// ResponseWriter may have written its first bytes before it reaches the
// token, which is fine for a returning client but leaves a first-time
// client without its cookie (this is logged as an error). Render into a
// buffer first, as Django does, or call Token in the handler before
// executing the template.
//
// It returns "" on a request that did not go through Guard.Protect, and
// in HeaderOnly mode (templates then render no field).
func Token(r *http.Request) string {
	st := stateFrom(r)
	if st == nil || st.g.headerOnly {
		return ""
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	g := st.g
	if g.useSession {
		// The session, not this cache, keeps the secret, and the handler
		// may have emptied it since it was read (Flush on logout): read
		// it again, so that no token is made for a secret the session no
		// longer holds, which the next request could not verify. A
		// flushed session then gets a new secret, as after Rotate.
		st.loaded, st.has, st.bad = false, false, formatOK
	}
	if err := st.load(); err != nil {
		g.logger.LogAttrs(r.Context(), slog.LevelError, "csrf: cannot read the csrf secret",
			logval.Error(err))
		return ""
	}
	if !st.has {
		if err := st.renew(); err != nil {
			g.logger.LogAttrs(r.Context(), slog.LevelError, "csrf: cannot store the csrf secret",
				logval.Error(err))
			return ""
		}
	}
	if g.useSession {
		// The session must still hold this secret when the response goes
		// out, whatever the handler does to the session afterwards.
		st.keep = true
	} else {
		st.send = true
		if st.fresh && st.out && !st.sent {
			g.logger.LogAttrs(r.Context(), slog.LevelError,
				"csrf: token made after the response headers were written; the client cannot get its cookie "+
					"(render the template into a buffer, or call csrf.Token before writing)",
				logval.String("path", r.URL.Path))
		}
	}
	return mask(&st.secret)
}

// Rotate gives r's client a new secret, so that every token handed out
// before no longer verifies. Call it when a user logs in (Django's
// auth.login does), before the response is written; tokens made by Token
// after it carry the new secret. It returns ErrNoMiddleware outside
// Guard.Protect, ErrHeadersSent when the headers are already out, and the
// session's error with UseSession; in HeaderOnly mode it does nothing.
func Rotate(r *http.Request) error {
	st := stateFrom(r)
	if st == nil {
		return ErrNoMiddleware
	}
	if st.g.headerOnly {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.g.useSession && st.out {
		return ErrHeadersSent
	}
	return st.renew()
}

// checkToken is the token layer: the client's secret must exist, and the
// request must carry a token of it.
//
//   - The secret comes from the cookie, or the session with UseSession.
//     None is ErrNoCookie; a value that is not 32 or 64 letters is
//     ErrBadCookie.
//   - The token comes from the header (X-CSRFToken), else, for a POST
//     whose body is a form (application/x-www-form-urlencoded or
//     multipart/form-data), from the form field. Never from the query
//     string: a token in a URL leaks through logs and Referer headers.
//     The form is read with a size cap (MaxFormBytes), so a huge body
//     cannot exhaust memory, and into r.PostForm, so the handler still
//     sees it. No token is ErrMissingToken.
//   - The token must be 32 letters (the secret itself, as JavaScript
//     reading the cookie may send) or 64 (a masked token), else
//     ErrBadToken. Both are reduced to the secret and compared with
//     crypto/subtle in constant time; a mismatch is ErrBadToken.
func (g *Guard) checkToken(w http.ResponseWriter, r *http.Request, st *state) error {
	st.mu.Lock()
	err := st.load()
	has, bad, secret := st.has, st.bad, st.secret
	st.mu.Unlock()
	if err != nil {
		return err
	}
	if !has {
		if bad != formatOK {
			return refusal(ErrBadCookie, "CSRF cookie "+bad.String()+".",
				"The client's CSRF "+g.holder()+" is not a value this site issued. Reload the page "+
					"that has the form: it gets a new one.")
		}
		return refusal(ErrNoCookie, "CSRF cookie not set.", g.noCookieFix())
	}

	tok, fromForm := first(r.Header, g.headerKey), false
	if tok == "" {
		var ferr error
		tok, ferr = g.formToken(w, r)
		fromForm = true
		if ferr != nil {
			return refusal(ErrMissingToken, "CSRF token missing.",
				"The form could not be read to find its "+g.fieldName+" field ("+ferr.Error()+"). "+
					"A form larger than MaxFormBytes must send the token in the "+g.headerKey+" header.")
		}
	}
	if tok == "" {
		return refusal(ErrMissingToken, "CSRF token missing.",
			"Put {{csrfField .Request}} (csrf.TemplateField) inside the <form>, or send the token in the "+
				g.headerKey+" header (JavaScript can read it from the "+g.cookieName+" cookie, or take "+
				"csrf.Token from the page). A token in the query string is ignored.")
	}
	var got [SecretLength]byte
	if f := decode(&got, tok); f != formatOK {
		return refusal(ErrBadToken, "CSRF token from "+g.tokenSource(fromForm)+" "+f.String()+".",
			"A token is 32 or 64 letters and digits, as csrf.Token returns it; send it unchanged.")
	}
	if subtle.ConstantTimeCompare(got[:], secret[:]) != 1 {
		return refusal(ErrBadToken, "CSRF token from "+g.tokenSource(fromForm)+" incorrect.",
			"The token does not belong to this client's CSRF "+g.holder()+": the page may be old (tokens "+
				"change when the user logs in), or the "+g.holder()+" was replaced in another tab. "+
				"Reload the page and submit again.")
	}
	return nil
}

// tokenSource names where the token came from, in Django's words.
func (g *Guard) tokenSource(fromForm bool) string {
	if fromForm {
		return "POST"
	}
	return "the '" + g.headerKey + "' HTTP header"
}

func (g *Guard) holder() string {
	if g.useSession {
		return "session value"
	}
	return "cookie"
}

func (g *Guard) noCookieFix() string {
	if g.useSession {
		return "The session holds no CSRF secret: the page with the form must call csrf.Token or " +
			"csrf.TemplateField (which stores one), and the session cookie must reach the server " +
			"(it may have expired, or been flushed by a logout)."
	}
	return "The browser did not send the " + g.cookieName + " cookie. The page with the form must call " +
		"csrf.Token or csrf.TemplateField before writing its response (that sets the cookie), the browser " +
		"must accept cookies, and on a plain-HTTP site Options.Cookie.Secure must be off."
}

// formToken reads the token from a POST form body: url-encoded or
// multipart, at most MaxFormBytes. A form already parsed (by a middleware
// outside) is used as is.
func (g *Guard) formToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if r.Method != "POST" {
		return "", nil
	}
	mt, _, _ := strings.Cut(first(r.Header, "Content-Type"), ";")
	mt = strings.TrimSpace(mt)
	switch {
	case strings.EqualFold(mt, "application/x-www-form-urlencoded"):
		if r.PostForm == nil {
			if r.Body == nil {
				return "", nil
			}
			r.Body = http.MaxBytesReader(unwrap(w), r.Body, g.maxFormBytes)
			if err := r.ParseForm(); err != nil {
				return "", err
			}
		}
	case strings.EqualFold(mt, "multipart/form-data"):
		if r.MultipartForm == nil {
			if r.Body == nil {
				return "", nil
			}
			r.Body = http.MaxBytesReader(unwrap(w), r.Body, g.maxFormBytes)
			// The memory allowance exceeds the body cap, so no part is
			// ever written to a temporary file (which nothing would
			// remove: the server cleans up only its own request's form).
			// It saturates rather than overflow when the cap is huge.
			if err := r.ParseMultipartForm(max(g.maxFormBytes, g.maxFormBytes+1<<20)); err != nil {
				return "", err
			}
		}
	default:
		return "", nil
	}
	if v := r.PostForm[g.fieldName]; len(v) > 0 {
		return v[0], nil
	}
	return "", nil
}

// unwrap returns the writer under the middleware's wrapper, so that
// http.MaxBytesReader can tell the server to close the connection of a
// request whose body was too large.
func unwrap(w http.ResponseWriter) http.ResponseWriter {
	if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
		return u.Unwrap()
	}
	return w
}
