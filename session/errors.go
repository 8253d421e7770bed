package session

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
)

// ErrInterrupted reports that the session was deleted (by a logout or a key
// change in a concurrent request) while this request was running. The
// request's changes are dropped rather than bringing the session back;
// the default error handler answers 400, as Django does.
var ErrInterrupted = errors.New("session: the request's session was deleted before the request completed " +
	"(the user may have logged out in a concurrent request)")

// ErrTooManyConflicts reports that concurrent requests kept changing the
// session faster than this request could apply its own changes.
var ErrTooManyConflicts = errors.New("session: too many concurrent changes; giving up")

// ErrStaleRead reports that the request read a value, then Set (or
// Deleted) it, and a concurrent request changed that value before this
// one was saved. Replaying the Set on the fresh record would silently undo
// the other request's change, so nothing of this request is saved and the
// default error handler answers 409 Conflict: the client can repeat the
// request, which then reads the new value. Use Update (which recomputes
// on the fresh value) for read-modify-write and this never happens.
var ErrStaleRead = errors.New("session: a value this request read and then changed was changed by a concurrent request " +
	"(use session.Update for read-modify-write)")

// ErrCommitted reports a change made after the session was saved, that is
// after the response's headers were written. The change is not saved.
var ErrCommitted = errors.New("session: changed after the response headers were written")

// ErrReentrant reports a session method called from inside a function
// given to Update. Such a function must compute its result from its
// argument only.
var ErrReentrant = errors.New("session: used from inside an Update function")

// ErrHijackCookie reports a Hijack refused because the session needs a new
// cookie, which a hijacked connection cannot carry.
var ErrHijackCookie = errors.New("session: the session needs a new cookie, which a hijacked connection " +
	"cannot carry; save it in a normal response before upgrading")

// ErrNoMiddleware reports a Session used on a request that did not pass
// through Manager.Middleware.
var ErrNoMiddleware = errors.New("session: no session on this request (is the handler wrapped with Manager.Middleware?)")

// ErrorHandler answers a request whose session could not be loaded or
// saved. It is called before any of the handler's response has been sent.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// DefaultErrorHandler answers 400 for ErrInterrupted, 409 for ErrStaleRead
// (with Retry-After: 0, the request can be repeated as it is), 503 when
// the store is unreachable (ErrUnavailable, a network error, a deadline),
// and 500 otherwise, with a short plain-text body.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	code := StatusFor(err)
	if code == http.StatusConflict {
		w.Header().Set("Retry-After", "0")
	}
	http.Error(w, http.StatusText(code), code)
}

// StatusFor maps a session error to the HTTP status the default error
// handler answers with.
func StatusFor(err error) int {
	var netErr net.Error
	switch {
	case errors.Is(err, ErrInterrupted):
		return http.StatusBadRequest
	case errors.Is(err, ErrStaleRead):
		return http.StatusConflict
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// eventFor names a failed commit's event.
func eventFor(err error) string {
	switch {
	case errors.Is(err, ErrStaleRead):
		return EventStaleRead
	case errors.Is(err, ErrInterrupted):
		return EventInterrupted
	case errors.Is(err, ErrCommitted), errors.Is(err, ErrReentrant):
		return EventMisuse
	}
	return EventStoreError
}

func logLevelFor(err error) slog.Level {
	if errors.Is(err, ErrInterrupted) || errors.Is(err, ErrStaleRead) {
		return slog.LevelWarn
	}
	return slog.LevelError
}
