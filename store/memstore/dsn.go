package memstore

import "github.com/tetherweb/tether/store/dsn"

// init registers the DSN scheme "memory" ("memory:") with store/dsn.
func init() { dsn.Register("memory", openDSN) }

// openDSN opens memory: (any query parameters are ignored, but must parse).
func openDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	if _, _, err := dsn.SplitQuery(d); err != nil {
		return nil, err
	}
	s := New()
	return &dsn.Opened{Store: s, Release: s.Close}, nil
}
