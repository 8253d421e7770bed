package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
)

// Headers names the forwarded headers trusted peers may set.
type Headers uint8

const (
	// XForwardedProto is the scheme the client used ("https" or "http").
	XForwardedProto Headers = 1 << iota
	// XForwardedHost is the Host the client asked for.
	XForwardedHost
	// XForwardedFor is the chain of client addresses.
	XForwardedFor
	// Forwarded is RFC 7239's header (for=, proto=, host=). When it is
	// enabled and present it is used instead of the X-Forwarded-* headers.
	Forwarded

	// XForwarded is the three X-Forwarded-* headers, the default.
	XForwarded = XForwardedProto | XForwardedHost | XForwardedFor
)

// Config is the trusted-proxy setting. The zero value trusts nobody: every
// answer comes from the connection.
type Config struct {
	// Trusted lists the peers whose forwarded headers are believed: IP
	// addresses ("10.1.2.3", "::1") or CIDR prefixes ("10.0.0.0/8").
	// Host names and malformed entries are configuration errors. Never
	// list "0.0.0.0/0": any client could then claim to be on HTTPS or to
	// come from any address.
	Trusted []string
	// Headers are the headers trusted peers may set (default XForwarded).
	// Enable only what your proxy overwrites on every request: a header
	// the proxy passes through unchanged is the client's word.
	Headers Headers
	// AllowedHosts lists the host names the site answers to (Django's
	// ALLOWED_HOSTS). The public host of a request (Info.Host: the Host
	// header, or the host a trusted proxy reported) flows into Origin and
	// so into the CSRF origin checks, into the HTTPS redirect and into
	// every absolute URL an application builds (password-reset links,
	// cache keys). Answering any host lets DNS rebinding reach the site
	// from a browser, and a forged Host poison those links and caches.
	// With a list, the Middleware answers 400 Bad Request to a request
	// for any other host, before the application sees it.
	//
	// Entries: "example.com" (that name, any port), "example.com:8443"
	// (that port only), ".example.com" (example.com and all its
	// subdomains), IP literals ("203.0.113.5", "[2001:db8::1]" or
	// "2001:db8::1"), and "*" (any valid host: no protection, for a
	// front proxy that checks the Host itself). Case and one trailing dot
	// do not matter. Schemes, paths, white space and "*.example.com" are
	// configuration errors: New's error says what to write instead. See
	// Proxy.Allowed for the matching rules.
	//
	// Empty (the default) means no check at all, so development on
	// localhost needs no setting. A deployment should set it; deploy.Check
	// warns when it is empty (security.W020) or "*". When it is set,
	// development hosts must be listed too ("localhost", "127.0.0.1",
	// "[::1]"): nothing is allowed implicitly.
	AllowedHosts []string
	// Logger receives a warning for every request refused for its host
	// (default slog.Default()).
	Logger *slog.Logger
}

// Proxy answers the questions of this package for requests under a
// Config. It is immutable and safe for concurrent use.
type Proxy struct {
	trusted []netip.Prefix
	headers Headers
	allowed []hostPattern // empty: no Host check
	logger  *slog.Logger
}

// New validates c and returns its Proxy. Every invalid Trusted or
// AllowedHosts entry is reported, joined with errors.Join.
func New(c Config) (*Proxy, error) {
	p := &Proxy{headers: c.Headers, logger: c.Logger}
	if p.headers == 0 {
		p.headers = XForwarded
	}
	if p.logger == nil {
		p.logger = slog.Default()
	}
	var trustedErrs, hostErrs []error
	p.trusted, trustedErrs = parseEach(c.Trusted, parseTrusted)
	p.allowed, hostErrs = parseEach(c.AllowedHosts, compileAllowedHost)
	if errs := append(trustedErrs, hostErrs...); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// parseEach parses every entry of list, returning the values of those
// that parse and the errors of all those that do not.
func parseEach[T any](list []string, parse func(string) (T, error)) ([]T, []error) {
	var vals []T
	var errs []error
	for _, s := range list {
		v, err := parse(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		vals = append(vals, v)
	}
	return vals, errs
}

// MustNew is New that panics on a configuration error, for package-level
// variables.
func MustNew(c Config) *Proxy {
	p, err := New(c)
	if err != nil {
		panic(err)
	}
	return p
}

func parseTrusted(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("proxy: trusted %q: %w", s, err)
		}
		// Peers are compared unmapped (Trusts), so an IPv4-mapped prefix
		// ("::ffff:10.0.0.0/104") becomes the IPv4 prefix it stands for;
		// kept as IPv6 it would never match anything.
		if a := pfx.Addr(); a.Is4In6() && pfx.Bits() >= 96 {
			pfx = netip.PrefixFrom(a.Unmap(), pfx.Bits()-96)
		}
		return pfx.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("proxy: trusted %q is not an IP address or CIDR prefix: %w", s, err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// TrustsEveryone reports whether some trusted prefix covers every IPv4 or
// every IPv6 address: forwarded headers are then believed from any client.
func (p *Proxy) TrustsEveryone() bool {
	for _, pfx := range p.trusted {
		if pfx.Bits() == 0 {
			return true
		}
	}
	return false
}

// Trusts reports whether a is a trusted peer.
func (p *Proxy) Trusts(a netip.Addr) bool {
	if p == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, pfx := range p.trusted {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// Headers returns the forwarded headers trusted peers may set.
func (p *Proxy) Headers() Headers { return p.headers }

// Trusted returns the trusted prefixes.
func (p *Proxy) Trusted() []netip.Prefix { return append([]netip.Prefix(nil), p.trusted...) }
