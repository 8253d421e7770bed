package secure

import (
	"errors"
	"net/http"

	"github.com/tetherweb/tether/internal/hookwriter"
	"github.com/tetherweb/tether/proxy"
)

// Header names the Guard sets.
const (
	headerHSTS     = "Strict-Transport-Security"
	headerNosniff  = "X-Content-Type-Options"
	headerReferrer = "Referrer-Policy"
	headerCOOP     = "Cross-Origin-Opener-Policy"
	headerFrame    = "X-Frame-Options"
)

// Guard is Django's SecurityMiddleware for net/http: the HTTPS redirect
// and the security headers of an Options. It is immutable and safe for
// concurrent use.
type Guard struct {
	sslRedirect bool
	sslHost     string
	exemptMux   *http.ServeMux
	hsts        string // Strict-Transport-Security value, "" for none
	nosniff     bool
	referrer    string // Referrer-Policy value, "" for none
	coop        string // Cross-Origin-Opener-Policy value, "" for none
	frame       string // X-Frame-Options value, "" for none
}

// New validates o and returns its Guard. Every problem is reported, joined
// with errors.Join: an invalid SSLHost, RedirectExempt pattern,
// HSTSMaxAge, ReferrerPolicy, CrossOriginOpenerPolicy or FrameOptions.
func New(o Options) (*Guard, error) {
	g := &Guard{sslRedirect: o.SSLRedirect, nosniff: !o.DisableNosniff, hsts: hstsHeader(o)}
	var errs []error
	var err error
	if g.sslHost, err = checkSSLHost(o.SSLHost); err != nil {
		errs = append(errs, err)
	}
	if g.exemptMux, err = newExemptMux(o.RedirectExempt); err != nil {
		errs = append(errs, err)
	}
	if err = checkHSTS(o.HSTSMaxAge); err != nil {
		errs = append(errs, err)
	}
	if g.referrer, err = referrerHeader(o.ReferrerPolicy); err != nil {
		errs = append(errs, err)
	}
	if g.coop, err = openerHeader(o.CrossOriginOpenerPolicy); err != nil {
		errs = append(errs, err)
	}
	if g.frame, err = frameHeader(o.FrameOptions); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return g, nil
}

// MustNew is New that panics on a configuration error, for package-level
// variables and program set-up.
func MustNew(o Options) *Guard {
	g, err := New(o)
	if err != nil {
		panic(err)
	}
	return g
}

// Middleware returns MustNew(o).Middleware as a function, the form routers
// such as chi take in Use. It panics at once, not per request, when o is
// invalid.
func Middleware(o Options) func(http.Handler) http.Handler {
	return MustNew(o).Middleware
}

// Middleware returns a handler that redirects plain-HTTP requests to HTTPS
// when SSLRedirect is on (see Redirect; 400 when no safe target exists)
// and otherwise calls next, adding the security headers just before the
// response's headers go out. As in Django, a header the handler already
// set is left alone, so a handler can choose its own Referrer-Policy,
// Cross-Origin-Opener-Policy or X-Frame-Options for one response; a
// header set to nil (w.Header()["X-Frame-Options"] = nil) is neither
// added nor sent. The redirect responses get
// the headers too (but no HSTS: they are plain HTTP).
//
// The writer handed to next implements Unwrap, so http.ResponseController
// keeps working.
func (g *Guard) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		https := proxy.IsHTTPS(r)
		if !https && g.sslRedirect {
			target, code, err := g.Redirect(r)
			if err != nil {
				g.SetHeaders(w.Header(), r)
				http.Error(w, "400 Bad Request: no valid host to redirect to HTTPS", http.StatusBadRequest)
				return
			}
			if target != "" {
				g.SetHeaders(w.Header(), r)
				http.Redirect(w, r, target, code)
				return
			}
		}
		hw := hookwriter.New(w, func(int) { g.setHeaders(w.Header(), https) })
		next.ServeHTTP(hw, r)
		hw.Finish()
	})
}

// SetHeaders adds to h the security headers for r, leaving alone those h
// already has: Strict-Transport-Security when r is HTTPS
// (proxy.IsHTTPS) and HSTS is on, X-Content-Type-Options: nosniff,
// Referrer-Policy, Cross-Origin-Opener-Policy and X-Frame-Options. It is
// the middleware's header step, available to other frameworks. It
// allocates once, whatever the number of headers.
func (g *Guard) SetHeaders(h http.Header, r *http.Request) {
	g.setHeaders(h, proxy.IsHTTPS(r))
}

func (g *Guard) setHeaders(h http.Header, https bool) {
	var keys, vals [5]string
	n := 0
	add := func(key, v string) {
		// A header the response already has is left alone (Django's
		// "if not in response"); an empty value means "off".
		if _, ok := h[key]; ok || v == "" {
			return
		}
		keys[n], vals[n] = key, v
		n++
	}
	// HSTS over plain HTTP is ignored by browsers (RFC 6797 section 8.1)
	// and would let a network attacker's forged response pin the rule,
	// so it is sent only on HTTPS, as Django does.
	if https {
		add(headerHSTS, g.hsts)
	}
	if g.nosniff {
		add(headerNosniff, "nosniff")
	}
	add(headerReferrer, g.referrer)
	add(headerCOOP, g.coop)
	// Django's XFrameOptionsMiddleware: clickjacking protection, on
	// every response (a redirect or an error page can be framed too).
	add(headerFrame, g.frame)
	if n == 0 {
		return
	}
	// One backing array holds every value (one allocation), each slice
	// capped at its one element so that a later Header.Add copies instead
	// of writing into its neighbour.
	backing := make([]string, n)
	copy(backing, vals[:n])
	for i := range n {
		h[keys[i]] = backing[i : i+1 : i+1]
	}
}
