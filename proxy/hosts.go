package proxy

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// hostPattern is one compiled Config.AllowedHosts entry.
type hostPattern struct {
	// raw is the entry as normalised (lower-cased, trailing dot
	// dropped, IPv6 bracketed), for AllowedHosts.
	raw string
	// any is "*": every valid host.
	any bool
	// name is a host name or IPv4 literal, lower-cased, without its
	// leading "." (subdomains) and trailing dot. Empty for IPv6 entries.
	name string
	// subdomains is a leading ".": name and every name ending in
	// "."+name.
	subdomains bool
	// addr is an IPv6 literal's address (entries "[::1]" or "::1"),
	// compared as an address so that "[0:0::1]" is "[::1]".
	addr netip.Addr
	// port, when not "", is the only port the entry allows; without it
	// the entry allows every port.
	port string
}

// compileAllowedHost validates and compiles one AllowedHosts entry. The
// errors say what to write instead: a frequent mistake is a URL
// ("https://example.com/") or a wildcard in another framework's syntax
// ("*.example.com").
func compileAllowedHost(s string) (hostPattern, error) {
	if s == "*" {
		return hostPattern{raw: "*", any: true}, nil
	}
	p, err := compileHost(s)
	if err != nil {
		return hostPattern{}, fmt.Errorf("proxy: AllowedHosts entry %q: %w", s, err)
	}
	return p, nil
}

// compileHost is compileAllowedHost for an entry other than "*"; its
// errors do not repeat the entry.
func compileHost(s string) (hostPattern, error) {
	if err := checkEntryShape(s); err != nil {
		return hostPattern{}, err
	}
	lower := strings.ToLower(s)
	// A bare IPv6 literal ("::1") is taken as "[::1]": without brackets
	// its colons cannot be told from a port's.
	if a, err := netip.ParseAddr(lower); err == nil && a.Is6() {
		if a.Zone() != "" {
			return hostPattern{}, errors.New("has an IPv6 zone, which no Host header carries")
		}
		return hostPattern{raw: "[" + a.String() + "]", addr: a}, nil
	}
	name, port, ok := splitHostPort(lower)
	if !ok {
		return hostPattern{}, errors.New("is not a host name, IP literal or host:port")
	}
	var p hostPattern
	var err error
	if p.port, err = canonicalPort(port); err != nil {
		return hostPattern{}, err
	}
	if strings.HasPrefix(name, "[") {
		err = p.setIPv6(name)
	} else {
		err = p.setName(name)
	}
	if err != nil {
		return hostPattern{}, err
	}
	if p.port != "" {
		p.raw += ":" + p.port
	}
	return p, nil
}

// checkEntryShape refuses an entry that is empty or is no host at all:
// white space, a URL, a path, user information, a "*." wildcard, more
// than 255 bytes.
func checkEntryShape(s string) error {
	switch {
	case s == "":
		return errors.New("empty; list host names such as \"example.com\"")
	case strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n"):
		return fmt.Errorf("has white space; write the bare host name (%q)", strings.TrimSpace(s))
	case strings.Contains(s, "://"):
		host, _, _ := strings.Cut(s[strings.Index(s, "://")+3:], "/")
		return fmt.Errorf("is a URL, not a host; write %q", host)
	case strings.ContainsAny(s, "/?#"):
		host, _, _ := strings.Cut(s, "/")
		host, _, _ = strings.Cut(host, "?")
		host, _, _ = strings.Cut(host, "#")
		return fmt.Errorf("has a path, query or fragment; write the host alone (%q)", host)
	case strings.Contains(s, "@"):
		return fmt.Errorf("has user information; write the host alone (%q)", s[strings.LastIndex(s, "@")+1:])
	case strings.HasPrefix(s, "*"):
		return fmt.Errorf("wildcards are written with a leading dot: %q allows the domain and all its subdomains", strings.TrimLeft(s, "*"))
	case len(s) > 255:
		return errors.New("is longer than 255 bytes, which no valid Host is")
	}
	return nil
}

// canonicalPort validates an entry's port ("" for none) and returns it
// without leading zeros: hosts are compared as strings, "8000" and not
// "08000".
func canonicalPort(port string) (string, error) {
	if port == "" {
		return "", nil
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return "", fmt.Errorf("port %q is not a port number (1-65535)", port)
	}
	return strconv.FormatUint(n, 10), nil
}

// setIPv6 makes p the bracketed IPv6 literal name ("[::1]").
func (p *hostPattern) setIPv6(name string) error {
	a, err := netip.ParseAddr(name[1 : len(name)-1])
	if err != nil || !a.Is6() || a.Zone() != "" {
		return fmt.Errorf("%s is not an IPv6 address: %w", name, errOr(err, "zone or IPv4 in brackets"))
	}
	p.addr = a
	p.raw = "[" + a.String() + "]"
	return nil
}

