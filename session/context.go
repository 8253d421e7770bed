package session

import (
	"context"
	"net/http"
)

type contextKey struct{}

func newContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, contextKey{}, s)
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
