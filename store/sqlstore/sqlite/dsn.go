package sqlite

import (
	"errors"

	"github.com/tetherweb/tether/store/dsn"
	"github.com/tetherweb/tether/store/sqlstore"
)

// init registers the DSN scheme "sqlite" ("sqlite:PATH[?table=NAME]")
// with store/dsn.
func init() { dsn.Register("sqlite", openDSN) }

func openDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	path, query, err := dsn.SplitQuery(d)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, errors.New("dsn: sqlite: needs a path (sqlite:PATH)")
	}
	return sqlstore.OpenForDSN(query.Get("table"), func(opts ...sqlstore.Option) (*sqlstore.Store, error) {
		return Open(path, opts...)
	})
}
