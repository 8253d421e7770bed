package messages

import "errors"

var (
	// ErrNoMiddleware reports messages used on a request that did not pass
	// through a Manager's Middleware.
	ErrNoMiddleware = errors.New("messages: no message storage on this request (is the handler wrapped with messages.Middleware?)")

	// ErrNoSession reports a storage that needs the session (SessionStorage,
	// FallbackStorage) on a request without one: the session middleware is
	// missing or comes after the messages middleware. Wrap them as
	// sessions.Middleware(msgs.Middleware(handler)).
	ErrNoSession = errors.New("messages: the storage needs a session, but the request has none " +
		"(wrap the messages middleware inside the session middleware: sessions.Middleware(msgs.Middleware(handler)))")

	// ErrCommitted reports a message added after the response's headers were
	// written, when the messages had already been stored. It is not stored.
	ErrCommitted = errors.New("messages: added after the response headers were written")
)

// EventCookieRejected is the value of the "event" attribute on the log
// line of a tampered or undecodable messages cookie (stable).
const EventCookieRejected = "messages.cookie_rejected"
