package dsn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tetherweb/tether/store/tieredstore"
)

// durableSchemes are the schemes that may follow the "+" of a tiered DSN.
var durableSchemes = []string{"sqlite:", "postgres://", "postgresql://", "mysql://", "file:", "memory:"}

// openTiered opens tiered:CACHE+DURABLE, a cache store in front of a
// durable one, e.g. tiered:redis://127.0.0.1:6379/0+postgres://….
func openTiered(dsn string, o Options) (*Store, error) {
	rest := strings.TrimPrefix(dsn, "tiered:")
	cut := -1
	for i := 0; i < len(rest); i++ {
		if rest[i] != '+' {
			continue
		}
		for _, s := range durableSchemes {
			if strings.HasPrefix(rest[i+1:], s) {
				cut = i
				break
			}
		}
		if cut >= 0 {
			break
		}
	}
	if cut < 0 {
		return nil, errors.New("dsn: tiered: want tiered:CACHE_DSN+DATABASE_DSN")
	}
	cache, err := OpenWith(rest[:cut], o)
	if err != nil {
		return nil, fmt.Errorf("dsn: tiered cache: %w", err)
	}
	durable, err := OpenWith(rest[cut+1:], o)
	if err != nil {
		cache.Close()
		return nil, fmt.Errorf("dsn: tiered database: %w", err)
	}
	s := tieredstore.New(cache.Store, durable.Store, tieredstore.WithLogger(o.Logger))
	return &Store{Store: s, Django: durable.Django, close: func() error {
		return errors.Join(cache.Close(), durable.Close())
	}}, nil
}
