package postgres

import (
	"github.com/tetherweb/tether/store/dsn"
	"github.com/tetherweb/tether/store/sqlstore"
)

// init registers the DSN schemes "postgres" and "postgresql" (a pgx URL,
// plus "?table=NAME") with store/dsn.
func init() {
	dsn.Register("postgres", openDSN)
	dsn.Register("postgresql", openDSN)
}

func openDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	u, table, err := sqlstore.SplitTableParam(d)
	if err != nil {
		return nil, err
	}
	return sqlstore.OpenForDSN(table, func(opts ...sqlstore.Option) (*sqlstore.Store, error) {
		return Open(u.String(), opts...)
	})
}
