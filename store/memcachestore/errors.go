package memcachestore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/internal/neterr"
)

// Errors of the hot paths, made once so that a miss does not allocate.
var (
	errLoadNotFound   = fmt.Errorf("memcachestore: load: %w", session.ErrNotFound)
	errCreateExists   = fmt.Errorf("memcachestore: create: %w", session.ErrExists)
	errUpdateNotFound = fmt.Errorf("memcachestore: update: %w", session.ErrNotFound)
	errUpdateConflict = fmt.Errorf("memcachestore: update: %w", session.ErrConflict)
)

// ErrTooLarge is matched by the error of a write whose value memcached
// refused as larger than its item size (memcached -I).
var ErrTooLarge = errors.New("memcachestore: record too large for the server's item size (memcached -I)")

// ErrCASDisabled is matched by the error of an operation that read an item
// without a CAS unique (0): the server runs with CAS disabled (memcached
// -C), refuses every "cas", and the store cannot compare-and-swap. It is a
// configuration error, neither a conflict nor an outage.
var ErrCASDisabled = errors.New("memcachestore: the server sent CAS unique 0: CAS is disabled (memcached -C), and the store needs it; run memcached without -C")

// errLoadCASDisabled and the like are ErrCASDisabled for each operation.
var (
	errLoadCASDisabled   = fmt.Errorf("memcachestore: load: %w", ErrCASDisabled)
	errCreateCASDisabled = fmt.Errorf("memcachestore: create: %w", ErrCASDisabled)
	errUpdateCASDisabled = fmt.Errorf("memcachestore: update: %w", ErrCASDisabled)
)

// wrap gives err the operation's name; failures to reach the server also
// match session.ErrUnavailable, and a value the server found too large
// matches ErrTooLarge.
func wrap(op string, err error) error {
	switch {
	case unavailable(err):
		return fmt.Errorf("memcachestore: %s: %w: %w", op, session.ErrUnavailable, err)
	case strings.Contains(err.Error(), "SERVER_ERROR object too large"):
		return fmt.Errorf("memcachestore: %s: %w: %w", op, ErrTooLarge, err)
	}
	return fmt.Errorf("memcachestore: %s: %w", op, err)
}

// ctxErr returns ctx's error, wrapped with op, once ctx is done. A
// deadline also matches session.ErrUnavailable, as a server that does not
// answer in time does; a cancelled context matches context.Canceled only
// (the caller gave up, the server may be fine).
func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("memcachestore: %s: %w: %w", op, session.ErrUnavailable, err)
		}
		return fmt.Errorf("memcachestore: %s: %w", op, err)
	}
	return nil
}

// unavailable reports whether err means that the server cannot be reached
// or the connection to it broke: no servers configured, a connect timeout,
// any network error (refused, reset, I/O timeout), the connection closed
// under a read, or a context deadline. A cancelled context is not.
func unavailable(err error) bool {
	var connectErr *memcache.ConnectTimeoutError
	return neterr.Unreachable(err) ||
		!errors.Is(err, context.Canceled) && (errors.Is(err, memcache.ErrNoServers) || errors.As(err, &connectErr))
}
