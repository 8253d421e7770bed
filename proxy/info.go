package proxy

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/tetherweb/tether/internal/logval"
)

// Info is what a request looks like from the browser's side.
type Info struct {
	// HTTPS reports whether the client's connection is HTTPS: r.TLS is set,
	// or a trusted proxy said so.
	HTTPS bool
	// Host is the public host, lower-cased, with the scheme's default port
	// removed ("example.com", "localhost:8000").
	Host string
	// ClientIP is the client's address: the connection's peer, or the
	// first untrusted hop a trusted proxy reported. It is the zero Addr
	// when RemoteAddr is not an IP (a Unix socket, a test).
	ClientIP netip.Addr
	// Forwarded reports whether a trusted proxy's headers were used.
	Forwarded bool
	// Loopback reports a development request: plain HTTP from a loopback
	// peer to a loopback host (localhost, 127.0.0.1, [::1]), not
	// forwarded.
	Loopback bool
}

// Scheme returns "https" or "http".
func (i Info) Scheme() string {
	if i.HTTPS {
		return "https"
	}
	return "http"
}

// Origin returns the public origin, "scheme://host[:port]", in the form
// browsers send in the Origin header.
func (i Info) Origin() string { return i.Scheme() + "://" + i.Host }

type ctxKey struct{}

// Middleware resolves each request once and keeps the answer in its
// context for IsHTTPS, Origin, ClientIP and From.
//
// With Config.AllowedHosts set, a request whose public host (Info.Host,
// after trusted forwarding) is not allowed (see Allowed), or is not a
// valid host at all, is answered 400 Bad Request and never reaches next:
// plain text, Cache-Control: no-store (a shared cache must not keep the
// refusal for the real host), and one warning logged with the host.
// Install the Middleware outermost, so that nothing runs for such a
// request. Without AllowedHosts the Middleware refuses nothing.
func (p *Proxy) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := p.Resolve(r)
		// The length test keeps the request path of a Proxy without
		// AllowedHosts what it was: no check, no extra work.
		if len(p.allowed) > 0 && !p.allowedHost(info.Host) {
			p.refuseHost(w, r, info)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, &info)))
	})
}

// refuseHost answers a request for a host not allowed: Django's
// DisallowedHost, a 400 whose log line names the host to add if it is
// the site's own.
func (p *Proxy) refuseHost(w http.ResponseWriter, r *http.Request, info Info) {
	host := info.Host
	if host == "" {
		// Not a valid host (an invalid forwarded host is ignored, so it
		// is the Host header's): log what was sent, bounded, as the
		// header may be as long as the server's limit allows.
		host = r.Host
	}
	p.logger.LogAttrs(r.Context(), slog.LevelWarn,
		"proxy: host not allowed; if it is the site's own, add it to proxy.Config.AllowedHosts",
		logval.String("host", host), slog.String("client", info.ClientIP.String()),
		logval.String("method", r.Method), logval.String("path", r.URL.Path))
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	http.Error(w, "400 Bad Request: unknown host", http.StatusBadRequest)
}

// From returns the request's Info: the one the Middleware resolved, or,
// without the middleware, the connection's own answers (no proxy trusted).
func From(r *http.Request) Info {
	if i, ok := r.Context().Value(ctxKey{}).(*Info); ok {
		return *i
	}
	var none *Proxy
	return none.Resolve(r)
}

// IsHTTPS reports whether r reached the site over HTTPS (see From).
func IsHTTPS(r *http.Request) bool {
	if i, ok := r.Context().Value(ctxKey{}).(*Info); ok {
		return i.HTTPS
	}
	return r.TLS != nil
}

// Origin returns r's public origin, "scheme://host[:port]" (see From).
func Origin(r *http.Request) string { return From(r).Origin() }

// ClientIP returns r's client address (see From).
func ClientIP(r *http.Request) netip.Addr { return From(r).ClientIP }