// setName makes p the host name or IPv4 literal name, a leading "."
// allowing its subdomains too, a trailing "." dropped.
func (p *hostPattern) setName(name string) error {
	if strings.HasPrefix(name, ".") {
		p.subdomains = true
		name = name[1:]
	}
	name = strings.TrimSuffix(name, ".")
	if name == "" || !validName(name) {
		return fmt.Errorf("%q is not a host name: ASCII letters, digits, '-' and '_' in labels between single dots (an internationalised name is written in punycode, \"xn--...\")", name)
	}
	if isIPv4ish(name) {
		if p.subdomains {
			return errors.New("a leading dot allows subdomains; an IP address has none")
		}
		if a, err := netip.ParseAddr(name); err != nil || !a.Is4() {
			return fmt.Errorf("%q is not an IPv4 address (four decimal numbers, no leading zeros): %w", name, errOr(err, "not IPv4"))
		}
	}
	p.name = name
	p.raw = name
	if p.subdomains {
		p.raw = "." + name
	}
	return nil
}

// errOr returns err, or an error saying why when err is nil.
func errOr(err error, why string) error {
	if err != nil {
		return err
	}
	return errors.New(why)
}

// splitHostPort splits a lower-cased "name[:port]" or "[v6][:port]".
// ok is false when the shape is wrong: a colon in a name outside
// brackets, anything after "]" but a port, an empty port, a port that is
// not at most five digits.
func splitHostPort(s string) (name, port string, ok bool) {
	var rest string
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", false
		}
		name, rest = s[:end+1], s[end+1:]
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		name, rest = s[:i], s[i:]
	} else {
		return s, "", true
	}
	if rest == "" {
		return name, "", true
	}
	if rest[0] != ':' {
		return "", "", false
	}
	port = rest[1:]
	if port == "" || len(port) > 5 {
		return "", "", false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return "", "", false
		}
	}
	return name, port, true
}

// validName reports whether s is a host name: labels of ASCII letters,
// digits, '-' and '_' separated by single dots.
func validName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// isIPv4ish reports whether s is made of digits and dots only: an IPv4
// literal, or something browsers would read as one ("127.1"). Top-level
// domains are never all digits, so no registrable name looks like this.
func isIPv4ish(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// Allowed reports whether host, a Host header's value ("example.com",
// "Example.COM:8443", "[::1]:8000") or Info.Host, is allowed by
// Config.AllowedHosts. The Middleware answers 400 Bad Request to a
// request whose public host (Info.Host) it refuses; other frameworks can
// call Allowed themselves, with the Host from Resolve.
//
// With no AllowedHosts (and on a nil *Proxy) there is no check: Allowed
// returns true for every host, even an invalid one. Otherwise the rules
// are Django's ALLOWED_HOSTS:
//
//   - A host that is not a valid host[:port] is never allowed, not even
//     by "*": an empty Host, white space, a path, an empty or non-numeric
//     port, more than one trailing dot.
//   - Names are compared case-insensitively, with one trailing dot
//     dropped ("example.com." is "example.com", as DNS reads it).
//   - An entry without a port allows every port of its host; an entry
//     with a port allows only that port. The scheme's default port is
//     not part of Info.Host, so write "example.com", not
//     "example.com:443".
//   - "example.com" allows that name only; ".example.com" allows
//     example.com and every name below it (www.example.com,
//     a.b.example.com), but not badexample.com.
//   - IP literals are compared as addresses: "127.0.0.1", and IPv6 in
//     brackets ("[::1]", which also allows "[0:0::1]"). A leading dot
//     never matches an IP address.
//   - "*" allows every valid host: it turns the check off and is meant
//     for a server whose front proxy already checks the Host.
//
// Allowed is safe for concurrent use and does not allocate.
func (p *Proxy) Allowed(host string) bool {
	if p == nil || len(p.allowed) == 0 {
		return true
	}
	return p.allowedHost(host)
}

// allowedHost is Allowed for a non-empty list. It compares without
// lower-casing first, so that no host allocates.
func (p *Proxy) allowedHost(host string) bool {
	// validHost bounds the length and the alphabet.
	if !validHost(host) {
		return false
	}
	name, port, ok := splitHostPort(host)
	if !ok {
		return false
	}
	var addr netip.Addr
	if strings.HasPrefix(name, "[") {
		a, err := netip.ParseAddr(name[1 : len(name)-1])
		if err != nil || !a.Is6() {
			return false
		}
		addr = a
	} else {
		// One trailing dot is the same name, fully qualified (Django
		// drops it too); two or more, or a name of dots, is no name.
		name = strings.TrimSuffix(name, ".")
		if !validName(name) {
			return false
		}
	}
	ip := addr.IsValid() || isIPv4ish(name)
	for i := range p.allowed {
		e := &p.allowed[i]
		switch {
		case e.any:
			return true
		case e.port != "" && e.port != port:
			continue
		case e.addr.IsValid():
			if addr == e.addr {
				return true
			}
		case addr.IsValid():
			// An IPv6 host matches IPv6 entries (and "*") only.
		case strings.EqualFold(name, e.name):
			return true
		case e.subdomains && !ip && len(name) > len(e.name) &&
			name[len(name)-len(e.name)-1] == '.' && strings.EqualFold(name[len(name)-len(e.name):], e.name):
			return true
		}
	}
	return false
}

// AllowedHosts returns the AllowedHosts entries, normalised: lower-case,
// without a trailing dot, IPv6 literals in brackets. Empty means there is
// no Host check.
func (p *Proxy) AllowedHosts() []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(p.allowed))
	for i, e := range p.allowed {
		out[i] = e.raw
	}
	return out
}
