package deploy

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tetherweb/tether/csrf"
	"github.com/tetherweb/tether/proxy"
	"github.com/tetherweb/tether/secure"
	"github.com/tetherweb/tether/session"
)

// Thresholds of the HSTS checks.
const (
	// HSTSMinMaxAge is the shortest max-age Check accepts without a
	// warning (tether.W001): 180 days, the least that security scanners
	// such as Mozilla's Observatory accept.
	HSTSMinMaxAge = 180 * 24 * time.Hour
	// HSTSPreloadMaxAge is the least max-age hstspreload.org accepts:
	// one year (31536000 seconds).
	HSTSPreloadMaxAge = 365 * 24 * time.Hour
)

// Secret key thresholds, Django's (check W009).
const (
	SecretKeyMinLength      = 50
	SecretKeyMinUniqueChars = 5
)

// Deployment is what an application configured, for Check. A nil field is
// a part the application does not use; its checks are skipped, except
// Secure, Proxy and CSRF, whose absence is itself a warning
// (security.W001, security.W020, security.W003).
//
// Check only reads the fields; call it at start-up, after configuring the
// parts and before serving (a session.Manager fills its defaults when its
// Middleware is built).
type Deployment struct {
	// Secure is the Options of the Guard in front of the application; nil
	// means no Guard (security.W001).
	Secure *secure.Options
	// Proxy is the trusted-proxy setting; nil trusts nobody and checks no
	// Host, which is itself a warning (security.W020): a deployment
	// should name its hosts in proxy.Config.AllowedHosts.
	Proxy *proxy.Proxy
	// Session is the session manager, if the application has sessions.
	Session *session.Manager
	// CSRF is the Options of the csrf.Guard in front of the application;
	// nil means no CSRF protection (security.W003).
	CSRF *csrf.Options
	// SecretKey is the key the application signs or encrypts with. nil
	// skips the check (an application that signs nothing); a non-nil
	// empty key is reported.
	SecretKey []byte
	// SecretKeyFallbacks are old keys still accepted (Django's
	// SECRET_KEY_FALLBACKS); each is checked like SecretKey
	// (security.W025).
	SecretKeyFallbacks [][]byte
	// RotatedAt is when SecretKey replaced the first fallback key. Once
	// every value signed or sealed with a fallback has expired (the
	// longest of the session MaxAge, IdleTimeout and the messages cookie's
	// life: LongestLifetime), the fallbacks protect nothing any more and
	// only widen what a leaked old key opens (tether.W011). Zero skips
	// the check.
	RotatedAt time.Time
	// LongestLifetime is the longest time anything signed or sealed with
	// the secret key stays valid (default: the Session's MaxAge, else two
	// weeks).
	LongestLifetime time.Duration
	// Now replaces time.Now (tests).
	Now func() time.Time
	// Debug reports that the application shows debugging details (stack
	// traces, settings) in its error pages (security.W018).
	Debug bool
}

