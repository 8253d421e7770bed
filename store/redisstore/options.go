package redisstore

import "time"

// DefaultPrefix starts the Redis key of every session unless Prefix sets
// another.
const DefaultPrefix = "tether:session:"

// Option configures a Store made by New.
type Option func(*config)

type config struct {
	prefix   string
	hashKeys bool
	now      func() time.Time
}

func defaultConfig() config {
	return config{prefix: DefaultPrefix, hashKeys: true, now: time.Now}
}

// WithPrefix sets the start of every session's Redis key (default
// DefaultPrefix). Give each application sharing a Redis database its own
// prefix: listing and counting take every key under it for a session. On a
// Cluster the prefix must not contain a hash tag ("{...}"), which would put
// every session in the same slot.
func WithPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithHashKeys chooses what follows the prefix in a session's Redis key:
// session.HashKey(key) when on (the default), so that a dump of Redis (an
// RDB file, a MONITOR or SCAN by someone with read access) does not show
// keys that could be presented as session cookies, or the session key
// itself when off. Switching it on an existing deployment makes every
// stored session unreachable (they expire by themselves).
func WithHashKeys(on bool) Option {
	return func(c *config) { c.hashKeys = on }
}

// WithClock sets the function that tells the current time (default time.Now).
// The store uses it to decide whether a record is dead when loading,
// listing or counting it, and whether a record given to Create or Update
// has already expired. It is meant for tests: Redis expires keys by its
// own clock, and versions come from the server's clock (see the package
// documentation).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}
