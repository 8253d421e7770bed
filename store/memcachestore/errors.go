package memcachestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
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

// ctxErr returns ctx's error, wrapped with op, once ctx is done.
func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memcachestore: %s: %w", op, err)
	}
	return nil
}

// unavailable reports whether err means that the server cannot be reached
// or the connection to it broke: no servers configured, a connect timeout,
// any network error (refused, reset, I/O timeout), or the connection
// closed under a read.
func unavailable(err error) bool {
	var (
		netErr     net.Error
		connectErr *memcache.ConnectTimeoutError
	)
	switch {
	case errors.Is(err, memcache.ErrNoServers),
		errors.As(err, &connectErr),
		errors.As(err, &netErr),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return true
	}
	return false
}
