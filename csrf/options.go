package csrf

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tetherweb/tether/cookie"
)

// Defaults of Options, Django's.
const (
	// DefaultCookieName is the cookie holding the secret (CSRF_COOKIE_NAME).
	DefaultCookieName = "csrftoken"
	// DefaultCookieMaxAge is the cookie's lifetime, 52 weeks
	// (CSRF_COOKIE_AGE).
	DefaultCookieMaxAge = 52 * 7 * 24 * time.Hour
	// DefaultHeaderName is the request header carrying the token, for
	// JavaScript (CSRF_HEADER_NAME).
	DefaultHeaderName = "X-CSRFToken"
	// DefaultFieldName is the form field carrying the token.
	DefaultFieldName = "csrfmiddlewaretoken"
	// DefaultMaxFormBytes caps the body read to find the form field: 10 MiB,
	// net/http's own limit for url-encoded forms.
	DefaultMaxFormBytes = 10 << 20
	// SessionKey is the session key of the secret when Options.UseSession
	// is set, Django's "_csrftoken".
	SessionKey = "_csrftoken"
)

// Options configures a Guard. The zero value is safe and is Django's
// default setup with Go's cross-origin checks in front: both layers on,
// the secret in a "csrftoken" cookie, no trusted origins, no exemptions.
// Options is read once by New; changing it afterwards has no effect.
type Options struct {
	// CookieName names the cookie holding the secret (default
	// "csrftoken"). Unused with UseSession or HeaderOnly.
	//
	// On an HTTPS site, name it "__Host-csrftoken". A page on a sibling
	// subdomain (or any http:// page of one, for a network attacker) can
	// set a cookie for the parent domain, and when two cookies share a
	// name browsers send both, the one with the longer Path (then the
	// older one) first, while the first is the one read here. The
	// attacker's "csrftoken" (with Path=/login, say) then shadows this
	// site's: "cookie tossing", which lets the attacker choose the secret
	// and so forge tokens. Browsers accept
	// a __Host- cookie only from an https:// page, with Secure, Path=/ and
	// no Domain, so nobody else can set one for this host. The cookie is
	// then written with Secure (forced by package cookie) and Path=/; New
	// refuses a Cookie.Domain or another Cookie.Path with it. JavaScript
	// must read it under its full name, as in
	// document.cookie's "__Host-csrftoken=..." entry. Leave the default
	// on a site still served over plain HTTP: browsers drop the prefixed
	// cookie there.
	CookieName string
	// Cookie shapes the cookie (Path, Domain, SameSite, Secure). Two
	// fields are overridden: ScriptReadable is always true (JavaScript
	// reads the cookie to send the X-CSRFToken header; the secret alone
	// lets nobody forge a request, since a cross-site page cannot read
	// it), and MaxAge is replaced by CookieMaxAge. Secure is also set on
	// every response to a request that came over HTTPS (proxy.IsHTTPS),
	// so leave it false unless plain-HTTP requests must never get it.
	Cookie cookie.Options
	// CookieMaxAge is the cookie's lifetime, renewed whenever it is sent
	// (default 52 weeks, Django's CSRF_COOKIE_AGE). A negative value
	// makes a cookie that ends with the browser session.
	CookieMaxAge time.Duration
	// MaskCookie writes the cookie as a 64-letter masked token instead of
	// the 32-letter secret. Either form is always accepted when reading.
	// The default (unmasked) is what Django 4.1 and later write; set
	// MaskCookie only when a Django 3.2 or 4.0 application shares the
	// cookie (they write masked values and, in 3.2, re-mask a bare one).
	// With UseSession it applies to the session's "_csrftoken" value
	// instead: set it when a Django 3.2 or 4.0 application with
	// CSRF_USE_SESSIONS shares the session, since 3.2 refuses every token
	// against a bare secret kept there (4.1 and later accept both forms).
	MaskCookie bool
	// UseSession keeps the secret in the session, under "_csrftoken"
	// (Django's CSRF_USE_SESSIONS), instead of a cookie. The session
	// middleware must then wrap the CSRF middleware:
	// manager.Middleware(guard.Protect(app)). Unsafe requests without it
	// fail with an error wrapping session.ErrNoMiddleware (a 500, not a
	// 403: it is a configuration error). When a response hands out a
	// token (Token, TemplateField) or rotates the secret, the secret is
	// put back into the session just before the headers go out if the
	// handler dropped it afterwards (session.Flush on logout, a Delete of
	// "_csrftoken"), as Django does, so the page's form still verifies.
	UseSession bool
	// HeaderName is the request header a token may come in (default
	// "X-CSRFToken"; matched case-insensitively, like every header).
	HeaderName string
	// FieldName is the form field a token may come in (default
	// "csrfmiddlewaretoken").
	FieldName string
	// MaxFormBytes caps the request body read to find FieldName in a
	// form (default 10 MiB). A larger form is refused with
	// ErrMissingToken; uploads that may be larger should send the token
	// in the header instead, or raise the cap.
	MaxFormBytes int64
	// TrustedOrigins are other origins whose pages may send unsafe
	// requests: exact "scheme://host[:port]" strings, such as
	// "https://admin.example.com" or "http://localhost:5173". A host may
	// start with "*." to trust every subdomain at any depth
	// ("https://*.example.com" trusts "https://a.example.com" and
	// "https://a.b.example.com", but not "https://example.com": list it
	// too if needed). The scheme and port must match exactly. A bare host
	// ("example.com"), a path, a query, user info or any other "*" is a
	// configuration error that New reports.
	TrustedOrigins []string
	// AllowSameSite lets requests the browser marks "Sec-Fetch-Site:
	// same-site" (from a sibling subdomain, such as
	// https://blog.example.com posting to https://example.com) through
	// the header layer. Off by default: a sibling subdomain may be run by
	// someone else, or hijacked. The token layer still applies.
	//
	// On an HTTPS request, the sibling page must itself be on https://:
	// some browsers leave the scheme out when they compute "site", so a
	// page a network attacker injects into http://blog.example.com is
	// "same-site" too. Such a request needs an https:// Origin (else
	// ErrInsecureOrigin, which also matches ErrCrossSite) or, without
	// Origin, a Referer that passes the strict HTTPS Referer check.
	AllowSameSite bool
	// StrictLoopback turns off the development rule: by default a
	// plain-HTTP request from a loopback peer to a loopback host
	// (proxy.Info.Loopback: a browser and the server on one machine)
	// also passes the header layer with any http:// loopback Origin, so
	// a front-end dev server on another port (http://localhost:5173
	// posting to http://localhost:8000) needs no TrustedOrigins. No page
	// on the internet can send a loopback Origin, and the rule never
	// applies over HTTPS, through a trusted proxy or to a request for a
	// public host name. (A reverse proxy on the same machine that is not
	// in proxy.Config.Trusted and rewrites Host to localhost makes every
	// request look like development: configure the proxy setting, or set
	// StrictLoopback.) The token layer still applies.
	StrictLoopback bool
	// HeaderOnly turns the token layer off: no secret, no cookie, no form
	// field; only the browser headers decide (Go's
	// http.CrossOriginProtection, plus the Referer check on HTTPS).
	// Token and TemplateField then return "", so templates need no
	// change.
	//
	// Over plain HTTP, a request with neither Sec-Fetch-Site nor Origin
	// then passes with nothing checked, as with CrossOriginProtection:
	// browsers send one of them on every unsafe request, so such a
	// request comes from a non-browser client (curl, a server, a script),
	// which no CSRF defence is about. Over HTTPS it still needs a Referer
	// of the site.
	HeaderOnly bool
	// Exempt lists net/http ServeMux patterns ("POST /webhooks/stripe",
	// "/hooks/{id}", "api.example.com/ping") whose requests are not
	// checked at all. A request is exempt only when a ServeMux holding
	// just these patterns would serve it directly: not when it would
	// redirect (an unclean path, a missing trailing slash), and not for
	// a method the pattern does not name. A pattern's host is matched
	// against the public host from package proxy (X-Forwarded-Host of a
	// trusted proxy), as secure.Options.RedirectExempt is, not r.Host.
	// Since ServeMux matches the escaped path and treats "%2F" as part
	// of a segment, a request whose raw path holds "%2F", "%5C", "%2E%2E"
	// or a dot segment spelt with "%2E" (any case) is never exempt: an
	// application router that decodes the path before cleaning it would
	// send it elsewhere ("/hooks/a%2F..%2F..%2Fadmin" to "/admin"). An
	// invalid or conflicting pattern is a configuration error.
	Exempt []string
	// FailureHandler answers refused requests (default
	// DefaultFailureHandler). err is an *Error: errors.Is(err,
	// ErrBadOrigin) and the like tell the reason. The handler runs
	// inside the middleware, so it may call Token to render a fresh
	// form.
	FailureHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives a warning for every refused request and an error
	// for configuration and session-store failures (default
	// slog.Default()).
	Logger *slog.Logger
}
