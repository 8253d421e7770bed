package secure

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tetherweb/tether/proxy"
)

// ErrBadHost reports a plain-HTTP request that cannot be redirected: it
// names no valid host and Options.SSLHost is empty, or its target is not
// a path. The middleware answers it with 400 Bad Request.
var ErrBadHost = errors.New("secure: request cannot be redirected to HTTPS: no valid host or path")

// exemptMark is the handler registered for every RedirectExempt pattern;
// finding it as ServeMux's answer means "exempt".
type exemptMark struct{}

func (exemptMark) ServeHTTP(http.ResponseWriter, *http.Request) {}

// newExemptMux compiles the RedirectExempt patterns into a private
// ServeMux. ServeMux panics on an invalid or conflicting pattern; that
// panic is turned into an error here, at configuration time.
func newExemptMux(patterns []string) (*http.ServeMux, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	mux := http.NewServeMux()
	for _, p := range patterns {
		if err := handlePattern(mux, p); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

func handlePattern(mux *http.ServeMux, p string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("secure: RedirectExempt %q: %v", p, v)
		}
	}()
	mux.Handle(p, exemptMark{})
	return nil
}

// exempt reports whether r matches a RedirectExempt pattern. ServeMux
// matches on r.Host; when a trusted proxy reported another public host,
// a shallow copy of r carries that one instead.
func (g *Guard) exempt(r *http.Request, host string) bool {
	if g.exemptMux == nil {
		return false
	}
	if host != "" && host != r.Host {
		r2 := *r
		r2.Host = host
		r = &r2
	}
	h, _ := g.exemptMux.Handler(r)
	_, ok := h.(exemptMark)
	return ok
}

// Redirect reports where SSLRedirect sends r: the https:// URL and the
// status (301, or 308 for methods other than GET, HEAD, OPTIONS and
// TRACE). It returns "", 0, nil when r needs no redirect: SSLRedirect is
// off, r is already HTTPS (proxy.IsHTTPS) or r is exempt. It returns
// ErrBadHost when r should be redirected but has no valid host (and no
// SSLHost is set) or its target is not a path ("*", an absolute-form
// opaque URI), so that the Host header can never make an open redirect.
//
// It is the middleware's decision, available to other frameworks.
func (g *Guard) Redirect(r *http.Request) (string, int, error) {
	if !g.sslRedirect {
		return "", 0, nil
	}
	info := proxy.From(r)
	if info.HTTPS || g.exempt(r, info.Host) {
		return "", 0, nil
	}
	host := g.sslHost
	if host == "" {
		// proxy.From has validated and lower-cased the host, and dropped
		// ":80"; an invalid Host header gives "".
		host = info.Host
	}
	if host == "" {
		return "", 0, ErrBadHost
	}
	// The path must start with "/": an opaque request-target such as
	// "x:.evil.example/" would otherwise be glued to the host and change
	// it ("https://example.com.evil.example/"). RequestURI is not used for
	// that reason.
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, "/") || r.URL.Opaque != "" {
		return "", 0, ErrBadHost
	}
	target := "https://" + host + path
	if r.URL.ForceQuery || r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	return target, redirectStatus(r.Method), nil
}

// redirectStatus is 301 for the safe methods, whose requests a browser
// repeats unchanged, and 308 for the others: a 301 lets browsers turn a
// POST into a GET and drop its body, 308 forbids it.
func redirectStatus(method string) int {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return http.StatusMovedPermanently
	}
	return http.StatusPermanentRedirect
}
