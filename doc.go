// Package tether is the state layer Django is loved for, for Go's
// net/http: sessions with real storage backends, one-shot flash messages,
// signed and encrypted cookies, CSRF protection and security headers, as
// plain middleware. This package holds no code; the parts live in their
// own packages, so an application links only what it uses:
//
//   - [github.com/tetherweb/tether/signing], [github.com/tetherweb/tether/cookie],
//     [github.com/tetherweb/tether/proxy]: signed and sealed values, cookies
//     with safe defaults, and the one trusted-proxy setting.
//   - [github.com/tetherweb/tether/session]: the Manager (middleware) and
//     the Session (per request), over a store from store/...: memstore,
//     filestore, sqlstore/{sqlite,postgres,mysql}, redisstore,
//     memcachestore, tieredstore, cookiestore, djangocache; store/dsn opens
//     one from a DSN.
//   - [github.com/tetherweb/tether/messages]: flash messages.
//   - [github.com/tetherweb/tether/csrf] and [github.com/tetherweb/tether/secure]:
//     the guards; [github.com/tetherweb/tether/deploy]: Django's check --deploy.
//   - integrations/{templ,echo,gin,otel} and djangoauth: the faces for
//     other tools and for a Django app sharing the login.
//
// docs/architecture.md in the repository draws the layers, the allowed
// imports and the path of one request.
package tether
