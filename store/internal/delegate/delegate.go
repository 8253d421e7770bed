// Package delegate holds the session.Lister and session.Counter methods of
// the stores that pass them on to the durable store they wrap
// (store/tieredstore, store/djangocache): the same answer, and
// errors.ErrUnsupported when the durable store cannot list or count.
package delegate

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetherweb/tether/session"
)

// List returns durable's List(ctx, after, limit). Errors start with pkg
// and "list"; a durable store that is no session.Lister gives one matching
// errors.ErrUnsupported.
func List(ctx context.Context, pkg string, durable session.Store, after string, limit int) ([]session.Entry, error) {
	l, ok := durable.(session.Lister)
	if !ok {
		return nil, fmt.Errorf("%s: list: the durable store does not implement session.Lister: %w", pkg, errors.ErrUnsupported)
	}
	entries, err := l.List(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: list: %w", pkg, err)
	}
	return entries, nil
}

// Count returns durable's Count(ctx). Errors start with pkg and "count"; a
// durable store that is no session.Counter gives one matching
// errors.ErrUnsupported.
func Count(ctx context.Context, pkg string, durable session.Store) (int, error) {
	c, ok := durable.(session.Counter)
	if !ok {
		return 0, fmt.Errorf("%s: count: the durable store does not implement session.Counter: %w", pkg, errors.ErrUnsupported)
	}
	n, err := c.Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s: count: %w", pkg, err)
	}
	return n, nil
}
