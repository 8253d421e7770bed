package csrf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tetherweb/tether/session"
)

// Reasons for refusing a request. The error handed to the failure handler
// (and returned by Guard.Check) is an *Error that wraps one of them, so
// errors.Is(err, csrf.ErrBadOrigin) tells the reason.
var (
	// ErrCrossSite: the browser said the request came from another site
	// (Sec-Fetch-Site: cross-site, or same-site without AllowSameSite),
	// and its Origin is not trusted.
	ErrCrossSite = errors.New("csrf: cross-site request")
	// ErrInsecureOrigin: with Options.AllowSameSite, an HTTPS request the
	// browser marked "Sec-Fetch-Site: same-site" came from a page that is
	// not on https:// (its Origin is http://, "null" or another scheme). Browsers that
	// compute "site" without the scheme call http://blog.example.com
	// same-site to https://example.com, and a network attacker can serve
	// any page on a plain-HTTP sibling. Such a page is cross-site under
	// the scheme-aware definition of site, so ErrInsecureOrigin wraps
	// ErrCrossSite: errors.Is(err, ErrCrossSite) holds for it too.
	ErrInsecureOrigin error = &subReason{msg: "csrf: insecure origin for a same-site request", parent: ErrCrossSite}
	// ErrBadOrigin: there was no Sec-Fetch-Site header and the Origin
	// header is neither the site's own origin nor a trusted one
	// ("null" included).
	ErrBadOrigin = errors.New("csrf: origin not trusted")
	// ErrNoReferer: an HTTPS request with neither Sec-Fetch-Site nor
	// Origin (or, with AllowSameSite, a "same-site" one without Origin)
	// had no Referer either.
	ErrNoReferer = errors.New("csrf: no referer")
	// ErrBadReferer: such a request's Referer is malformed, or names a
	// page of an untrusted origin.
	ErrBadReferer = errors.New("csrf: referer not trusted")
	// ErrInsecureReferer: such a request's Referer is an http:// page,
	// while the site is on HTTPS.
	ErrInsecureReferer = errors.New("csrf: insecure referer")
	// ErrNoCookie: the client holds no CSRF secret (no cookie, or none in
	// the session).
	ErrNoCookie = errors.New("csrf: no csrf cookie")
	// ErrBadCookie: the client's CSRF cookie (or session value) is not a
	// 32- or 64-letter value.
	ErrBadCookie = errors.New("csrf: malformed csrf cookie")
	// ErrMissingToken: the request carried no token, neither in the header
	// nor in the form field.
	ErrMissingToken = errors.New("csrf: token missing")
	// ErrBadToken: the token is malformed (length, characters) or belongs
	// to another secret (another client, or before a rotation).
	ErrBadToken = errors.New("csrf: token incorrect")
)

// subReason is a refusal reason that is a special case of another one:
// errors.Is matches both, so a failure handler written for the broader
// reason keeps working when a finer one is added.
type subReason struct {
	msg    string
	parent error
}

func (e *subReason) Error() string { return e.msg }
func (e *subReason) Unwrap() error { return e.parent }

// ErrNoMiddleware reports Rotate called on a request that did not pass
// through Guard.Protect.
var ErrNoMiddleware = errors.New("csrf: no csrf state on this request (is the handler wrapped with Guard.Protect?)")

// ErrHeadersSent reports a Rotate after the response's headers were
// written: the new cookie could not be sent.
var ErrHeadersSent = errors.New("csrf: the response headers were already written; the new csrf cookie cannot be sent")

// errNoSession is the configuration error of UseSession without the
// session middleware.
var errNoSession = fmt.Errorf("csrf: Options.UseSession needs the session middleware outside the csrf "+
	"middleware (manager.Middleware(guard.Protect(app))): %w", session.ErrNoMiddleware)

// Error is a refused request: its reason, in Django's words, and what to
// do about it.
type Error struct {
	// Reason is one of the Err* sentinels of this package.
	Reason error
	// Detail is Django's reason string, such as "CSRF cookie not set." or
	// "Origin checking failed - https://evil.example does not match any
	// trusted origins.".
	Detail string
	// Fix says, in a plain sentence, what the site's developer can change
	// if the request was legitimate.
	Fix string
}

// Error returns "csrf: " and the detail.
func (e *Error) Error() string { return "csrf: " + e.Detail }

// Unwrap returns the reason, for errors.Is.
func (e *Error) Unwrap() error { return e.Reason }

func refusal(reason error, detail, fix string) *Error {
	return &Error{Reason: reason, Detail: detail, Fix: fix}
}

// EventForbidden is the value of the "event" attribute on the log line of
// every refused request (stable: alert and count on it). The line's
// "code" attribute names the reason (see reasonCode), "reason" gives
// Django's wording and "fix" the remedy.
const EventForbidden = "csrf.forbidden"

// reasonCode is the stable name of a refusal's reason for logs: the
// sentinel's text without the package prefix, spaces as underscores
// ("cross-site_request", "token_missing", ...).
func reasonCode(reason error) string {
	if reason == nil {
		return "unknown"
	}
	s := strings.TrimPrefix(reason.Error(), "csrf: ")
	if i := strings.IndexAny(s, "(:"); i > 0 {
		s = s[:i]
	}
	return strings.ReplaceAll(strings.TrimSpace(s), " ", "_")
}