// Check returns the warnings Django's "manage.py check --deploy" gives for
// d, and tether's own, sorted by ID. An empty result means nothing was
// found; it does not prove the deployment safe.
//
// The checks (IDs as in Django unless "tether."):
//
//	security.W001  no Guard (Deployment.Secure is nil), so none of its headers, X-Frame-Options included
//	security.W002  X-Frame-Options omitted (FrameOptions is secure.Omit): no clickjacking protection
//	security.W003  no CSRF protection (Deployment.CSRF is nil)
//	security.W004  HSTS off
//	security.W005  HSTS without includeSubDomains
//	security.W006  nosniff off
//	security.W008  SSLRedirect off, or RedirectExempt exempting every path ("/")
//	security.W009  secret key shorter than 50 characters, fewer than 5 distinct, or a Django "django-insecure-" key
//	security.W012  session cookie not Secure
//	security.W015  session cookie readable by JavaScript (not HttpOnly)
//	security.W018  Debug on
//	security.W019  X-Frame-Options SAMEORIGIN rather than DENY
//	security.W020  no Host check: proxy.Config.AllowedHosts empty, or Deployment.Proxy nil
//	security.W021  HSTS without preload
//	security.W022  Referrer-Policy omitted
//	security.E023  invalid Referrer-Policy
//	security.E024  invalid Cross-Origin-Opener-Policy
//	security.W025  a fallback secret key fails the W009 test
//	tether.E001    invalid secure.Options (SSLHost, RedirectExempt, HSTSMaxAge, FrameOptions): secure.New would fail
//	tether.E002    invalid csrf.Options: csrf.New would fail
//	tether.E003    csrf.Options.UseSession without a session Manager: every unsafe request would fail
//	tether.W001    HSTS max-age under 180 days
//	tether.W002    HSTS preload without what the preload list requires (one year, includeSubDomains)
//	tether.W003    session cookie SameSite=None: sent with cross-site requests
//	tether.W004    forwarded headers trusted from every address (0.0.0.0/0 or ::/0)
//	tether.W005    a CSRF trusted origin on plain http://
//	tether.W008    proxy.Config.AllowedHosts has "*": any Host is accepted
//	tether.W009    a CSRF trusted origin "*." over a shared hosting domain (github.io, herokuapp.com, co.uk, ...)
//	tether.W010    session records stored in the clear: a server Store without session.Manager.SecretKey (not in Django mode)
//	tether.W011    fallback secret keys kept longer than anything signed with them lives: retire them
//
// Django's W016 (CSRF cookie not Secure) is not given for csrf.Options:
// the csrf package marks its cookie Secure on every HTTPS response by
// itself. CheckSite still reports a CSRF cookie seen without Secure.
// HeaderOnly (no tokens) is a supported mode, not a warning.
func Check(d Deployment) []Warning {
	var ws []Warning
	if d.Secure == nil {
		ws = append(ws, Warning{ID: "security.W001",
			Message: "No secure.Guard is in front of the application, so no HTTPS redirect, HSTS, nosniff, Referrer-Policy, Cross-Origin-Opener-Policy or X-Frame-Options (clickjacking protection).",
			Hint:    "Wrap the handler with secure.MustNew(secure.Options{...}).Middleware and pass those Options as Deployment.Secure."})
	} else {
		ws = append(ws, checkOptions(*d.Secure)...)
	}
	if d.Proxy != nil && d.Proxy.TrustsEveryone() {
		ws = append(ws, warnTrustsEveryone)
	}
	ws = append(ws, checkAllowedHosts(d.Proxy)...)
	if d.Session != nil {
		ws = append(ws, checkSession(d.Session)...)
	}
	if d.CSRF == nil {
		ws = append(ws, Warning{ID: "security.W003",
			Message: "No csrf.Guard is in front of the application: unsafe requests from other sites are not refused.",
			Hint:    "Wrap the handler with a csrf.Guard (csrf.New(csrf.Options{...})) and pass those Options as Deployment.CSRF."})
	} else {
		ws = append(ws, checkCSRF(d.CSRF, d.Session != nil)...)
	}
	if d.SecretKey != nil {
		ws = append(ws, CheckSecretKey(d.SecretKey)...)
	}
	for i, k := range d.SecretKeyFallbacks {
		if reason := weakKey(k); reason != "" {
			ws = append(ws, Warning{ID: "security.W025",
				Message: fmt.Sprintf("Secret key fallback %d %s.", i, reason),
				Hint:    hintKey})
		}
	}
	ws = append(ws, checkRetiredFallbacks(d)...)
	if d.Debug {
		ws = append(ws, Warning{ID: "security.W018",
			Message: "Debug is on: error pages show internals to anyone.",
			Hint:    "Turn debugging off in production."})
	}
	return sortWarnings(ws)
}

var warnTrustsEveryone = Warning{ID: "tether.W004",
	Message: "The proxy setting trusts forwarded headers from every address (0.0.0.0/0 or ::/0): any client can claim to be on HTTPS, to be another host or to come from any IP.",
	Hint:    "List only your reverse proxies' addresses in proxy.Config.Trusted."}

// checkAllowedHosts checks the Host allow-list (Django's W020, for an
// empty ALLOWED_HOSTS). An empty list is no check: the Host header, which
// becomes the site's origin, its redirect target and its absolute links,
// is whatever the client sent. A nil Proxy has no list either.
func checkAllowedHosts(p *proxy.Proxy) []Warning {
	hosts := p.AllowedHosts()
	if len(hosts) == 0 {
		why := "Deployment.Proxy is nil"
		if p != nil {
			why = "proxy.Config.AllowedHosts is empty"
		}
		return []Warning{{ID: "security.W020",
			Message: "AllowedHosts is empty (" + why + "): any Host header is accepted, and it becomes the origin the CSRF checks compare with, the HTTPS redirect's target and the host of every absolute URL the application builds (password-reset links, cached pages), open to Host-header poisoning and DNS rebinding.",
			Hint:    `List the site's host names in proxy.Config.AllowedHosts (e.g. []string{"example.com", ".example.com"}), install that Proxy's Middleware outermost and pass it as Deployment.Proxy.`}}
	}
	if slices.Contains(hosts, "*") {
		return []Warning{{ID: "tether.W008",
			Message: `proxy.Config.AllowedHosts contains "*": any valid Host header is accepted, as with no list at all.`,
			Hint:    `Unless a front proxy already refuses other hosts, list the site's host names instead of "*" (".example.com" for a domain and its subdomains).`}}
	}
	return nil
}