// Resolve answers for r under p's setting. A nil *Proxy trusts nobody.
func (p *Proxy) Resolve(r *http.Request) Info {
	peer := remoteAddr(r.RemoteAddr)
	info := Info{HTTPS: r.TLS != nil, ClientIP: peer}
	host := r.Host
	if p.Trusts(peer) {
		var fh string
		var fwd bool
		if p.headers&Forwarded != 0 && len(r.Header["Forwarded"]) > 0 {
			fwd = p.fromForwarded(r.Header, &info, &fh)
		} else {
			fwd = p.fromXForwarded(r.Header, &info, &fh)
		}
		if fh != "" {
			host = fh
		}
		info.Forwarded = fwd
	}
	info.Host = canonicalHost(host, info.HTTPS)
	info.Loopback = !info.HTTPS && !info.Forwarded && peer.IsLoopback() && loopbackHost(info.Host)
	return info
}

// fromXForwarded applies X-Forwarded-*. Proto and Host take the rightmost
// value, the one the trusted peer itself wrote; the client is the first
// untrusted address from the right of X-Forwarded-For.
func (p *Proxy) fromXForwarded(h http.Header, info *Info, host *string) bool {
	used := false
	if p.headers&XForwardedProto != 0 {
		switch strings.ToLower(lastValue(h["X-Forwarded-Proto"])) {
		case "https":
			info.HTTPS, used = true, true
		case "http":
			info.HTTPS, used = false, true
		}
	}
	if p.headers&XForwardedHost != 0 {
		if v := lastValue(h["X-Forwarded-Host"]); validHost(v) {
			*host, used = v, true
		}
	}
	if p.headers&XForwardedFor != 0 {
		hops := splitList(h["X-Forwarded-For"])
		for i := len(hops) - 1; i >= 0; i-- {
			took, next := p.hop(hops[i], info)
			used = used || took
			if !next {
				break
			}
		}
	}
	return used
}

// fromForwarded applies RFC 7239. Elements are read from the right (the
// trusted peer's own) leftwards while their for= is trusted too, taking
// proto= and host= from the outermost element reached. A bad element (a
// broken quoted string, see forwardedElem) stops the walk before any of
// it is used: it may hide the trusted peer's own element.
func (p *Proxy) fromForwarded(h http.Header, info *Info, host *string) bool {
	elems := parseForwarded(h["Forwarded"])
	used := false
	for i := len(elems) - 1; i >= 0; i-- {
		e := elems[i]
		if e.bad {
			break
		}
		switch strings.ToLower(e.proto) {
		case "https":
			info.HTTPS, used = true, true
		case "http":
			info.HTTPS, used = false, true
		}
		if validHost(e.host) {
			*host, used = e.host, true
		}
		took, next := p.hop(e.forNode, info)
		used = used || took
		if !next {
			break
		}
	}
	return used
}

// hop is one step of the walk from the right through the forwarding
// hops: a node that is an address becomes the client (took), and the walk
// goes on leftwards (next) only while that address is trusted too. A
// node that is no address ("unknown", an obfuscated name, garbage) stops
// the walk.
func (p *Proxy) hop(node string, info *Info) (took, next bool) {
	a := parseNode(node)
	if !a.IsValid() {
		return false, false
	}
	info.ClientIP = a
	return true, p.Trusts(a)
}

// remoteAddr parses r.RemoteAddr ("ip:port" or a bare IP).
func remoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

// parseNode parses an address from X-Forwarded-For or a Forwarded for=
// value: "1.2.3.4", "1.2.3.4:80", "2001:db8::1", "[2001:db8::1]:80".
// Obfuscated or unknown nodes give the zero Addr.
func parseNode(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.Unmap()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// lastValue returns the rightmost comma-separated value of a header.
func lastValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	v := vs[len(vs)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// splitList splits every value of a comma-separated header.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for part := range strings.SplitSeq(v, ",") {
			out = append(out, strings.TrimSpace(part))
		}
	}
	return out
}

// validHost reports whether s is a plausible host[:port]: ASCII letters,
// digits and . - _ : [ ] only, at most 255 bytes.
func validHost(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '-', c == '_', c == ':', c == '[', c == ']':
		default:
			return false
		}
	}
	return true
}

// canonicalHost lower-cases host and drops the scheme's default port.
// An invalid Host gives "".
func canonicalHost(host string, https bool) string {
	if !validHost(host) {
		return ""
	}
	host = strings.ToLower(host)
	if https {
		host = strings.TrimSuffix(host, ":443")
	} else {
		host = strings.TrimSuffix(host, ":80")
	}
	return host
}

// loopbackHost reports whether host (with optional port) names this machine.
func loopbackHost(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(name)
	return err == nil && a.IsLoopback()
}
