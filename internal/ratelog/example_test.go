package ratelog_test

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/tetherweb/tether/internal/ratelog"
)

func Example() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	l := &ratelog.Limiter{Logger: logger}
	ctx := context.Background()
	err := errors.New("connection refused")
	for range 1000 { // a thousand failures within the interval: one line
		l.Log(ctx, slog.LevelWarn, "cache down", "cache failed", slog.Any("error", err))
	}
	// The trouble ends: report what was not logged.
	logger.Info("cache answers again", slog.Int64("unlogged_failures", l.End("cache down")))
	// Output:
	// level=WARN msg="cache failed" error="connection refused"
	// level=INFO msg="cache answers again" unlogged_failures=999
}
