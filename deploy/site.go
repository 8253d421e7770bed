package deploy

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tetherweb/tether/secure"
	"github.com/tetherweb/tether/session"
)

// DefaultCSRFCookieName is the CSRF cookie's default name, Django's.
const DefaultCSRFCookieName = "csrftoken"

// ForeignHostName is the Host a Site.ForeignHost probe asks for: a name
// under the reserved .invalid domain, which no site can legitimately serve.
const ForeignHostName = "tether-check.invalid"

// Site is what a deployed site answered over the network, for CheckSite.
// The responses are read as received: their redirects not followed, their
// bodies not needed.
type Site struct {
	// HTTP is the answer to a plain http:// URL of the site; nil when
	// nothing answered on plain HTTP (then there is no redirect to check).
	HTTP *http.Response
	// HTTPS are answers to https:// URLs of the site. Their security
	// headers and the cookies they set are checked.
	HTTPS []*http.Response
	// ForeignHost is the answer to an https:// URL of the site requested
	// with a Host header the site does not serve (tether check sends
	// ForeignHostName). A site that checks its hosts
	// (proxy.Config.AllowedHosts) refuses it with 400; any answer below
	// 400 means every Host is accepted (security.W020). nil: not probed.
	ForeignHost *http.Response
	// SessionCookie and CSRFCookie name the cookies whose attributes are
	// checked (defaults "sessionid" and "csrftoken"); the same names with
	// a __Host- or __Secure- prefix count too.
	SessionCookie, CSRFCookie string
}

// CheckSite runs Check's checks on what a live site sends, sorted by ID
// and without duplicates:
//
//	security.W008  the plain-HTTP URL is not redirected to https:// (tether.W007 when the redirect is temporary: 302, 303, 307)
//	security.W004  no valid Strict-Transport-Security on an HTTPS response
//	tether.W001    its max-age under 180 days
//	security.W005  no includeSubDomains; security.W021 no preload; tether.W002 preload without its requirements
//	security.W006  no "X-Content-Type-Options: nosniff"
//	security.W022  no Referrer-Policy; security.E023 an invalid one
//	security.E024  an invalid Cross-Origin-Opener-Policy (none at all is Django's default for "off", not a warning)
//	security.W002  no clickjacking protection: no X-Frame-Options browsers obey and no Content-Security-Policy frame-ancestors
//	security.W019  X-Frame-Options SAMEORIGIN rather than DENY (without frame-ancestors, which browsers would follow instead)
//	security.W020  the site answered a request for a foreign Host (Site.ForeignHost) below 400
//	security.W012  the session cookie without Secure; security.W015 without HttpOnly
//	security.W016  the CSRF cookie without Secure
//	tether.W003    the session cookie with SameSite=None
//	tether.W006    any cookie with SameSite=None but not Secure, which browsers reject
//
// Cookies that a response deletes (Max-Age=0 or an Expires in the past)
// are skipped.
func CheckSite(s Site) []Warning {
	// Names are compared without their __Host- or __Secure- prefix, on
	// both sides: "__Host-sessionid" names the cookie "__Host-sessionid".
	sessionName := unprefixed(cmpOr(s.SessionCookie, session.DefaultCookieName))
	csrfName := unprefixed(cmpOr(s.CSRFCookie, DefaultCSRFCookieName))
	var ws []Warning
	if s.HTTP != nil {
		ws = append(ws, checkRedirect(s.HTTP)...)
	}
	for _, r := range s.HTTPS {
		ws = append(ws, checkHeaders(r)...)
	}
	if r := s.ForeignHost; r != nil && r.StatusCode < 400 {
		ws = append(ws, Warning{ID: "security.W020",
			Message: fmt.Sprintf("The site answered %s to a request for the host %s: it accepts any Host header, which then becomes its origin, its redirect target and its absolute links.", r.Status, ForeignHostName),
			Hint:    "Name the site's hosts in proxy.Config.AllowedHosts (and install proxy's Middleware outermost): other hosts then get 400."})
	}
	all := append([]*http.Response{s.HTTP}, s.HTTPS...)
	for _, r := range all {
		if r == nil {
			continue
		}
		for _, c := range r.Cookies() {
			ws = append(ws, checkCookie(c, sessionName, csrfName)...)
		}
	}
	return sortWarnings(ws)
}

