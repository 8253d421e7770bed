package tieredstore

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// health tracks whether the cache is failing, to log failures without
// flooding the log and to say when the cache is back.
type health struct {
	down       atomic.Bool
	lastWarn   atomic.Int64 // Unix nanoseconds of the last warning; 0 for none
	suppressed atomic.Int64 // failures not logged since the last warning
}

// cacheDown logs a failed cache operation at Warn, unless another warning
// went out less than warnInterval ago; then it only counts it.
func (s *Store) cacheDown(ctx context.Context, op string, err error) {
	h := &s.health
	h.down.Store(true)
	now := time.Now().UnixNano()
	last := h.lastWarn.Load()
	if last != 0 && now-last < int64(warnInterval) || !h.lastWarn.CompareAndSwap(last, now) {
		h.suppressed.Add(1)
		return
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "tieredstore: cache failed; using the durable store alone",
		slog.String("op", op), slog.Any("error", err), slog.Int64("unlogged_failures", h.suppressed.Swap(0)))
}

// cacheUp notes a cache operation that worked, and logs at Info the first
// one after failures.
func (s *Store) cacheUp(ctx context.Context) {
	h := &s.health
	if h.down.Load() && h.down.CompareAndSwap(true, false) {
		s.log.LogAttrs(ctx, slog.LevelInfo, "tieredstore: cache answers again")
	}
}