// checkOptions runs the checks of a secure.Guard's Options.
func checkOptions(o secure.Options) []Warning {
	// Invalid settings first: secure.New would refuse them. Each field
	// goes to secure.New alone, so that an error names one field and says
	// which check it fails.
	var ws []Warning
	if err := optionsErr(secure.Options{ReferrerPolicy: o.ReferrerPolicy}); err != nil {
		ws = append(ws, Warning{ID: "security.E023", Message: err.Error() + ".", Hint: hintReferrerPolicies})
	}
	if err := optionsErr(secure.Options{CrossOriginOpenerPolicy: o.CrossOriginOpenerPolicy}); err != nil {
		ws = append(ws, Warning{ID: "security.E024", Message: err.Error() + ".",
			Hint: "Valid values: same-origin, same-origin-allow-popups, noopener-allow-popups, unsafe-none (or secure.Omit)."})
	}
	frameErr := optionsErr(secure.Options{FrameOptions: o.FrameOptions})
	for _, err := range []error{
		optionsErr(secure.Options{HSTSMaxAge: o.HSTSMaxAge}),
		optionsErr(secure.Options{SSLHost: o.SSLHost}),
		optionsErr(secure.Options{RedirectExempt: o.RedirectExempt}),
		frameErr,
	} {
		if err != nil {
			ws = append(ws, Warning{ID: "tether.E001", Message: err.Error() + ".", Hint: "secure.New refuses these Options."})
		}
	}
	if !o.SSLRedirect {
		ws = append(ws, noRedirect.because("Options.SSLRedirect is off"))
	} else if exemptsAnyPath(o.RedirectExempt) {
		ws = append(ws, noRedirect.because(`Options.RedirectExempt exempts every path: a "/" pattern matches them all; write "/{$}" for the home page alone`))
	}
	ws = append(ws, checkHSTSPolicy(hsts{maxAge: o.HSTSMaxAge, includeSubdomains: o.HSTSIncludeSubdomains, preload: o.HSTSPreload, valid: true}, "Options.HSTSMaxAge is 0")...)
	if o.DisableNosniff {
		ws = append(ws, noNosniff.because("Options.DisableNosniff is on"))
	}
	if strings.TrimSpace(o.ReferrerPolicy) == secure.Omit {
		ws = append(ws, noReferrer.because("Options.ReferrerPolicy is secure.Omit"))
	}
	// Django: W002 when XFrameOptionsMiddleware is missing, W019 when it
	// is there but X_FRAME_OPTIONS is not DENY. secure.New has accepted
	// the value, so it is empty (DENY), DENY, SAMEORIGIN or Omit.
	switch v := strings.ToUpper(strings.TrimSpace(o.FrameOptions)); {
	case frameErr != nil:
		// tether.E001 above.
	case v == strings.ToUpper(secure.Omit):
		ws = append(ws, noFrameOptions.because("Options.FrameOptions is secure.Omit"))
	case v == "SAMEORIGIN":
		ws = append(ws, frameSameOrigin.because("Options.FrameOptions is "+v))
	}
	return ws
}

// optionsErr returns the error secure.New gives for o.
func optionsErr(o secure.Options) error {
	_, err := secure.New(o)
	return err
}

// exemptsAnyPath reports whether the RedirectExempt patterns exempt a GET
// of a path no site has, on a host no pattern names: then they exempt
// every path ("/", "GET /", "/{path...}") and SSLRedirect does nothing.
// It asks a Guard with those patterns alone where it would redirect such a
// request; invalid patterns exempt nothing (tether.E001 reports them).
func exemptsAnyPath(patterns []string) bool {
	g, err := secure.New(secure.Options{SSLRedirect: true, RedirectExempt: patterns})
	if err != nil || len(patterns) == 0 {
		return false
	}
	target, _, err := g.Redirect(&http.Request{Method: http.MethodGet, Host: "tether-check.invalid",
		URL: &url.URL{Path: "/tether-check/no/such/path"}})
	return err == nil && target == ""
}

