package tieredstore

import (
	"log/slog"
	"time"
)

// DefaultMaxCacheAge is how long a cache entry lives at most unless
// WithMaxCacheAge says otherwise. It bounds how long an entry made stale
// outside this process's view (see the package documentation) can be read.
const DefaultMaxCacheAge = 10 * time.Minute

// leaseTTL is how long a fill lease lives in the cache: longer than a
// durable Load takes, short enough that a reader that never fills does not
// keep others from filling for long.
const leaseTTL = 5 * time.Second

// ClockSkewMargin is how far ahead of this process's clock another
// process's clock may run without defeating the distrust that follows a
// failed invalidation (see the package documentation): entries are
// distrusted when their asOf, taken from the clock of the process that
// filled them, is before the failure plus ClockSkewMargin. The price is
// that for ClockSkewMargin after a failure, entries filled meanwhile are
// not served either: Loads read the durable store.
const ClockSkewMargin = 2 * time.Second

// Option configures a Store made by New.
type Option func(*config)

type config struct {
	logger          *slog.Logger
	maxAge          time.Duration
	breakerFailures int
	breakerBackoff  time.Duration
}

// WithLogger sets the logger that receives cache failures (at Warn) and
// recoveries (at Info). The default is slog.Default() at the time of New.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithMaxCacheAge sets how long an entry lives in the cache at most
// (default DefaultMaxCacheAge); d <= 0 lets entries live until their
// record's expiry.
func WithMaxCacheAge(d time.Duration) Option {
	return func(c *config) { c.maxAge = d }
}

// DefaultBreakerFailures is how many cache calls in a row must fail before
// the Store bypasses the cache, unless WithBreaker says otherwise.
const DefaultBreakerFailures = 5

// DefaultBreakerBackoff is how long the Store bypasses the cache after
// DefaultBreakerFailures failures before it lets one operation try it
// again, unless WithBreaker says otherwise. Each failed try doubles it, up
// to MaxBreakerBackoff.
const DefaultBreakerBackoff = time.Second

// MaxBreakerBackoff is the longest the Store bypasses the cache before it
// tries it again.
const MaxBreakerBackoff = 30 * time.Second

// WithBreaker sets how many cache calls in a row must fail before the
// Store bypasses the cache (default DefaultBreakerFailures; failures <= 0
// never bypasses it, so every operation keeps trying the cache), and for
// how long at first (default DefaultBreakerBackoff, at least 1 ms, at most
// MaxBreakerBackoff). See the package documentation.
func WithBreaker(failures int, backoff time.Duration) Option {
	return func(c *config) { c.breakerFailures, c.breakerBackoff = failures, backoff }
}
