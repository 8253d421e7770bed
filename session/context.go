package session

import (
	"context"
	"net/http"
)

type contextKey struct{}

// sessionContext is a request's context carrying its Session. The
// middleware allocates it inside its responseWriter, so giving the
// handler its session costs no allocation of its own; contexts derived
// from it (WithCancel, WithTimeout) still find the request's cancellation
// through the embedded context.
type sessionContext struct {
	context.Context
	s *Session
}

// Value returns the Session for the session's key, else the parent's value.
func (c *sessionContext) Value(k any) any {
	if k == (contextKey{}) {
		return c.s
	}
	return c.Context.Value(k)
}

// FromContext returns the session the middleware attached to ctx, or nil.
// The methods of a nil *Session return ErrNoMiddleware.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(contextKey{}).(*Session)
	return s
}

// From returns the request's session (FromContext of its context).
func From(r *http.Request) *Session {
	return FromContext(r.Context())
}
