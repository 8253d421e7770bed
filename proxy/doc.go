// Package proxy is tether's one answer to "what is this request, as the
// browser sees it?": whether it came over HTTPS, the site's public origin
// (scheme://host[:port]) and the client's IP address.
//
// Behind a reverse proxy or load balancer, the connection the server sees
// is the proxy's: plain HTTP from a private address. The proxy reports the
// real scheme, host and client in headers (X-Forwarded-Proto,
// X-Forwarded-Host, X-Forwarded-For, or RFC 7239 Forwarded), but any client
// can send those headers too. So they are believed only from peers listed
// in Config.Trusted, and only the headers named in Config.Headers.
// Everything else comes from the connection itself: r.TLS for the scheme,
// r.Host for the host, r.RemoteAddr for the client. r.URL.Scheme is never
// consulted: it is empty on server requests, and guessing from it was the
// root of two 2025 CSRF bypasses in Go libraries.
//
// The public host is also checked against Config.AllowedHosts, Django's
// ALLOWED_HOSTS: it ends up in Origin (the CSRF checks), the HTTPS
// redirect and every absolute URL the application builds, so a Host
// header the site does not own must not get that far (DNS rebinding,
// poisoned password-reset links and caches). With the list set, the
// middleware answers any other host with 400 Bad Request; Proxy.Allowed
// is the same test for other frameworks. The list is empty by default,
// which checks nothing, so that development on localhost needs no
// setting; set it for every deployment.
//
// Install the middleware once, outermost:
//
//	p, err := proxy.New(proxy.Config{
//		Trusted:      []string{"10.0.0.0/8"},
//		AllowedHosts: []string{"example.com", ".example.com"},
//	})
//	handler = p.Middleware(handler)
//
// and every part of tether (Secure cookies, the HTTPS redirect, HSTS, the
// CSRF origin checks) reads the same answers through IsHTTPS, Origin and
// ClientIP. Without the middleware those functions answer from the
// connection alone, which is right for a server that faces the internet
// directly.
package proxy
