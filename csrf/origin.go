package csrf

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/tetherweb/tether/internal/logval"
	"github.com/tetherweb/tether/proxy"
)

// wildOrigin is a trusted origin with a "*." subdomain wildcard.
type wildOrigin struct {
	scheme string // "http" or "https"
	suffix string // ".example.com": what a matching host ends with
	port   string // "" for the scheme's default port
}

// origins is the set of trusted origins.
type origins struct {
	exact map[string]struct{} // canonical "scheme://host[:port]"
	wild  []wildOrigin
}

// parseTrustedOrigin validates one Options.TrustedOrigins entry and
// returns it in canonical form: lower case, without the scheme's default
// port. Every mistake names its fix.
func parseTrustedOrigin(s string) (canon string, w *wildOrigin, err error) {
	orig := s
	s = strings.TrimSpace(s)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		host := strings.TrimPrefix(s, ".")
		if host != s {
			host = "*." + host
		}
		return "", nil, fmt.Errorf("csrf: trusted origin %q has no scheme: an origin is scheme://host[:port]; "+
			"write %q (or %q for a plain-HTTP site)", orig, "https://"+host, "http://"+host)
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", nil, fmt.Errorf("csrf: trusted origin %q: the scheme must be http or https", orig)
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return "", nil, fmt.Errorf("csrf: trusted origin %q has a path, query or fragment; an origin is "+
			"scheme://host[:port] only: write %q", orig, scheme+"://"+rest[:i])
	}
	if strings.Contains(rest, "@") {
		return "", nil, fmt.Errorf("csrf: trusted origin %q has user info; write scheme://host[:port]", orig)
	}
	rest = strings.ToLower(rest)
	host, port := splitPort(rest)
	if strings.Contains(rest, ":") && host != rest {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", nil, fmt.Errorf("csrf: trusted origin %q: invalid port %q", orig, port)
		}
	}
	if port == defaultPort(scheme) {
		port = ""
	}
	wild := strings.HasPrefix(host, "*.")
	if wild {
		host = host[2:]
	}
	if strings.Contains(host, "*") {
		return "", nil, fmt.Errorf("csrf: trusted origin %q: \"*\" may only start the host, as in \"https://*.example.com\"", orig)
	}
	if !validOriginHost(host) {
		return "", nil, fmt.Errorf("csrf: trusted origin %q: invalid host %q", orig, host)
	}
	if wild && !strings.Contains(host, ".") && host != "localhost" {
		return "", nil, fmt.Errorf("csrf: trusted origin %q would trust every site under %q; name a domain, as in \"https://*.example.com\"", orig, host)
	}
	hostport := host
	if port != "" {
		hostport += ":" + port
	}
	if wild {
		return scheme + "://*." + hostport, &wildOrigin{scheme: scheme, suffix: "." + host, port: port}, nil
	}
	return scheme + "://" + hostport, nil, nil
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// splitPort splits "host:port" ("[::1]:8080" included); a host without a
// port gives port "".
func splitPort(hp string) (host, port string) {
	i := strings.LastIndexByte(hp, ':')
	if i < 0 || i < strings.LastIndexByte(hp, ']') {
		return hp, ""
	}
	return hp[:i], hp[i+1:]
}

// validOriginHost reports whether host is a DNS name (non-empty labels of
// letters, digits, "-" and "_"), an IPv4 address or a bracketed IPv6
// address.
func validOriginHost(host string) bool {
	if strings.HasPrefix(host, "[") {
		a, err := netip.ParseAddr(strings.TrimSuffix(host[1:], "]"))
		return err == nil && a.Is6() && strings.HasSuffix(host, "]")
	}
	return validLabels(host)
}

// validLabels reports whether s is dot-separated non-empty labels of
// lower-case letters, digits, "-" and "_".
func validLabels(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			label++
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		default:
			return false
		}
	}
	return label > 0
}

