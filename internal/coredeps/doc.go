// Package coredeps holds a test, and nothing else: that tether's core
// packages (signing, cookie, proxy, session, messages, csrf, secure)
// depend on the standard library and golang.org/x/crypto only, so that
// the integrations (templ, chi, echo, gin) stay out of an application
// that does not import them.
package coredeps