// finding is a warning whose message says, through its format's verbs,
// why and where it applies: its because method fills them in.
type finding struct{ id, format, hint string }

func (f finding) because(args ...any) Warning {
	return Warning{ID: f.id, Message: fmt.Sprintf(f.format, args...), Hint: f.hint}
}

// The warnings Check and CheckSite both give, each with its reason:
// a setting in Check, what the response had in CheckSite.
var (
	noFrameOptions = finding{"security.W002",
		"Pages can be shown in a frame by any site (%s), which can overlay them with its own content and trick users into clicking (clickjacking).",
		"Leave Options.FrameOptions at its default (DENY), or send a Content-Security-Policy frame-ancestors directive naming the sites allowed to frame the pages (browsers then ignore X-Frame-Options)."}
	frameSameOrigin = finding{"security.W019",
		"X-Frame-Options is SAMEORIGIN, not DENY (%s): the site's pages can still be framed by the site itself, so one page an attacker can put content or script on can frame the others and clickjack them.",
		"Unless the site serves parts of itself in frames on purpose, use DENY (the default)."}
	noRedirect = finding{"security.W008",
		"Plain-HTTP requests are not redirected to HTTPS (%s).",
		"Unless the site is also served on plain HTTP on purpose, set Options.SSLRedirect (behind a TLS-terminating proxy, trust it with package proxy first), or redirect in the front server."}
	noNosniff = finding{"security.W006",
		"Responses do not carry 'X-Content-Type-Options: nosniff' (%s), so browsers may guess a response's type and run an upload as HTML or script.",
		"Leave Options.DisableNosniff off."}
	noReferrer = finding{"security.W022",
		"No Referrer-Policy is sent (%s): full URLs, with their paths and queries, leak to other sites in the Referer header.",
		"Use the default (same-origin) or another policy such as strict-origin-when-cross-origin."}
	sessionNotSecure = finding{"security.W012",
		"The session cookie %s is not Secure (%s): it is also sent over plain HTTP, where a network sniffer can take over the session.",
		"Set session.Manager.Cookie.Secure (or name the cookie __Host-sessionid) on an HTTPS site."}
	sessionScript = finding{"security.W015",
		"The session cookie %s is readable by JavaScript, not HttpOnly (%s): a cross-site scripting flaw can steal the session.",
		"Leave session.Manager.Cookie.ScriptReadable off."}
	sessionSameSiteNone = finding{"tether.W003",
		"The session cookie %s is SameSite=None: browsers send it with requests from other sites, leaving CSRF protection entirely to the token check.",
		"Use SameSite=Lax (the default) unless the site is embedded in other sites on purpose."}
	csrfNotSecure = finding{"security.W016",
		"The CSRF cookie %s is not Secure (%s): it is also sent over plain HTTP, where a network attacker can read or plant it.",
		"Set the CSRF cookie's Secure option on an HTTPS site."}
)

const hintReferrerPolicies = "Valid values: no-referrer, no-referrer-when-downgrade, origin, origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin, unsafe-url."

// checkHSTSPolicy checks an HSTS policy, configured or observed; off says
// why it counts as off when maxAge is 0.
func checkHSTSPolicy(h hsts, off string) []Warning {
	if !h.valid || h.maxAge <= 0 {
		return []Warning{{ID: "security.W004",
			Message: "HTTP Strict Transport Security is off (" + off + "): browsers will still try plain HTTP, where a network attacker can intercept the first request.",
			Hint:    "Once the whole site (and, with includeSubDomains, every subdomain) works over HTTPS, set Options.HSTSMaxAge: start with an hour and raise it to a year. A mistake here makes the site unreachable for that long."}}
	}
	var ws []Warning
	if h.maxAge < HSTSMinMaxAge {
		ws = append(ws, Warning{ID: "tether.W001",
			Message: fmt.Sprintf("The HSTS max-age is only %d seconds (%s): browsers forget the rule soon after each visit.", int64(h.maxAge/time.Second), days(h.maxAge)),
			Hint:    "Raise it to at least 180 days, one year (31536000 seconds) once HTTPS is known to work everywhere."})
	}
	if !h.includeSubdomains {
		ws = append(ws, Warning{ID: "security.W005",
			Message: "HSTS does not include subdomains: a subdomain reached over plain HTTP can set cookies for the whole domain.",
			Hint:    "If every subdomain is served only over HTTPS, set Options.HSTSIncludeSubdomains."})
	}
	if !h.preload {
		ws = append(ws, Warning{ID: "security.W021",
			Message: "HSTS preload is off, so the site cannot be submitted to the browsers' preload list and a browser's very first visit can be intercepted.",
			Hint:    "See https://hstspreload.org/ before setting Options.HSTSPreload: removal from the list takes months."})
	} else if h.maxAge < HSTSPreloadMaxAge || !h.includeSubdomains {
		ws = append(ws, Warning{ID: "tether.W002",
			Message: "HSTS preload is asked for, but the preload list also requires includeSubDomains and a max-age of at least one year (31536000 seconds).",
			Hint:    "Set Options.HSTSIncludeSubdomains and Options.HSTSMaxAge >= 365*24*time.Hour, or drop Options.HSTSPreload."})
	}
	return ws
}

