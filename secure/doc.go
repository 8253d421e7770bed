// Package secure is tether's counterpart of Django's SecurityMiddleware and
// XFrameOptionsMiddleware.
//
// A Guard, built from Options, sends every plain-HTTP request to HTTPS
// (SSLRedirect) and adds the security headers to every response:
// Strict-Transport-Security (on HTTPS only), X-Content-Type-Options:
// nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and
// X-Frame-Options (Django's XFrameOptionsMiddleware, the clickjacking
// protection). The zero Options are Django's defaults: nosniff,
// Referrer-Policy: same-origin, Cross-Origin-Opener-Policy: same-origin,
// X-Frame-Options: DENY, no HSTS, no redirect. As in Django, a header the
// handler already set is never overwritten.
//
// Whether a request is HTTPS, and which host it was sent to, come from
// package proxy (proxy.IsHTTPS, proxy.From), never from r.URL.Scheme or raw
// X-Forwarded-* headers. Behind a reverse proxy that terminates TLS,
// install proxy's Middleware outside the Guard with the proxy's address in
// proxy.Config.Trusted; otherwise every request looks like plain HTTP and
// SSLRedirect answers every request with a redirect to itself (a loop).
// The redirect goes to the request's public host, so list the site's
// hosts in proxy.Config.AllowedHosts (Django's ALLOWED_HOSTS): the proxy
// Middleware then refuses any other Host before the Guard sees it.
//
//	p := proxy.MustNew(proxy.Config{Trusted: []string{"10.0.0.0/8"}, AllowedHosts: []string{".example.com"}})
//	g := secure.MustNew(secure.Options{SSLRedirect: true, HSTSMaxAge: 365 * 24 * time.Hour})
//	handler = p.Middleware(g.Middleware(app))
//
// The deployment checks, Django's "manage.py check --deploy", are in
// package deploy: deploy.Check reads these Options with the proxy, session
// and CSRF settings, deploy.CheckSite what a live site sends.
package secure
