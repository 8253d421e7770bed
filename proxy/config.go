package proxy

import (
	"fmt"
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
}

// Proxy answers the questions of this package for requests under a
// Config. It is immutable and safe for concurrent use.
type Proxy struct {
	trusted []netip.Prefix
	headers Headers
}

// New validates c and returns its Proxy.
func New(c Config) (*Proxy, error) {
	p := &Proxy{headers: c.Headers}
	if p.headers == 0 {
		p.headers = XForwarded
	}
	for _, s := range c.Trusted {
		pfx, err := parseTrusted(s)
		if err != nil {
			return nil, err
		}
		p.trusted = append(p.trusted, pfx)
	}
	return p, nil
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