// unprefixed returns a cookie name without its __Host- or __Secure-
// prefix.
func unprefixed(name string) string {
	return strings.TrimPrefix(strings.TrimPrefix(name, "__Host-"), "__Secure-")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// checkRedirect checks the answer to a plain-HTTP URL: a permanent
// redirect (301, 308) to an https:// URL.
func checkRedirect(r *http.Response) []Warning {
	from := "the plain-HTTP URL"
	if r.Request != nil {
		from = r.Request.URL.String()
	}
	loc, err := r.Location()
	switch {
	case r.StatusCode < 300 || r.StatusCode > 399:
		return []Warning{noRedirect.because(fmt.Sprintf("%s answered %s", from, r.Status))}
	case err != nil:
		return []Warning{noRedirect.because(fmt.Sprintf("%s answered %s without a usable Location", from, r.Status))}
	case loc.Scheme != "https":
		return []Warning{noRedirect.because(fmt.Sprintf("%s redirects to %s, not to https://", from, loc))}
	case r.StatusCode != http.StatusMovedPermanently && r.StatusCode != http.StatusPermanentRedirect:
		return []Warning{{ID: "tether.W007",
			Message: fmt.Sprintf("%s is redirected to HTTPS with a temporary %s: browsers ask the plain-HTTP URL again every time.", from, r.Status),
			Hint:    "Redirect with 301 (safe methods) or 308 (the others), as secure.Guard does."}}
	}
	return nil
}

// checkHeaders checks the security headers of an HTTPS response.
func checkHeaders(r *http.Response) []Warning {
	h := r.Header
	ws := checkHSTSHeader(h.Values("Strict-Transport-Security"))
	if v := strings.TrimSpace(h.Get("X-Content-Type-Options")); !strings.EqualFold(v, "nosniff") {
		why := "the response has no X-Content-Type-Options header"
		if v != "" {
			why = fmt.Sprintf("X-Content-Type-Options is %q", v)
		}
		ws = append(ws, noNosniff.because(why))
	}
	ws = append(ws, checkReferrerHeader(h.Values("Referrer-Policy"))...)
	ws = append(ws, checkOpenerHeader(h.Get("Cross-Origin-Opener-Policy"))...)
	return append(ws, checkFraming(h)...)
}

// checkHSTSHeader checks the Strict-Transport-Security headers of a
// response. Browsers use the first one only (RFC 6797 section 8.1).
func checkHSTSHeader(values []string) []Warning {
	if len(values) == 0 {
		return checkHSTSPolicy(hsts{}, "the response has no Strict-Transport-Security header")
	}
	policy := parseHSTS(values[0])
	why := fmt.Sprintf("Strict-Transport-Security %q has no valid max-age", values[0])
	if policy.valid {
		why = "Strict-Transport-Security has max-age=0, which clears the rule"
	}
	return checkHSTSPolicy(policy, why)
}

// checkReferrerHeader checks the Referrer-Policy headers of a response,
// which combine into one list. secure.New reads "omit" as the Omit
// setting; as a header value it is no policy.
func checkReferrerHeader(values []string) []Warning {
	rp := strings.Join(values, ",")
	switch {
	case strings.TrimSpace(rp) == "":
		return []Warning{noReferrer.because("the response has no Referrer-Policy header")}
	case optionsErr(secure.Options{ReferrerPolicy: rp}) != nil || strings.TrimSpace(rp) == secure.Omit:
		return []Warning{{ID: "security.E023", Message: fmt.Sprintf("The Referrer-Policy header %q has a value browsers do not know.", rp),
			Hint: hintReferrerPolicies}}
	}
	return nil
}

// checkOpenerHeader checks a Cross-Origin-Opener-Policy header, "" when
// there is none (Django's default for "off"). It is a structured header:
// the policy, then parameters such as report-to after ";". An empty
// policy or "omit" is none, though secure.New reads them as settings.
func checkOpenerHeader(v string) []Warning {
	if v == "" {
		return nil
	}
	policy, _, _ := strings.Cut(v, ";")
	policy = strings.ToLower(strings.TrimSpace(policy))
	if policy == "" || policy == secure.Omit || optionsErr(secure.Options{CrossOriginOpenerPolicy: policy}) != nil {
		return []Warning{{ID: "security.E024", Message: fmt.Sprintf("The Cross-Origin-Opener-Policy header %q is not a policy browsers know.", v),
			Hint: "Valid values: same-origin, same-origin-allow-popups, noopener-allow-popups, unsafe-none."}}
	}
	return nil
}

// checkFraming checks the clickjacking protection of a response the way
// browsers apply it (the HTML standard's "check a navigation response's
// adherence to X-Frame-Options"): an enforced Content-Security-Policy
// with a frame-ancestors directive decides alone and X-Frame-Options is
// then ignored; otherwise the X-Frame-Options values (all headers, split
// on commas, case-insensitive, duplicates counting once) must be one
// value, DENY or SAMEORIGIN; several different values that include
// DENY, SAMEORIGIN or ALLOWALL forbid every frame; anything else
// (ALLOW-FROM, which browsers dropped, or an unknown word) protects
// nothing.
func checkFraming(h http.Header) []Warning {
	if hasFrameAncestors(h.Values("Content-Security-Policy")) {
		return nil
	}
	var set []string
	for _, v := range h.Values("X-Frame-Options") {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.ToLower(strings.TrimSpace(part)); part != "" && !slices.Contains(set, part) {
				set = append(set, part)
			}
		}
	}
	switch {
	case len(set) == 0:
		return []Warning{noFrameOptions.because("the response has no X-Frame-Options header and no Content-Security-Policy frame-ancestors directive")}
	case len(set) > 1:
		if slices.Contains(set, "deny") || slices.Contains(set, "sameorigin") || slices.Contains(set, "allowall") {
			return nil // conflicting values: browsers refuse every frame
		}
	case set[0] == "deny":
		return nil
	case set[0] == "sameorigin":
		return []Warning{frameSameOrigin.because("the response's X-Frame-Options")}
	}
	return []Warning{noFrameOptions.because(fmt.Sprintf("X-Frame-Options %q is not a value browsers obey, and there is no Content-Security-Policy frame-ancestors directive", strings.Join(h.Values("X-Frame-Options"), ", ")))}
}

