package csrf_test

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// same-origin browser headers, for cases about the token layer.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "{self}"}

// refused is the forgery corpus: every request must get 403 for the
// stated reason.
var refused = []attack{
	// The token layer.
	{name: "no cookie, no token", hdr: sameOrigin, want: "no-cookie"},
	{name: "no cookie, valid-looking token", hdr: sameOrigin, token: "mine", want: "no-cookie"},
	{name: "cookie but no token", hdr: sameOrigin, cookie: "mine", want: "missing-token"},
	{name: "token of another client (header)", hdr: sameOrigin, cookie: "mine", token: "other", want: "bad-token"},
	{name: "token of another client (form)", hdr: sameOrigin, cookie: "mine", token: "other", in: "form", want: "bad-token"},
	{name: "cookie of another client with my token", hdr: sameOrigin, cookie: "other", token: "mine", want: "bad-token"},
	{name: "stale token after rotation (header)", hdr: sameOrigin, cookie: "mine", token: "stale", want: "bad-token"},
	{name: "stale token after rotation (form)", hdr: sameOrigin, cookie: "mine", token: "stale", in: "form", want: "bad-token"},
	{name: "token only in the query string", hdr: sameOrigin, cookie: "mine", token: "mine", in: "query", want: "missing-token"},
	{name: "token in the query, form without it", hdr: sameOrigin, cookie: "mine", token: "mine", in: "query+form", want: "missing-token"},
	{name: "oversize token", hdr: sameOrigin, cookie: "mine", token: "=" + strings.Repeat("a", 100000), want: "bad-token"},
	{name: "non-ASCII token", hdr: sameOrigin, cookie: "mine", token: "=" + strings.Repeat("é", 32), want: "bad-token"},
	{name: "token one letter too long", hdr: sameOrigin, cookie: "mine", token: "=" + strings.Repeat("a", 33), want: "bad-token"},
	{name: "token of punctuation", hdr: sameOrigin, cookie: "mine", token: "=" + strings.Repeat("*", 64), want: "bad-token"},
	{name: "token all-a (guessable secret)", hdr: sameOrigin, cookie: "mine", token: "=" + strings.Repeat("a", 64), want: "bad-token"},
	{name: "malformed cookie", hdr: sameOrigin, cookie: "=abc", token: "=" + strings.Repeat("a", 32), want: "bad-cookie"},
	{name: "form too large to read", hdr: sameOrigin, cookie: "mine", token: "mine", in: "form", body: "&pad=" + strings.Repeat("x", 70<<10), want: "missing-token"},
	{name: "PUT with the token only in a form", method: "PUT", hdr: sameOrigin, cookie: "mine", token: "mine", in: "form", want: "missing-token"},
	{name: "DELETE without cookie", method: "DELETE", hdr: sameOrigin, want: "no-cookie"},
	// Method-override tricks: the real method is checked.
	{name: "POST with X-HTTP-Method-Override: GET", cookie: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-origin", "X-HTTP-Method-Override": "GET"}, want: "missing-token"},
	{name: "POST with ?_method=GET", path: "/submit?_method=GET", cookie: "mine", hdr: sameOrigin, want: "missing-token"},
	{name: "lower-case method from another site", method: "post", cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://evil.example"}, want: "bad-origin"},
	{name: "custom method without token", method: "PROPFIND", cookie: "mine", hdr: sameOrigin, want: "missing-token"},
	// The header layer: Sec-Fetch-Site.
	{name: "Sec-Fetch-Site cross-site", cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, want: "cross-site"},
	{name: "Sec-Fetch-Site cross-site, no Origin", cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "cross-site"}, want: "cross-site"},
	{name: "Sec-Fetch-Site same-site (sibling subdomain)", cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://blog.example.com"}, want: "cross-site"},
	{name: "Sec-Fetch-Site unknown value", cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "cross-origin"}, want: "cross-site"},
	{name: "Sec-Fetch-Site cross-site, trusted host over http", cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://partner.example.org"}, want: "cross-site"},
	// The header layer: Origin without Sec-Fetch-Site.
	{name: "cross-site Origin", cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://evil.example"}, want: "bad-origin"},
	{name: "null Origin", cookie: "mine", token: "mine", hdr: map[string]string{"Origin": "null"}, want: "bad-origin"},
	{name: "unparsable Origin", cookie: "mine", token: "mine", hdr: map[string]string{"Origin": "https://["}, want: "bad-origin"},
	{name: "look-alike suffix origin", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://{host}.evil.example"}, want: "bad-origin"},
	{name: "look-alike of a wildcard domain", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://evilexample.net"}, want: "bad-origin"},
	{name: "wildcard does not cover the bare domain", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://example.net"}, want: "bad-origin"},
	{name: "sibling of a trusted subdomain", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://evil.example.org"}, want: "bad-origin"},
	{name: "subdomain of an exact trusted origin", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://x.partner.example.org"}, want: "bad-origin"},
	{name: "http:// origin when only https:// is trusted", cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "http://partner.example.org"}, want: "bad-origin"},
	{name: "http:// subdomain when the wildcard is https://", cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "http://a.example.net"}, want: "bad-origin"},
	{name: "wildcard subdomain on another port", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://a.example.net:8443"}, want: "bad-origin"},
	{name: "http page of this host posting to the https site", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "http://{host}"}, want: "bad-origin"},
	{name: "this host on another port", cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "http://example.com:8080"}, want: "bad-origin"},
	// The header layer: Referer on HTTPS without Origin.
	{name: "HTTP Referer to an HTTPS site", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "http://{host}/form"}, want: "insecure-referer"},
	{name: "missing Referer on HTTPS", https: true, cookie: "mine", token: "mine", want: "no-referer"},
	{name: "foreign Referer on HTTPS", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "https://evil.example/form"}, want: "bad-referer"},
	{name: "look-alike Referer on HTTPS", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "https://{host}.evil.example/"}, want: "bad-referer"},
	{name: "Referer with user info", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "https://{host}@evil.example/"}, want: "bad-referer"},
	{name: "malformed Referer", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "https://["}, want: "bad-referer"},
	{name: "scheme-relative Referer", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "//{host}/form"}, want: "bad-referer"},
	{name: "non-ASCII Referer", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "https://exämple.com/"}, want: "bad-referer"},
	// Proxies: forwarded headers from an untrusted peer are the client's word.
	{name: "forged X-Forwarded-Proto from an untrusted peer", remote: "203.0.113.9:4000", cookie: "mine", token: "mine",
		hdr: map[string]string{"X-Forwarded-Proto": "https", "Origin": "https://example.com"}, want: "bad-origin"},
	{name: "forged X-Forwarded-Host from an untrusted peer", remote: "203.0.113.9:4000", cookie: "mine", token: "mine",
		hdr: map[string]string{"X-Forwarded-Host": "evil.example", "Origin": "http://evil.example"}, want: "bad-origin"},
	// Exemptions are exact.
	{name: "exempt path with a trailing slash", path: "/webhooks/stripe/", want: "no-cookie"},
	{name: "exempt path reached through ..", path: "/x/../webhooks/stripe", want: "no-cookie"},
	{name: "exempt path with another method", method: "PUT", path: "/webhooks/stripe", want: "no-cookie"},
	// Exemptions: ServeMux matches "/hooks/{id}" on the escaped path, but a
	// router that decodes then cleans would serve another handler.
	{name: "exempt pattern with an encoded slash", path: "/hooks/a%2F..%2F..%2Fadmin", want: "no-cookie"},
	{name: "exempt pattern with a lower-case encoded slash", path: "/hooks/a%2f..%2fadmin", want: "no-cookie"},
	{name: "exempt pattern with an encoded backslash", path: "/hooks/a%5C..%5Cadmin", want: "no-cookie"},
	{name: "exempt pattern with an encoded dot-dot", path: "/hooks/%2E%2E", want: "no-cookie"},
	{name: "exempt pattern with a mixed-case encoded dot-dot", path: "/hooks/%2e%2E", want: "no-cookie"},
	{name: "exempt pattern with a half-encoded dot-dot", path: "/hooks/.%2e", want: "no-cookie"},
	{name: "exempt pattern with an encoded dot", path: "/hooks/%2E", want: "no-cookie"},
}

