package csrf

import (
	"fmt"
	"net/http"
	"strings"
)

// exemptMarker is the handler every exemption pattern is registered with;
// a request is exempt when the private mux picks it.
type exemptMarker struct{}

func (*exemptMarker) ServeHTTP(http.ResponseWriter, *http.Request) {}

var marker http.Handler = &exemptMarker{}

// setExempt registers the patterns on a private ServeMux. ServeMux.Handle
// panics on an invalid or conflicting pattern; that becomes an error. It
// also notes whether any pattern names a host, the only case in which
// the request's host takes part in the match.
func (g *Guard) setExempt(patterns []string) (err error) {
	if len(patterns) == 0 {
		return nil
	}
	mux := http.NewServeMux()
	for _, p := range patterns {
		func() {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("csrf: exempt pattern %q: %v", p, v)
				}
			}()
			mux.Handle(p, marker)
		}()
		if err != nil {
			return err
		}
		if patternHasHost(p) {
			g.exemptHosts = true
		}
	}
	g.exempt = mux
	return nil
}

// patternHasHost reports whether a ServeMux pattern ("[METHOD ][HOST]/[PATH]",
// already validated by ServeMux.Handle) names a host: whatever comes
// before the path's first "/", once the method is removed.
func patternHasHost(p string) bool {
	p = strings.TrimLeft(p, " \t")
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		p = strings.TrimLeft(p[i:], " \t") // after "POST "
	}
	return !strings.HasPrefix(p, "/")
}

// isExempt reports whether the exemption mux would serve r with one of
// the patterns directly. A request it would redirect (to clean its path
// or add a trailing slash), or answer 404 or 405, is not exempt: so
// "POST /webhooks/stripe" exempts neither "/webhooks/stripe/",
// "/x/../webhooks/stripe" nor a PUT. The CSRF middleware runs before the
// application's router, so r.Pattern cannot be used.
//
// Two rules go beyond ServeMux:
//
//   - A pattern's host is matched against the public host (host, from
//     package proxy: the X-Forwarded-Host of a trusted proxy, lower-cased,
//     without the default port), as secure.RedirectExempt is, not against
//     r.Host, which behind a proxy is the proxy's own name for the
//     backend. The match runs on a shallow copy of r carrying that host;
//     when the public host is unknown (an invalid Host header), the copy
//     has none, and no pattern with a host matches.
//   - A request whose raw path holds an encoded slash, backslash or dot
//     segment is never exempt (see encodedTraversal).
func (g *Guard) isExempt(r *http.Request, host string) bool {
	if g.exemptHosts && host != r.Host {
		r2 := *r
		r2.Host = host
		r = &r2
	}
	if h, _ := g.exempt.Handler(r); h != marker {
		return false
	}
	return !encodedTraversal(r.URL.RawPath) && !encodedTraversal(r.URL.EscapedPath())
}

// encodedTraversal reports whether a raw (still percent-encoded) path
// holds "%2F" (an encoded "/"), "%5C" (an encoded "\"), "%2E%2E" (two
// encoded dots), or a segment that decodes to "." or ".." and spells a
// dot as "%2E" (".%2e", "%2E"); hex digits in either case.
//
// ServeMux matches on the escaped path and treats "%2F" as part of a
// segment, so "/hooks/{id}" matches "/hooks/a%2F..%2F..%2Fadmin", and
// it cleans only literal dot segments, so it matches "/hooks/%2E%2E" too.
// An application router that decodes the path and then cleans it (or
// treats "\" as "/", as some do) would send such a request to another
// handler, "/admin", while this middleware had let it through unchecked.
// No webhook sender needs these encodings, so refusing the exemption
// costs nothing: the request is still served, just checked.
func encodedTraversal(p string) bool {
	if strings.IndexByte(p, '%') < 0 {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if hasFold(seg, "%2f") || hasFold(seg, "%5c") || hasFold(seg, "%2e%2e") {
			return true
		}
		if encodedDots(seg) {
			return true
		}
	}
	return false
}

// encodedDots reports whether seg is "." or ".." with at least one dot
// written "%2E" (either case).
func encodedDots(seg string) bool {
	dots, encoded := 0, false
	for i := 0; i < len(seg); {
		switch {
		case seg[i] == '.':
			i++
		case len(seg)-i >= 3 && seg[i] == '%' && seg[i+1] == '2' && (seg[i+2] == 'e' || seg[i+2] == 'E'):
			i += 3
			encoded = true
		default:
			return false
		}
		dots++
	}
	return encoded && dots <= 2
}

// hasFold reports whether s contains sub (lower-case ASCII), ignoring the
// case of ASCII letters, without allocating.
func hasFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
