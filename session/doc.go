// Package session keeps per-user state on the server: a key/value map that
// follows one browser across requests, identified by a random key in a
// cookie. It is Django's django.contrib.sessions made safe for concurrency.
//
// A [Manager] is configured once and wraps handlers with its Middleware.
// Handlers get the request's [*Session] with [From] and call Get, Set,
// Delete, Update, Flush, CycleKey and SetExpiry on it; the Manager commits
// the changes before the response headers are written, so handlers never
// call Save.
//
// Records live in a [Store] (see the store/ packages). Changes are applied
// with a versioned compare-and-swap: a session records the operations a
// request made and, when the stored record changed meanwhile, they are
// replayed on the fresh state, so concurrent requests of one user never
// lose each other's writes.
package session