// trusted reports whether origin, in canonical form (lower case, no
// default port), is one of the trusted origins: equal to an exact entry,
// or of the same scheme and port as a wildcard entry with a host that is
// a proper subdomain of its domain. "https://evilexample.com" and
// "https://example.com.evil.net" do not match "https://*.example.com".
func (o *origins) trusted(origin string) bool {
	if _, ok := o.exact[origin]; ok {
		return true
	}
	if len(o.wild) == 0 {
		return false
	}
	scheme, hostport, ok := strings.Cut(origin, "://")
	if !ok {
		return false
	}
	host, port := splitPort(hostport)
	for _, w := range o.wild {
		if w.scheme == scheme && w.port == port && len(host) > len(w.suffix) &&
			strings.HasSuffix(host, w.suffix) && validLabels(host[:len(host)-len(w.suffix)]) {
			return true
		}
	}
	return false
}

// canonicalOrigin lower-cases an Origin header value and drops a default
// port. Browsers already send origins that way; this only keeps a
// hand-written client's "https://Example.com:443" from being refused. It
// allocates only when the value has upper-case letters.
func canonicalOrigin(origin string) string {
	origin = strings.ToLower(origin)
	switch {
	case strings.HasPrefix(origin, "https://"):
		origin = strings.TrimSuffix(origin, ":443")
	case strings.HasPrefix(origin, "http://"):
		origin = strings.TrimSuffix(origin, ":80")
	}
	return origin
}

// loopbackOrigin reports whether origin (canonical) is a plain-HTTP origin
// on this machine: http://localhost, http://*.localhost, or a loopback IP,
// with any port.
func loopbackOrigin(origin string) bool {
	hp, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		return false
	}
	host, _ := splitPort(hp)
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is4() && a.IsLoopback() || err == nil && a == netip.IPv6Loopback()
}

// isPublicOrigin reports whether origin (canonical) is the request's own
// public origin, as package proxy computes it: the scheme the browser
// used and the public host. It compares piece by piece rather than build
// the origin string, to stay free of allocations.
func isPublicOrigin(origin string, info *proxy.Info) bool {
	scheme, host, ok := strings.Cut(origin, "://")
	return ok && info.Host != "" && scheme == info.Scheme() && host == info.Host
}