// days renders d in days (or hours, under two days) for messages.
func days(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%.1f hours", d.Hours())
	}
	return fmt.Sprintf("%d days", int64(d/(24*time.Hour)))
}

// checkCSRF checks the CSRF Options; haveSession tells whether the
// Deployment has a session Manager.
func checkCSRF(o *csrf.Options, haveSession bool) []Warning {
	var ws []Warning
	if _, err := csrf.New(*o); err != nil {
		ws = append(ws, Warning{ID: "tether.E002", Message: err.Error() + ".", Hint: "csrf.New refuses these Options."})
	}
	// With UseSession the secret lives in the session, so the session
	// middleware must run; without it every POST fails with a 500.
	if o.UseSession && !o.HeaderOnly && !haveSession {
		ws = append(ws, Warning{ID: "tether.E003",
			Message: "csrf.Options.UseSession keeps the CSRF secret in the session, but the Deployment has no session.Manager: every unsafe request would fail.",
			Hint:    "Wrap the csrf.Guard with the session Manager's Middleware and pass it as Deployment.Session, or turn UseSession off."})
	}
	// A page on plain HTTP can be rewritten by anyone on its network path;
	// trusting its origin lets such an attacker post to the site.
	for _, origin := range o.TrustedOrigins {
		if base, ok := sharedWildcard(origin); ok {
			ws = append(ws, Warning{ID: "tether.W009",
				Message: fmt.Sprintf("The CSRF trusted origin %q trusts every site under %s, where anyone can publish a page.", origin, base),
				Hint:    "Trust the exact origins of your own sites (https://yours." + base + ") instead of a wildcard."})
		}
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(origin)), "http://") {
			ws = append(ws, Warning{ID: "tether.W005",
				Message: fmt.Sprintf("The CSRF trusted origin %q is plain HTTP: whoever can alter its pages in transit can send requests this site accepts.", origin),
				Hint:    "Trust only https:// origins in production (http://localhost entries belong to development settings)."})
		}
	}
	return ws
}

// checkSession checks the session cookie's attributes. Django gives W010,
// W011 or W012 (and W013-W015) depending on whether the sessions app, the
// middleware or both are installed; a session.Manager is both, hence W012
// and W015.
func checkSession(m *session.Manager) []Warning {
	name := m.CookieName
	if name == "" {
		name = session.DefaultCookieName
	}
	var ws []Warning
	if !cookieSecure(name, m.Cookie.Secure, m.Cookie.SameSite) {
		ws = append(ws, sessionNotSecure.because(name, "session.Manager.Cookie.Secure is off"))
	}
	if m.Cookie.ScriptReadable {
		ws = append(ws, sessionScript.because(name, "session.Manager.Cookie.ScriptReadable is on"))
	}
	if m.Cookie.SameSite == http.SameSiteNoneMode {
		ws = append(ws, sessionSameSiteNone.because(name))
	}
	if _, django := m.Codec.(*session.DjangoCodec); m.Store != nil && len(m.SecretKey) == 0 && !django {
		ws = append(ws, Warning{ID: "tether.W010",
			Message: "Session records are stored in the clear (session.Manager.SecretKey is not set): a leaked database, Redis dump, backup or session file shows every session's values.",
			Hint:    "Set session.Manager.SecretKey to the application's secret key; records are then sealed at rest (XChaCha20-Poly1305). Only Django mode (session.DjangoCodec) must store them as Django does."})
	}
	return ws
}

