package secure

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Omit, as Options.ReferrerPolicy, Options.CrossOriginOpenerPolicy or
// Options.FrameOptions, sends no such header (Django's None).
const Omit = "omit"

// Default header values: Django's.
const (
	DefaultReferrerPolicy          = "same-origin"
	DefaultCrossOriginOpenerPolicy = "same-origin"
	DefaultFrameOptions            = "DENY"
)

// Options configures a Guard. The zero value is Django's default
// SecurityMiddleware and XFrameOptionsMiddleware: nosniff,
// Referrer-Policy and Cross-Origin-Opener-Policy "same-origin",
// X-Frame-Options: DENY, no HSTS and no HTTPS redirect. Options is a
// plain value; New copies what it needs.
type Options struct {
	// SSLRedirect sends plain-HTTP requests to the same URL on https://
	// (Django's SECURE_SSL_REDIRECT): 301 Moved Permanently for GET, HEAD,
	// OPTIONS and TRACE, 308 Permanent Redirect for the other methods so
	// that the method and the body are kept (Django answers 301 to all,
	// which turns a POST into a GET).
	SSLRedirect bool
	// SSLHost is the host[:port] the redirect goes to (Django's
	// SECURE_SSL_HOST). Empty uses the request's public host as package
	// proxy reports it; a request without a valid host then gets 400, not
	// a redirect.
	SSLHost string
	// RedirectExempt lists the requests SSLRedirect leaves on plain HTTP,
	// as net/http ServeMux patterns ("/healthz", "GET /.well-known/acme-challenge/",
	// "/static/", "/{$}", "api.example.com/"), matched with ServeMux's own
	// rules against the request's method, public host and path. Django's
	// SECURE_REDIRECT_EXEMPT takes unanchored regular expressions on the
	// path without its leading slash; patterns are anchored, so r"^healthz$"
	// becomes "/healthz" and r"^static/" becomes "/static/". A path
	// ServeMux would clean first ("/static/../admin") is never exempt.
	RedirectExempt []string

	// HSTSMaxAge, when positive, adds Strict-Transport-Security with this
	// max-age (whole seconds; Django's SECURE_HSTS_SECONDS) to responses to
	// HTTPS requests. It is never sent over plain HTTP, where an attacker
	// could forge it. Start small (an hour) and raise it to a year
	// (365*24*time.Hour) once the whole site works over HTTPS: browsers
	// then refuse plain HTTP for that long.
	HSTSMaxAge time.Duration
	// HSTSIncludeSubdomains adds "; includeSubDomains": the rule covers
	// every subdomain too.
	HSTSIncludeSubdomains bool
	// HSTSPreload adds "; preload", the consent hstspreload.org asks for
	// before shipping the domain in browsers' built-in list.
	HSTSPreload bool

	// DisableNosniff drops "X-Content-Type-Options: nosniff" (Django's
	// SECURE_CONTENT_TYPE_NOSNIFF = False), letting browsers guess a
	// response's type from its content.
	DisableNosniff bool
	// ReferrerPolicy is the Referrer-Policy header (default
	// "same-origin"; Omit for none). A comma-separated list is allowed, as
	// in Django, for fallbacks: browsers use the last value they know.
	// Values: no-referrer, no-referrer-when-downgrade, origin,
	// origin-when-cross-origin, same-origin, strict-origin,
	// strict-origin-when-cross-origin, unsafe-url.
	ReferrerPolicy string
	// CrossOriginOpenerPolicy is the Cross-Origin-Opener-Policy header
	// (default "same-origin"; Omit for none): same-origin,
	// same-origin-allow-popups, noopener-allow-popups or unsafe-none.
	CrossOriginOpenerPolicy string
	// FrameOptions is the X-Frame-Options header, Django's
	// XFrameOptionsMiddleware and X_FRAME_OPTIONS: "DENY" (the default)
	// forbids every site, this one included, to show the pages in a
	// frame, so that no other site can overlay them with its own and
	// trick users into clicking (clickjacking); "SAMEORIGIN" lets the
	// site frame its own pages; Omit sends none. Case does not matter.
	// The obsolete "ALLOW-FROM uri" is refused: browsers ignore it, so a
	// site must use a Content-Security-Policy frame-ancestors directive
	// to name the sites allowed to frame it (browsers then ignore
	// X-Frame-Options). As with the other headers, a value the handler
	// sets is kept; to let one response be framed (Django's
	// xframe_options_exempt), a handler sets
	// w.Header()["X-Frame-Options"] = nil before writing: a nil value
	// keeps the Guard from adding the header and net/http writes none.
	FrameOptions string
}