// first returns the first value of a header given by its canonical key,
// without the canonicalisation cost of Header.Get.
func first(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// checkHeaders is the browser layer, for an unsafe request. It trusts
// only what a browser sets itself and a page's script cannot change
// (Sec-Fetch-Site, Origin and Referer are forbidden header names), so it
// stops forgeries from browsers; a non-browser client can send anything,
// which the token layer is for. The rules, in order:
//
//  1. Sec-Fetch-Site, sent by every major browser since 2023, is the
//     browser's own verdict on where the request comes from. "same-origin"
//     and "none" (the user typed the address, used a bookmark) pass.
//     "same-site" (a sibling subdomain) passes only with AllowSameSite,
//     and on HTTPS only from an https:// page (see sameSite).
//     "cross-site", "same-site" and any unknown value pass only when the
//     Origin header is a trusted origin: that is how a trusted origin's
//     page may post to this site.
//  2. Without Sec-Fetch-Site (an old browser, or not a browser), an
//     Origin header must be this site's public origin (scheme, host and
//     port as package proxy sees them; a browser omits default ports, and
//     so does proxy) or a trusted origin. "null" (a sandboxed frame, a
//     file: page, a cross-site redirect) and anything unparsable never
//     match. Unlike Go's CrossOriginProtection, which compares only the
//     host, the scheme counts: a page on http:// cannot post to the
//     https:// site.
//  3. With neither header, a request over plain HTTP passes this layer
//     (it is a non-browser client or a very old browser; the token
//     decides). Over HTTPS the Referer must then name a page of this site
//     or of a trusted https origin (Django's strict Referer check): no
//     Referer, a malformed one, or an http:// one is refused. A
//     non-browser client on HTTPS must therefore send "Origin" or
//     "Referer" with the site's origin.
func (g *Guard) checkHeaders(r *http.Request, info *proxy.Info) error {
	origin := first(r.Header, "Origin")
	// Development on one machine: a loopback request may come from a
	// page of another loopback port (a front-end dev server), which the
	// browser calls same-site or cross-site. See Options.StrictLoopback.
	if g.loopbackDev && info.Loopback && origin != "" && len(r.Header["Origin"]) == 1 &&
		loopbackOrigin(canonicalOrigin(origin)) {
		return nil
	}
	switch sfs := first(r.Header, "Sec-Fetch-Site"); sfs {
	case "same-origin", "none":
		return nil
	case "":
		// An old browser, or no browser: decide on Origin below.
	case "same-site":
		if origin != "" && g.origins.trusted(canonicalOrigin(origin)) {
			return nil
		}
		if g.allowSameSite {
			return g.sameSite(r, origin, info)
		}
		return g.crossSite(sfs, origin)
	default: // "cross-site", or a value no browser sends
		if origin != "" && g.origins.trusted(canonicalOrigin(origin)) {
			return nil
		}
		return g.crossSite(sfs, origin)
	}

	if origin != "" {
		if len(r.Header["Origin"]) == 1 && origin != "null" {
			c := canonicalOrigin(origin)
			if isPublicOrigin(c, info) || g.origins.trusted(c) {
				return nil
			}
		}
		return g.badOrigin(origin, info)
	}

	if !info.HTTPS {
		return nil
	}
	return g.checkReferer(first(r.Header, "Referer"), info)
}

// sameSite decides on a "Sec-Fetch-Site: same-site" request that
// AllowSameSite lets through, and whose Origin is not trusted by name.
//
// Browsers compute "same-site" from the registrable domain, and some of
// them (and the Fetch standard before schemeful same-site) leave the
// scheme out: a page on http://blog.example.com is then "same-site" to
// https://example.com. Anyone on the network path can put a page on a
// plain-HTTP sibling (inject it into any http:// response for that
// name), so on an HTTPS request "same-site" alone proves nothing about
// the scheme. The request must then also show that it comes from an
// https:// page:
//
//   - with an Origin header (every browser that sends Sec-Fetch-Site sends
//     Origin on unsafe requests), that Origin must be https:// — "null",
//     http:// and anything else are refused with ErrInsecureOrigin;
//   - without one, the request is judged like one from a browser that
//     sends neither header: Django's strict Referer check (an https://
//     page of this site or of a trusted origin).
//
// Over plain HTTP the scheme cannot be downgraded, and the rule of
// AllowSameSite is unchanged: the request passes.
func (g *Guard) sameSite(r *http.Request, origin string, info *proxy.Info) error {
	if !info.HTTPS {
		return nil
	}
	if origin == "" {
		return g.checkReferer(first(r.Header, "Referer"), info)
	}
	if len(origin) > len("https://") && strings.EqualFold(origin[:len("https://")], "https://") {
		return nil
	}
	shown := logval.Cut(origin)
	return refusal(ErrInsecureOrigin,
		"Origin checking failed - "+shown+" is insecure while host is secure.",
		"The browser reports (Sec-Fetch-Site: same-site) that this HTTPS request came from a page of "+
			"a sibling site, but that page is not on https:// (Origin: "+shown+"). AllowSameSite "+
			"accepts only https:// siblings of an HTTPS site: serve the sibling over HTTPS (with "+
			"Strict-Transport-Security, includeSubDomains).")
}

// checkReferer is Django's strict Referer check for HTTPS requests that
// carry neither Sec-Fetch-Site nor Origin. It makes sure a request over
// HTTPS comes from a page over HTTPS of this site or a trusted one, which
// also defeats a man in the middle on some plain-HTTP page injecting a
// form that posts to the secure site.
func (g *Guard) checkReferer(referer string, info *proxy.Info) error {
	if referer == "" {
		return refusal(ErrNoReferer, "Referer checking failed - no Referer.",
			"This HTTPS request carried none of Sec-Fetch-Site, Origin and Referer. Browsers send them "+
				"unless told not to: do not serve pages with \"Referrer-Policy: no-referrer\" (use "+
				"\"same-origin\" or \"strict-origin-when-cross-origin\"). A non-browser client must send "+
				"\"Origin: "+info.Origin()+"\" or a Referer of this site.")
	}
	u, err := url.Parse(referer)
	if err != nil || u.Scheme == "" || u.Host == "" || !asciiPrintable(referer) || u.User != nil {
		return refusal(ErrBadReferer, "Referer checking failed - Referer is malformed.",
			"The Referer header could not be read as an absolute URL; it is set by the browser, so "+
				"this request did not come from a page of this site.")
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return refusal(ErrInsecureReferer, "Referer checking failed - Referer is insecure while host is secure.",
			"The form was submitted from a plain-HTTP page to this HTTPS site. Serve every page over "+
				"HTTPS (redirect HTTP to HTTPS and send Strict-Transport-Security).")
	}
	host := strings.ToLower(u.Host)
	h, port := splitPort(host)
	if port == "443" {
		host = h
	} else if port != "" || strings.HasSuffix(host, ":") {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return refusal(ErrBadReferer, "Referer checking failed - Referer is malformed.",
				"The Referer header has an invalid port.")
		}
	}
	if !validOriginHost(h) {
		return refusal(ErrBadReferer, "Referer checking failed - Referer is malformed.",
			"The Referer header has an invalid host.")
	}
	if (info.Host != "" && host == info.Host) || g.origins.trusted("https://"+host) {
		return nil
	}
	return refusal(ErrBadReferer,
		"Referer checking failed - "+logval.Cut(referer)+" does not match any trusted origins.",
		"The request came from a page of https://"+logval.Cut(host)+", while this site is "+info.Origin()+". "+
			g.trustHint("https://"+host, info))
}