// accepted are legitimate requests: every one must reach the handler.
var accepted = []attack{
	{name: "same-origin form", hdr: sameOrigin, cookie: "mine", token: "mine", in: "form"},
	{name: "same-origin multipart form with a file", hdr: sameOrigin, cookie: "mine", token: "mine", in: "multipart"},
	{name: "fetch with the header", hdr: sameOrigin, cookie: "mine", token: "mine"},
	{name: "fetch sending the cookie value itself", hdr: sameOrigin, cookie: "mine", token: "secret"},
	{name: "masked 64-letter cookie (Django 3.2)", hdr: sameOrigin, cookie: "masked", token: "mine"},
	{name: "after rotation with the new token", hdr: sameOrigin, cookie: "mine", token: "mine", in: "form"},
	{name: "user-initiated (Sec-Fetch-Site: none)", hdr: map[string]string{"Sec-Fetch-Site": "none"}, cookie: "mine", token: "mine"},
	{name: "old browser, same Origin", cookie: "mine", token: "mine", hdr: map[string]string{"Origin": "{self}"}},
	{name: "Origin in capitals with the default port", cookie: "mine", token: "mine", hdr: map[string]string{"Origin": "HTTP://Example.COM:80"}},
	{name: "trusted origin, cross-site", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://partner.example.org"}},
	{name: "trusted origin, old browser", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Origin": "https://partner.example.org"}},
	{name: "wildcard subdomain", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://shop.eu.example.net"}},
	{name: "HTTPS, same-origin Referer only", https: true, cookie: "mine", token: "mine", in: "form",
		hdr: map[string]string{"Referer": "{self}/form"}},
	{name: "HTTPS, Referer of a trusted origin", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Referer": "https://partner.example.org/page"}},
	{name: "HTTPS, same-origin fetch", https: true, cookie: "mine", token: "mine", hdr: sameOrigin},
	{name: "non-browser client with a token", cookie: "mine", token: "mine"},
	{name: "safe GET from another site", method: "GET", hdr: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
	{name: "safe HEAD", method: "HEAD", hdr: map[string]string{"Sec-Fetch-Site": "cross-site"}},
	{name: "safe OPTIONS", method: "OPTIONS", hdr: map[string]string{"Origin": "null"}},
	{name: "safe TRACE", method: "TRACE", https: true},
	{name: "exempt webhook", path: "/webhooks/stripe", hdr: map[string]string{"Sec-Fetch-Site": "cross-site"}},
	{name: "exempt pattern with a wildcard", method: "DELETE", path: "/hooks/42"},
	{name: "exempt pattern with harmless escapes", path: "/hooks/a%20b.json"},
	{name: "exempt pattern with dots in a name", path: "/hooks/..a"},
	{name: "behind a trusted proxy that ends TLS", remote: "10.1.2.3:4000", cookie: "mine", token: "mine",
		hdr: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "www.example.com", "Origin": "https://www.example.com"}},
}

func init() {
	for i := range accepted {
		accepted[i].want = "accepted"
	}
}

func TestAttackCorpus(t *testing.T) {
	if len(refused) < 30 || len(accepted) < 10 {
		t.Fatalf("corpus too small: %d refused, %d accepted", len(refused), len(accepted))
	}
	h := newSite(t, corpusOptions())
	f := newFixture(t, h)
	for _, a := range append(append([]attack(nil), refused...), accepted...) {
		t.Run(a.name, func(t *testing.T) {
			code, reason := f.runHand(t, h, a)
			check(t, a, code, reason)
		})
	}
	t.Logf("corpus: %d refused, %d accepted", len(refused), len(accepted))
}

// TestAttackCorpusTLS sends every HTTPS case of the corpus (those that do
// not depend on the peer's address) through a real TLS server and client.
func TestAttackCorpusTLS(t *testing.T) {
	h := newSite(t, corpusOptions())
	f := newFixture(t, h)
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	n := 0
	for _, a := range append(append([]attack(nil), refused...), accepted...) {
		if !a.https || a.remote != "" {
			continue
		}
		n++
		t.Run(a.name, func(t *testing.T) {
			code, reason := f.runTLS(t, srv, a)
			check(t, a, code, reason)
		})
	}
	if n < 15 {
		t.Fatalf("only %d cases over TLS", n)
	}
}

// sameSiteRefused and sameSiteAccepted run under AllowSameSite. On HTTPS a
// same-site request must come from an https:// page: browsers that
// compute "site" without the scheme call a network attacker's
// http://blog.example.com page same-site to https://example.com.
var sameSiteRefused = []attack{
	{name: "same-site from an http:// sibling to the https site", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://blog.example.com"}, want: "insecure-origin"},
	{name: "same-site from this host over http:// to the https site", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://{host}"}, want: "insecure-origin"},
	{name: "same-site with a null Origin on https", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "null"}, want: "insecure-origin"},
	{name: "same-site with an https-looking http Origin", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://https.example.com"}, want: "insecure-origin"},
	{name: "same-site, no Origin, http:// Referer on https", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Referer": "http://blog.example.com/form"}, want: "insecure-referer"},
	{name: "same-site, no Origin, no Referer on https", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site"}, want: "no-referer"},
	{name: "same-site, no Origin, sibling Referer on https (strict rule)", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Referer": "https://blog.example.com/form"}, want: "bad-referer"},
	{name: "same-site from an http:// sibling behind a TLS-ending proxy", remote: "10.1.2.3:4000", cookie: "mine", token: "mine",
		hdr: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "example.com",
			"Sec-Fetch-Site": "same-site", "Origin": "http://blog.example.com"}, want: "insecure-origin"},
	{name: "same-site allowed, but cross-site still refused", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://blog.example.com"}, want: "cross-site"},
	{name: "same-site allowed, but the token is still needed", https: true, cookie: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://blog.example.com"}, want: "missing-token"},
}

var sameSiteAccepted = []attack{
	{name: "same-site from an https:// sibling", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://blog.example.com"}},
	{name: "same-site Origin in capitals", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "HTTPS://Blog.Example.com"}},
	{name: "same-site, no Origin, Referer of this site", https: true, cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Referer": "{self}/form"}},
	{name: "same-site on a plain-HTTP site", cookie: "mine", token: "mine",
		hdr: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://blog.example.com"}},
	{name: "same-site from an https:// sibling behind a TLS-ending proxy", remote: "10.1.2.3:4000", cookie: "mine", token: "mine",
		hdr: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "example.com",
			"Sec-Fetch-Site": "same-site", "Origin": "https://blog.example.com"}},
}

// TestAttackCorpusAllowSameSite runs the same-site corpus by hand and,
// for its HTTPS cases, through a real TLS server.
func TestAttackCorpusAllowSameSite(t *testing.T) {
	o := corpusOptions()
	o.AllowSameSite = true
	h := newSite(t, o)
	f := newFixture(t, h)
	var all []attack
	all = append(all, sameSiteRefused...)
	for _, a := range sameSiteAccepted {
		a.want = "accepted"
		all = append(all, a)
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	for _, a := range all {
		t.Run(a.name, func(t *testing.T) {
			code, reason := f.runHand(t, h, a)
			check(t, a, code, reason)
			if a.https && a.remote == "" {
				code, reason = f.runTLS(t, srv, a)
				check(t, a, code, reason)
			}
		})
	}
}
