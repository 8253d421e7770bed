package cookie

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// ErrTooLarge reports a cookie that browsers would drop because it is over
// MaxSize bytes.
var ErrTooLarge = errors.New("cookie: larger than 4096 bytes")

// ErrInvalid reports a cookie name or value that cannot be sent as is.
var ErrInvalid = errors.New("cookie: invalid name or value")

// New builds the cookie that Set writes, after checking the name, the value
// and the total size.
func New(name, value string, o Options) (*http.Cookie, error) {
	if !validName(name) {
		return nil, fmt.Errorf("%w: name %q", ErrInvalid, name)
	}
	if !validValue(value) {
		return nil, fmt.Errorf("%w: the value of %q has characters outside the cookie-octet set", ErrInvalid, name)
	}
	if !validPath(o.path()) {
		return nil, fmt.Errorf("%w: path %q", ErrInvalid, o.Path)
	}
	if o.Domain != "" && !validDomain(o.Domain) {
		return nil, fmt.Errorf("%w: domain %q (want a host name such as example.com)", ErrInvalid, o.Domain)
	}
	// Browsers drop a __Host- cookie unless it is Secure (forced below),
	// host-only and for the whole site.
	if strings.HasPrefix(name, "__Host-") && (o.Domain != "" || o.path() != "/") {
		return nil, fmt.Errorf("%w: a __Host- cookie must have Path=/ and no Domain", ErrInvalid)
	}
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     o.path(),
		Domain:   o.Domain,
		Secure:   o.secure(name),
		HttpOnly: !o.ScriptReadable,
		SameSite: o.sameSite(),
	}
	if o.MaxAge > 0 {
		secs := int((min(o.MaxAge, MaxLifetime) + time.Second - 1) / time.Second)
		c.MaxAge = secs
		c.Expires = time.Now().Add(time.Duration(secs) * time.Second).UTC()
	}
	if n := len(c.String()); n > MaxSize {
		return nil, fmt.Errorf("%w: %q is %d bytes", ErrTooLarge, name, n)
	}
	return c, nil
}

// Set adds a Set-Cookie header for name=value to the response. It returns
// an error, and writes nothing, when the cookie is invalid or too large.
func Set(w http.ResponseWriter, name, value string, o Options) error {
	c, err := New(name, value, o)
	if err != nil {
		return err
	}
	w.Header().Add("Set-Cookie", c.String())
	return nil
}

// Delete adds a Set-Cookie header that removes the cookie from the browser
// (see Expired). An invalid name writes nothing, as no such cookie can exist.
func Delete(w http.ResponseWriter, name string, o Options) {
	if v := Expired(name, o).String(); v != "" {
		w.Header().Add("Set-Cookie", v)
	}
}

// Expired returns the cookie that removes name from the browser: an empty
// value, Max-Age=0 and an Expires date in 1970, with the same Path, Domain,
// SameSite and Secure as o, since a browser only replaces a cookie whose
// name, path and domain all match.
func Expired(name string, o Options) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    "",
		Path:     o.path(),
		Domain:   o.Domain,
		MaxAge:   -1, // written as Max-Age=0
		Expires:  time.Unix(0, 0).UTC(),
		Secure:   o.secure(name),
		HttpOnly: !o.ScriptReadable,
		SameSite: o.sameSite(),
	}
}

// Value returns the value of the first cookie called name in the request,
// without the allocations of r.Cookie. Whitespace around the name and the
// value, and surrounding double quotes, are removed, as Django does.
func Value(r *http.Request, name string) (string, bool) {
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, "=")
			if !ok || strings.TrimSpace(k) != name {
				continue
			}
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// MaxLifetime caps Max-Age: browsers keep a cookie at most 400 days
// whatever it asks for, and a longer duration would overflow.
const MaxLifetime = 400 * 24 * time.Hour

// validPath reports whether a Path attribute can be sent as is: it starts
// with "/" and holds no control character or ";" (net/http would drop
// them silently).
func validPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c >= 0x7f || c == ';' {
			return false
		}
	}
	return true
}

// validDomain reports whether a Domain attribute is a host name (an
// optional leading dot, labels of letters, digits and hyphens) or an IP
// address, as net/http requires; anything else it would drop silently,
// making the cookie host-only.
func validDomain(d string) bool {
	if net.ParseIP(d) != nil {
		return true
	}
	d = strings.TrimPrefix(d, ".")
	if d == "" || len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// validName reports whether name is an RFC 7230 token.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validValue reports whether every byte of v is an RFC 6265 cookie-octet:
// printable ASCII except space, double quote, comma, semicolon and
// backslash. (net/http would silently drop the others.)
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}
