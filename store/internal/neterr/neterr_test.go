package neterr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/tetherweb/tether/session"
)

func TestUnreachable(t *testing.T) {
	_, dialErr := net.Dial("tcp", "127.0.0.1:1")
	for _, err := range []error{
		session.ErrUnavailable, context.DeadlineExceeded, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE, dialErr,
		fmt.Errorf("read: %w", io.EOF),
	} {
		if !Unreachable(err) {
			t.Errorf("Unreachable(%v) = false", err)
		}
	}
	for _, err := range []error{nil, context.Canceled, errors.New("syntax error"),
		fmt.Errorf("%w and %w", context.Canceled, context.DeadlineExceeded)} {
		if Unreachable(err) {
			t.Errorf("Unreachable(%v) = true", err)
		}
	}
}
