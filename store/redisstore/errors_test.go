package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
)

// replyError is an error reply from a Redis server, as go-redis gives it.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

var _ redis.Error = replyError("")

func TestWrap(t *testing.T) {
	bg := context.Background()
	cancelled, cancel := context.WithCancel(bg)
	cancel()
	expired, cancel2 := context.WithTimeout(bg, 0)
	defer cancel2()

	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	cases := []struct {
		name        string
		ctx         context.Context
		err         error
		unavailable bool
		is          error
	}{
		{"redis.Nil", bg, redis.Nil, false, session.ErrNotFound},
		{"refused", bg, dialErr, true, syscall.ECONNREFUSED},
		{"EOF", bg, io.EOF, true, io.EOF},
		{"unexpected EOF", bg, fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true, io.ErrUnexpectedEOF},
		{"reset", bg, syscall.ECONNRESET, true, syscall.ECONNRESET},
		{"pool timeout", bg, redis.ErrPoolTimeout, true, redis.ErrPoolTimeout},
		{"pool exhausted", bg, redis.ErrPoolExhausted, true, redis.ErrPoolExhausted},
		{"closed client", bg, redis.ErrClosed, true, redis.ErrClosed},
		{"no cluster nodes", bg, errors.New("redis: cluster has no nodes"), true, nil},
		{"ring down", bg, errors.New("redis: all ring shards are down"), true, nil},
		{"deadline", bg, context.DeadlineExceeded, true, context.DeadlineExceeded},
		{"deadline of ctx", expired, errors.New("i/o timeout"), true, context.DeadlineExceeded},
		{"cancelled", bg, context.Canceled, false, context.Canceled},
		{"cancelled ctx", cancelled, errors.New("redis: something"), false, context.Canceled},
		{"cancelled dial", cancelled, dialErr, false, context.Canceled},
		{"LOADING", bg, replyError("LOADING Redis is loading the dataset in memory"), true, nil},
		{"BUSY", bg, replyError("BUSY Redis is busy running a script."), true, nil},
		{"READONLY", bg, replyError("READONLY You can't write against a read only replica."), true, nil},
		{"MASTERDOWN", bg, replyError("MASTERDOWN Link with MASTER is down"), true, nil},
		{"CLUSTERDOWN", bg, replyError("CLUSTERDOWN The cluster is down"), true, nil},
		{"TRYAGAIN", bg, replyError("TRYAGAIN Multiple keys request during rehashing of slot"), true, nil},
		{"OOM", bg, replyError("OOM command not allowed when used memory > 'maxmemory'."), true, nil},
		{"max clients", bg, replyError("ERR max number of clients reached"), true, nil},
		{"script error", bg, replyError("ERR user_script:1: Script attempted to access nonexistent global variable"), false, nil},
		{"WRONGTYPE", bg, replyError("WRONGTYPE Operation against a key holding the wrong kind of value"), false, nil},
		{"reply mentioning refused", bg, replyError("ERR connection refused by policy"), false, nil},
	}
	for _, c := range cases {
		err := wrap(c.ctx, "load", c.err)
		if !strings.HasPrefix(err.Error(), "redisstore: load: ") {
			t.Errorf("%s: %q lacks the operation", c.name, err)
		}
		if got := errors.Is(err, session.ErrUnavailable); got != c.unavailable {
			t.Errorf("%s: %v: matches ErrUnavailable = %v, want %v", c.name, err, got, c.unavailable)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: %v does not match %v", c.name, err, c.is)
		}
		if got := session.StatusFor(err); c.unavailable && got != 503 {
			t.Errorf("%s: the Manager would answer %d, want 503", c.name, got)
		}
	}
	if wrap(bg, "load", nil) != nil {
		t.Error("wrap(nil) is not nil")
	}
}

func TestEscapeGlob(t *testing.T) {
	for in, want := range map[string]string{
		"tether:session:": "tether:session:",
		"a*b?c[d]e\\f":    `a\*b\?c\[d\]e\\f`,
		"":                "",
	} {
		if got := escapeGlob(in); got != want {
			t.Errorf("escapeGlob(%q) = %q, want %q", in, got, want)
		}
	}
}
