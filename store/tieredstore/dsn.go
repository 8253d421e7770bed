package tieredstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tetherweb/tether/store/dsn"
)

// init registers the DSN scheme "tiered" ("tiered:CACHE+DATABASE", e.g.
// tiered:redis://127.0.0.1:6379/0+postgres://…) with store/dsn. Both
// parts are opened through store/dsn, so their store packages must be
// imported too.
func init() { dsn.Register("tiered", openDSN) }

// openDSN splits at the first '+' followed by a registered scheme and
// its ':'.
func openDSN(d string, o dsn.Options) (*dsn.Opened, error) {
	rest := strings.TrimPrefix(d, "tiered:")
	cut := -1
	for i := 0; i < len(rest) && cut < 0; i++ {
		if rest[i] != '+' {
			continue
		}
		if scheme, _, ok := strings.Cut(rest[i+1:], ":"); ok && scheme != "tiered" && dsn.Registered(scheme) {
			cut = i
		}
	}
	if cut < 0 {
		return nil, errors.New("dsn: tiered: want tiered:CACHE_DSN+DATABASE_DSN")
	}
	cache, err := dsn.Open(rest[:cut], o)
	if err != nil {
		return nil, fmt.Errorf("dsn: tiered cache: %w", err)
	}
	durable, err := dsn.Open(rest[cut+1:], o)
	if err != nil {
		cache.Close()
		return nil, fmt.Errorf("dsn: tiered database: %w", err)
	}
	if cache.Store == nil || durable.Store == nil {
		cache.Close()
		durable.Close()
		return nil, errors.New("dsn: tiered: both parts must be server-side stores (not cookie:)")
	}
	s := New(cache.Store, durable.Store, WithLogger(o.Logger))
	return &dsn.Opened{Store: s, Django: durable.Django, Release: func() error {
		return errors.Join(cache.Close(), durable.Close())
	}}, nil
}