// cookieSecure reports whether package cookie writes the Secure
// attribute: when asked, for SameSite=None, and for the __Secure- and
// __Host- prefixes.
func cookieSecure(name string, secure bool, sameSite http.SameSite) bool {
	return secure || sameSite == http.SameSiteNoneMode ||
		strings.HasPrefix(name, "__Secure-") || strings.HasPrefix(name, "__Host-")
}

const hintKey = "Generate a long random key with 'tether keygen' and keep it out of the source code (TETHER_SECRET_KEY)."

// CheckSecretKey applies Django's test of a secret key (security.W009): at
// least 50 characters, at least 5 distinct ones, and not a key Django's
// startproject generated for development ("django-insecure-" prefix).
func CheckSecretKey(key []byte) []Warning {
	reason := weakKey(key)
	if reason == "" {
		return nil
	}
	return []Warning{{ID: "security.W009", Message: "The secret key " + reason + ": signatures and encrypted cookies made with it can be forged or guessed.", Hint: hintKey}}
}

// weakKey says what is wrong with key, or "" when it passes.
func weakKey(key []byte) string {
	distinct := map[byte]bool{}
	for _, c := range key {
		distinct[c] = true
	}
	switch {
	case len(key) == 0:
		return "is empty"
	case strings.HasPrefix(string(key), "django-insecure-"):
		return "is prefixed 'django-insecure-', a development key Django generated"
	case len(key) < SecretKeyMinLength:
		return fmt.Sprintf("has %d characters, fewer than %d", len(key), SecretKeyMinLength)
	case len(distinct) < SecretKeyMinUniqueChars:
		return fmt.Sprintf("has %d distinct characters, fewer than %d", len(distinct), SecretKeyMinUniqueChars)
	}
	return ""
}

// sharedDomains are domains under which anyone can get a subdomain: a
// short list of well-known hosting platforms and second-level public
// suffixes, not the whole Public Suffix List.
var sharedDomains = map[string]bool{
	"github.io": true, "gitlab.io": true, "herokuapp.com": true, "vercel.app": true,
	"netlify.app": true, "pages.dev": true, "workers.dev": true, "appspot.com": true,
	"web.app": true, "firebaseapp.com": true, "azurewebsites.net": true,
	"cloudfront.net": true, "amazonaws.com": true, "fly.dev": true, "onrender.com": true,
	"ngrok.io": true, "ngrok-free.app": true, "blogspot.com": true,
	"co.uk": true, "org.uk": true, "ac.uk": true, "com.au": true, "net.au": true,
	"co.jp": true, "co.nz": true, "com.br": true, "com.cn": true, "co.in": true, "co.za": true,
}

// sharedWildcard reports whether origin is a "*." wildcard directly over
// a shared domain, and that domain.
func sharedWildcard(origin string) (string, bool) {
	o := strings.ToLower(strings.TrimSpace(origin))
	_, rest, ok := strings.Cut(o, "://*.")
	if !ok {
		return "", false
	}
	host := rest
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	return host, sharedDomains[host]
}

// checkRetiredFallbacks warns about fallback keys that have outlived every
// value they could still verify (tether.W011).
func checkRetiredFallbacks(d Deployment) []Warning {
	life := d.LongestLifetime
	if life <= 0 && d.Session != nil && d.Session.MaxAge > 0 {
		life = d.Session.MaxAge
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	return CheckFallbacks(len(d.SecretKeyFallbacks), d.RotatedAt, life, now())
}

// CheckFallbacks warns (tether.W011) when n fallback secret keys are still
// accepted although the current key took over at rotatedAt, longer ago
// than lifetime (default two weeks, the session age): nothing legitimate
// signed or sealed with them is still valid. A zero rotatedAt skips the
// check.
func CheckFallbacks(n int, rotatedAt time.Time, lifetime time.Duration, now time.Time) []Warning {
	if n == 0 || rotatedAt.IsZero() {
		return nil
	}
	if lifetime <= 0 {
		lifetime = session.DefaultMaxAge
	}
	since := now.Sub(rotatedAt)
	if since <= lifetime {
		return nil
	}
	return []Warning{{ID: "tether.W011",
		Message: fmt.Sprintf("%d fallback secret key(s) are still accepted %s after the rotation, longer than anything signed or sealed with them lives (%s): they verify nothing legitimate any more, and a leak of one still opens whatever an attacker forges with it.",
			n, days(since), days(lifetime)),
		Hint: "Remove them from SecretKeyFallbacks (and session.Manager.FallbackKeys, the messages and cookie stores' fallback keys); see docs/key-rotation.md."}}
}