// referrerPolicies are the tokens of the Referrer Policy specification,
// the set Django's check E023 accepts.
var referrerPolicies = map[string]bool{
	"no-referrer":                     true,
	"no-referrer-when-downgrade":      true,
	"origin":                          true,
	"origin-when-cross-origin":        true,
	"same-origin":                     true,
	"strict-origin":                   true,
	"strict-origin-when-cross-origin": true,
	"unsafe-url":                      true,
}

// openerPolicies are the values of Cross-Origin-Opener-Policy: Django's
// three (check E024) and the HTML standard's later noopener-allow-popups.
var openerPolicies = map[string]bool{
	"same-origin":              true,
	"same-origin-allow-popups": true,
	"noopener-allow-popups":    true,
	"unsafe-none":              true,
}

// referrerHeader returns the Referrer-Policy value for setting s: the
// default for "", "" for Omit, otherwise s's comma-separated tokens
// validated, trimmed, lower-cased and joined with "," (Django's form).
func referrerHeader(s string) (string, error) {
	switch strings.TrimSpace(s) {
	case "":
		return DefaultReferrerPolicy, nil
	case Omit:
		return "", nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		p = strings.ToLower(strings.TrimSpace(p))
		if !referrerPolicies[p] {
			return "", fmt.Errorf("secure: ReferrerPolicy %q: %q is not a referrer policy", s, p)
		}
		parts[i] = p
	}
	return strings.Join(parts, ","), nil
}

// openerHeader returns the Cross-Origin-Opener-Policy value for setting s:
// the default for "", "" for Omit, s itself when it is a known policy.
func openerHeader(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); {
	case v == "":
		return DefaultCrossOriginOpenerPolicy, nil
	case v == Omit:
		return "", nil
	case openerPolicies[v]:
		return v, nil
	}
	return "", fmt.Errorf("secure: CrossOriginOpenerPolicy %q is not one of same-origin, same-origin-allow-popups, noopener-allow-popups, unsafe-none", s)
}

// frameHeader returns the X-Frame-Options value for setting s: the
// default for "", "" for Omit, "DENY" or "SAMEORIGIN" in Django's upper
// case.
func frameHeader(s string) (string, error) {
	switch v := strings.ToUpper(strings.TrimSpace(s)); {
	case v == "":
		return DefaultFrameOptions, nil
	case v == strings.ToUpper(Omit):
		return "", nil
	case v == "DENY", v == "SAMEORIGIN":
		return v, nil
	case strings.HasPrefix(v, "ALLOW-FROM"):
		return "", fmt.Errorf("secure: FrameOptions %q: browsers ignore ALLOW-FROM; send a Content-Security-Policy frame-ancestors directive naming the allowed sites, and set FrameOptions to secure.Omit or leave it DENY (browsers then follow the CSP)", s)
	}
	return "", fmt.Errorf("secure: FrameOptions %q is not DENY or SAMEORIGIN (or secure.Omit)", s)
}

// checkSSLHost validates SSLHost: a host name or IP literal with an
// optional port, nothing else. A scheme, a path or user info would turn
// the redirect into something else than "this URL, on HTTPS".
func checkSSLHost(h string) (string, error) {
	if h == "" {
		return "", nil
	}
	u, err := url.Parse("https://" + h)
	if err != nil || u.Host != h || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Hostname() == "" {
		return "", fmt.Errorf("secure: SSLHost %q is not a host[:port]", h)
	}
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '-', c == '_', c == ':', c == '[', c == ']':
		default:
			return "", fmt.Errorf("secure: SSLHost %q has the character %q", h, c)
		}
	}
	return strings.ToLower(h), nil
}

// checkHSTS validates HSTSMaxAge: not negative, and at least a second when
// set, since the header counts whole seconds.
func checkHSTS(d time.Duration) error {
	if d < 0 || (d > 0 && d < time.Second) {
		return fmt.Errorf("secure: HSTSMaxAge %v must be 0 (off) or at least one second", d)
	}
	return nil
}
