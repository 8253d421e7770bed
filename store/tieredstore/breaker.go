package tieredstore

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// classCacheDown is the ratelog class of cache failures.
const classCacheDown = "cache down"

// breaker decides whether an operation tries the cache. It is closed (every
// operation tries it) until BreakerFailures cache calls in a row failed;
// then it opens: operations bypass the cache until a back-off has passed,
// after which one operation (the probe) tries it while the others still
// bypass it. A probe whose cache calls work closes the breaker; one that
// fails opens it again for twice the back-off, up to MaxBreakerBackoff.
type breaker struct {
	threshold  int           // failures in a row that open it; 0: never opens
	minBackoff time.Duration // the first back-off

	open     atomic.Bool  // fast path: false while closed
	failures atomic.Int64 // cache calls failed in a row

	mu      sync.Mutex
	until   time.Time     // while open: when the next probe may go
	backoff time.Duration // while open: the current back-off
	probing bool          // a probe is out
}

// pass is what allow decided for one operation.
type pass int

const (
	passCache  pass = iota // the breaker is closed: use the cache
	passProbe              // use the cache, as the probe
	passBypass             // do not touch the cache
)

// allow decides whether an operation starting at now uses the cache.
func (b *breaker) allow(now time.Time) pass {
	if !b.open.Load() {
		return passCache
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.open.Load():
		return passCache
	case b.probing || now.Before(b.until):
		return passBypass
	}
	b.probing = true
	return passProbe
}

// failed notes a failed cache call at now, which may open the breaker
// (from closed, or again after a failed probe).
func (b *breaker) failed(now time.Time) {
	if b.threshold <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.probing:
		b.probing = false
		b.backoff = min(2*b.backoff, MaxBreakerBackoff)
	case b.open.Load():
		return // a call that started before the breaker opened
	default:
		if b.failures.Add(1) < int64(b.threshold) {
			return
		}
		b.backoff = b.minBackoff
	}
	b.until = now.Add(b.backoff)
	b.open.Store(true)
}

// succeeded notes a cache call that worked: it closes the breaker if that
// call was the probe's.
func (b *breaker) succeeded() {
	if !b.open.Load() {
		if b.failures.Load() != 0 {
			b.failures.Store(0)
		}
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open.Load() || !b.probing {
		// A call that started before the breaker opened came back: not
		// the probe, not proof enough.
		return
	}
	b.probing = false
	b.failures.Store(0)
	b.open.Store(false)
}

// done ends a probe that neither failed nor succeeded (it stopped on its
// context before any cache call came back): the next operation probes.
func (b *breaker) done(p pass) {
	if p != passProbe {
		return
	}
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// use decides whether an operation uses the cache (see breaker); the
// caller must call s.breaker.done with the pass when the operation ends.
// A bypassed operation that may change the durable record distrusts the
// cache (see bypassWrite).
func (s *Store) use() pass {
	return s.breaker.allow(s.now())
}

// bypassWrite is what a write that did not touch the cache leaves behind:
// every entry as of now (plus ClockSkewMargin) may be stale, so none is
// served until it is refilled, whenever the cache comes back.
func (s *Store) bypassWrite() {
	s.distrustUntil(s.now().Add(ClockSkewMargin))
}

// cacheDown notes a failed cache operation and logs it at Warn, at most
// once per ratelog.DefaultInterval (the first failure of an outage at
// once, later lines with the count of failures not logged). While the
// breaker is open, the line says for how long the cache is bypassed.
func (s *Store) cacheDown(ctx context.Context, op string, err error) {
	now := s.now()
	if s.down.CompareAndSwap(false, true) {
		s.downSince.Store(now.UnixNano())
	}
	s.breaker.failed(now)
	attrs := []slog.Attr{slog.String("op", op), slog.Any("error", err)}
	if s.breaker.open.Load() {
		s.breaker.mu.Lock()
		retry := s.breaker.until.Sub(now)
		s.breaker.mu.Unlock()
		attrs = append(attrs, slog.Bool("bypassed", true), slog.Duration("retry_in", retry))
	}
	s.lim.Log(ctx, slog.LevelWarn, classCacheDown, "tieredstore: cache failed; using the durable store alone", attrs...)
}

// cacheUp notes a cache operation that worked. The first one that finds
// the breaker closed after failures logs at Info that the cache answers
// again, with the number of failures not logged.
func (s *Store) cacheUp(ctx context.Context) {
	s.breaker.succeeded()
	if s.breaker.open.Load() {
		return // a late answer to a call made before the breaker opened
	}
	if s.down.Load() && s.down.CompareAndSwap(true, false) {
		s.log.LogAttrs(ctx, slog.LevelInfo, "tieredstore: cache answers again",
			slog.Int64("unlogged_failures", s.lim.End(classCacheDown)),
			slog.Duration("down_for", s.now().Sub(time.Unix(0, s.downSince.Load()))))
	}
}
