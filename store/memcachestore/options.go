package memcachestore

import (
	"fmt"
	"time"
)

// DefaultPrefix starts the name of every item the store writes unless
// WithPrefix says otherwise.
const DefaultPrefix = "tether:"

// DefaultCASHints is the number of CAS hints a Store keeps unless
// WithCASHints says otherwise (see the package documentation).
const DefaultCASHints = 4096

// MaxPrefixLength is the longest prefix memcached's 250-byte key limit
// leaves room for, next to the 64 hex digits of the hashed session key.
const MaxPrefixLength = 250 - 64

// Option configures a Store made by New.
type Option func(*config)

type config struct {
	prefix   string
	casHints int
	now      func() time.Time
}

func defaultConfig() config {
	return config{prefix: DefaultPrefix, casHints: DefaultCASHints, now: time.Now}
}

// WithPrefix sets the text that starts every item name (default
// DefaultPrefix), to keep several applications, or tests, apart on one
// server. It may be empty; it must be at most MaxPrefixLength bytes and
// contain no spaces or control characters, or New panics.
func WithPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithCASHints sets how many CAS hints the store keeps: the CAS unique
// seen by a recent Load, which lets the Update that follows it take one
// round trip instead of two. Each hint takes about 150 bytes while it is
// held; n <= 0 keeps none, so every Update reads the item first.
func WithCASHints(n int) Option {
	return func(c *config) { c.casHints = n }
}

// checkPrefix reports why prefix cannot start a memcached key, if it
// cannot.
func checkPrefix(prefix string) error {
	if len(prefix) > MaxPrefixLength {
		return fmt.Errorf("memcachestore: prefix of %d bytes, want at most %d", len(prefix), MaxPrefixLength)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c <= ' ' || c == 0x7f {
			return fmt.Errorf("memcachestore: prefix %q: spaces and control characters are not allowed in memcached keys", prefix)
		}
	}
	return nil
}
