// Package neterr tells, for the network stores, whether an error means the
// service cannot be reached or the connection broke (answered 503 by the
// session Manager), as opposed to a refusal or a bug.
package neterr

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/tetherweb/tether/session"
)

// Unreachable reports whether err is a connection failure common to every
// network client: session.ErrUnavailable, a context deadline, any
// net.Error (refused, reset, I/O timeout), a connection closed or cut
// under a read or write. A cancelled context is not: the caller gave up,
// and the service may be fine. Stores add their clients' own errors.
func Unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var netErr net.Error
	switch {
	case errors.Is(err, session.ErrUnavailable),
		errors.Is(err, context.DeadlineExceeded),
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
