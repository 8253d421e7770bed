// Package csrf protects net/http applications against cross-site request
// forgery, with two layers that are both on by default.
//
// The first layer is the browser's own word, the algorithm of Go 1.25's
// http.CrossOriginProtection: a request the browser marks
// "Sec-Fetch-Site: cross-site" is refused unless its Origin is trusted;
// without that header the Origin must be the site's public origin or a
// trusted one; on HTTPS, with neither header, the Referer must name a
// page of the site (Django's strict Referer check). The comments of
// origin.go give every rule and its reason.
//
// The second layer is Django's token. Each client has a 32-letter secret,
// kept in the "csrftoken" cookie (readable by JavaScript, SameSite=Lax,
// Path=/, Secure when the request came over HTTPS) or, with
// Options.UseSession, in the session. Templates get the secret masked
// afresh for every response (Token, TemplateField, FuncMap), which keeps
// BREACH-style compression attacks from reading it; any masking of the
// secret is accepted back. Unsafe requests (any method but GET, HEAD,
// OPTIONS and TRACE) must carry a token in the X-CSRFToken header or the
// csrfmiddlewaretoken form field. Cookie values and tokens are Django's:
// a Django application with the same cookie accepts tokens made here and
// the other way round (Options.MaskCookie for Django 3.2 and 4.0).
//
// Options.HeaderOnly keeps just the first layer: no cookie, no tokens.
// Like Go's CrossOriginProtection, it then lets a plain-HTTP request that
// carries neither Sec-Fetch-Site nor Origin through: browsers send one of
// them with every unsafe request, so such a request is from a
// non-browser client (on HTTPS it still needs a Referer of the site).
//
// Options.AllowSameSite lets sibling subdomains' pages through the first
// layer; on HTTPS only those served over https:// (some browsers count
// http://blog.example.com as same-site to https://example.com).
//
// # The cookie on HTTPS sites
//
// Any sibling subdomain, or a network attacker answering for one over
// plain HTTP, can set a cookie for the parent domain. Of two cookies of
// the same name browsers send the one with the longer Path (then the
// older) first, and the first is the one read: a tossed "csrftoken" with
// Path=/login shadows the site's, and its secret is the attacker's
// choice. On an HTTPS site, name the cookie "__Host-csrftoken"
// (Options.CookieName): browsers accept such a cookie only from this very
// host, over HTTPS, with Secure, Path=/ and no Domain, which is how it is
// written. JavaScript reads it under its full name:
//
//	function csrfToken() {
//		for (const part of document.cookie.split(";")) {
//			const [name, ...value] = part.trim().split("=");
//			if (name === "__Host-csrftoken") return decodeURIComponent(value.join("="));
//		}
//		return null;
//	}
//	fetch("/api/posts", {method: "POST", headers: {"X-CSRFToken": csrfToken()}, body});
//
// # Exemptions
//
// Options.Exempt takes net/http ServeMux patterns, matched as a ServeMux
// holding only them would match (the public host for a host part, no
// redirects, the named method only). A request whose raw path holds an
// encoded slash, backslash or dot segment ("%2F", "%5C", "%2E%2E") is
// never exempt, since a router that decodes before cleaning may route it
// to another handler.
//
// # Knowing the request
//
// The public origin ("https://example.com") comes from package proxy:
// install its middleware outside this one when a reverse proxy ends TLS,
// or every request looks like plain HTTP and same-origin HTTPS pages are
// refused. r.URL.Scheme and X-Forwarded-* headers are never read here.
//
// # Wiring
//
//	guard, err := csrf.New(csrf.Options{
//		TrustedOrigins: []string{"https://admin.example.com"},
//		Exempt:         []string{"POST /webhooks/stripe"},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	handler := guard.Protect(mux)
//
// and, in the login handler, csrf.Rotate(r) next to the session's
// CycleKey. Refused requests get 403 from Options.FailureHandler
// (DefaultFailureHandler says what to fix) and a warning in the log;
// Guard.Check gives the same decision to other frameworks.
//
// # htmx
//
// One attribute sends the token with every htmx request of a page:
// <body hx-headers='{{csrfHXHeaders .Request}}'> (HXHeaders). An htmx
// request that is refused gets, from DefaultFailureHandler, a one-line
// 403 that htmx does not swap ("HX-Reswap: none") and an HX-Trigger
// firing HTMXFailureEvent with the reason, for the page to show.
package csrf