// hasFrameAncestors reports whether Content-Security-Policy header values
// (each a comma-separated list of policies, each a ";"-separated list of
// directives) have a frame-ancestors directive. Content-Security-Policy-
// Report-Only does not count: it enforces nothing.
func hasFrameAncestors(policies []string) bool {
	for _, v := range policies {
		for policy := range strings.SplitSeq(v, ",") {
			for directive := range strings.SplitSeq(policy, ";") {
				// The name is the first token; "frame-ancestors" alone
				// is an empty source list, which is 'none'.
				if f := strings.Fields(directive); len(f) > 0 && strings.EqualFold(f[0], "frame-ancestors") {
					return true
				}
			}
		}
	}
	return false
}

// checkCookie checks one Set-Cookie.
func checkCookie(c *http.Cookie, sessionName, csrfName string) []Warning {
	if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Unix() <= 1) || c.Value == "" {
		return nil // a deletion
	}
	var ws []Warning
	base := unprefixed(c.Name)
	attrs := fmt.Sprintf("set with %s", cookieAttrs(c))
	switch base {
	case sessionName:
		if !c.Secure {
			ws = append(ws, sessionNotSecure.because(c.Name, attrs))
		}
		if !c.HttpOnly {
			ws = append(ws, sessionScript.because(c.Name, attrs))
		}
		if c.SameSite == http.SameSiteNoneMode {
			ws = append(ws, sessionSameSiteNone.because(c.Name))
		}
	case csrfName:
		if !c.Secure {
			ws = append(ws, csrfNotSecure.because(c.Name, attrs))
		}
	}
	if c.SameSite == http.SameSiteNoneMode && !c.Secure {
		ws = append(ws, Warning{ID: "tether.W006",
			Message: fmt.Sprintf("The cookie %s is SameSite=None without Secure: browsers reject it.", c.Name),
			Hint:    "Add Secure (package cookie does so itself for SameSite=None), or use SameSite=Lax."})
	}
	return ws
}

// cookieAttrs lists the security attributes c has, for messages.
func cookieAttrs(c *http.Cookie) string {
	var a []string
	if c.Secure {
		a = append(a, "Secure")
	}
	if c.HttpOnly {
		a = append(a, "HttpOnly")
	}
	switch c.SameSite {
	case http.SameSiteLaxMode:
		a = append(a, "SameSite=Lax")
	case http.SameSiteStrictMode:
		a = append(a, "SameSite=Strict")
	case http.SameSiteNoneMode:
		a = append(a, "SameSite=None")
	}
	if len(a) == 0 {
		return "no security attributes"
	}
	return strings.Join(a, "; ")
}
