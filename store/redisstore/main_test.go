package redisstore

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// quietLogger drops go-redis's own log lines ("failed to dial"), which the
// fault tests cause on purpose; the tests check the errors themselves.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	// Fails the tests when a goroutine they started still runs after them.
	goleak.VerifyTestMain(m)
}
