// Package deploy is tether's counterpart of Django's "manage.py check
// --deploy": it reads how an application is configured, or what a live
// site sends, and returns the weaknesses it finds as Warnings.
//
// Check inspects a Deployment (the secure.Options of the Guard in front of
// the application, the proxy setting, the session Manager, the
// csrf.Options, the secret keys) and returns the Warnings Django's "check
// --deploy" would give, with Django's IDs ("security.W004") where Django
// has the check and "tether.Wnnn" for tether's own:
//
//	for _, w := range deploy.Check(deploy.Deployment{Secure: &secureOpts, Proxy: p, Session: m, CSRF: &csrfOpts, SecretKey: key}) {
//		log.Print(w)
//	}
//
// CheckSite runs the same checks on what a live site actually sends (its
// redirect to HTTPS, its security headers, its cookies); "tether check
// --deploy URL" is built on it. CheckSecretKey applies Django's test of a
// secret key alone.
//
// The package only reads: it changes no setting, and an empty result does
// not prove a deployment safe. The middleware itself is package secure,
// which does not import this one.
package deploy
