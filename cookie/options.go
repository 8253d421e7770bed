package cookie

import (
	"net/http"
	"strings"
	"time"
)

// Options shapes a cookie. The zero value is safe: Path "/", host-only,
// HttpOnly, SameSite=Lax, not Secure, ending with the browser session.
// Options is a plain value, safe to share between goroutines.
type Options struct {
	// Path defaults to "/".
	Path string
	// Domain, when set, sends the cookie to that domain and its
	// subdomains; empty keeps it to the exact host (the safe default).
	Domain string
	// MaxAge > 0 sets Max-Age (and Expires, for old browsers) in whole
	// seconds; 0 makes a cookie that ends with the browser session.
	MaxAge time.Duration
	// Secure limits the cookie to HTTPS. Turn it on in production.
	Secure bool
	// ScriptReadable drops HttpOnly so JavaScript can read the cookie (as
	// the CSRF cookie needs); leave it off for anything secret.
	ScriptReadable bool
	// SameSite defaults to http.SameSiteLaxMode when zero. Use
	// http.SameSiteDefaultMode to omit the attribute; SameSite=None forces
	// Secure, as browsers require.
	SameSite http.SameSite
}

// MaxSize is the largest cookie browsers keep: 4096 bytes for the name,
// the value and the attributes together.
const MaxSize = 4096

func (o Options) path() string {
	if o.Path == "" {
		return "/"
	}
	return o.Path
}

func (o Options) sameSite() http.SameSite {
	if o.SameSite == 0 {
		return http.SameSiteLaxMode
	}
	return o.SameSite
}

// secure reports whether the Secure attribute is written: when asked, when
// SameSite=None (browsers reject None without Secure) and for the
// __Secure- and __Host- name prefixes, which browsers reject without it.
func (o Options) secure(name string) bool {
	return o.Secure || o.sameSite() == http.SameSiteNoneMode ||
		strings.HasPrefix(name, "__Secure-") || strings.HasPrefix(name, "__Host-")
}