// asciiPrintable reports whether s has only printable ASCII.
func asciiPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func (g *Guard) crossSite(sfs, origin string) error {
	origin, sfs = logval.Cut(origin), logval.Cut(sfs) // the origin is shown up to three times: bounded once
	from := "another site"
	if origin != "" {
		from = origin
	}
	fix := "The browser reports (Sec-Fetch-Site: " + sfs + ") that this request was sent by a page of " + from +
		", not of this site. "
	switch {
	case origin == "" || origin == "null":
		fix += "Only a trusted origin's pages may post to this site, and this request names no origin."
	case sfs == "same-site":
		fix += "If " + origin + " is yours, add \"" + canonicalOrigin(origin) +
			"\" to csrf.Options.TrustedOrigins, or set AllowSameSite to accept every subdomain of this site."
	default:
		fix += "If " + origin + " is yours, add \"" + canonicalOrigin(origin) + "\" to csrf.Options.TrustedOrigins."
	}
	return refusal(ErrCrossSite, "Cross-site request refused - Sec-Fetch-Site is "+sfs+".", fix)
}

func (g *Guard) badOrigin(origin string, info *proxy.Info) error {
	shown := logval.Cut(origin)
	detail := "Origin checking failed - " + shown + " does not match any trusted origins."
	var fix string
	switch {
	case origin == "null":
		fix = "The browser sent \"Origin: null\": the form is in a sandboxed frame, a file: page, or was " +
			"reached through a redirect from another site. Such a request cannot be trusted; submit the " +
			"form from a page of " + info.Origin() + "."
	case len(origin) > 0 && info.Host == "":
		fix = "The request's Host header is missing or invalid, so the site's own origin is unknown."
	default:
		fix = "This site's origin, as the server sees it, is " + info.Origin() + ". " +
			g.trustHint(canonicalOrigin(origin), info)
	}
	return refusal(ErrBadOrigin, detail, fix)
}

// trustHint explains an origin mismatch. A loopback development server
// never needs a trusted origin for itself: the browser's origin and the
// Host it sends agree. When only the scheme differs, the cause is a proxy
// that ends TLS without being trusted, not a missing trusted origin.
func (g *Guard) trustHint(origin string, info *proxy.Info) string {
	scheme, host, _ := strings.Cut(origin, "://")
	if host == info.Host && scheme != info.Scheme() {
		if scheme == "https" {
			return "The page is on https:// but the server sees this request as plain HTTP: if TLS ends " +
				"at a reverse proxy or load balancer, list its address in proxy.Config.Trusted and " +
				"install proxy's middleware outside csrf."
		}
		return "A page on http:// may not post to the https:// site; serve every page over HTTPS."
	}
	origin = logval.Cut(origin)
	return "If " + origin + " is one of your sites, add \"" + origin + "\" to csrf.Options.TrustedOrigins; " +
		"if it is this site behind a reverse proxy, list the proxy in proxy.Config.Trusted so that its " +
		"X-Forwarded-Host and X-Forwarded-Proto are believed."
}
