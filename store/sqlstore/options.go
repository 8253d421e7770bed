package sqlstore

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DefaultTable is the name of the table the store uses unless told
// otherwise with [WithTable].
const DefaultTable = "tether_sessions"

// Option configures a [Store] (see [New] and the driver packages' Open).
type Option func(*config)

type config struct {
	table       string
	hashKeys    bool
	autoMigrate bool
	now         func() time.Time
	dialect     Dialect
	django      bool
	closeDB     bool

	// Whether Table, HashKeys and AutoMigrate were given, for the
	// defaults of Django mode.
	tableSet, hashKeysSet, autoMigrateSet bool
}

func defaultConfig() config {
	return config{
		table:       DefaultTable,
		hashKeys:    true,
		autoMigrate: true,
		now:         time.Now,
	}
}

// WithTable sets the table's name (default "tether_sessions", or
// "django_session" with [WithDjangoTable]). It is an SQL identifier of
// letters, digits and underscores, optionally qualified by a schema
// ("sessions.tether_sessions"; a database on MySQL, an attached database
// on SQLite); anything else makes New fail. Each part is at most 60
// characters. The expiry index is named after the table,
// "<table>_expiry_idx"; when that exceeds the database's limit on
// identifiers (64 characters on MySQL, 63 on PostgreSQL), it is the
// table name shortened, 8 hex digits of a hash of the whole name and
// "_expiry_idx", so that it fits and tables sharing a long prefix get
// indexes of their own.
func WithTable(name string) Option {
	return func(c *config) { c.table, c.tableSet = name, true }
}

// WithHashKeys chooses what the id column holds: session.HashKey(key) when on
// (the default), so that a leaked table does not leak live sessions, or the
// session key itself when off. Switching it on an existing table makes
// every stored session unreachable. Django's table holds raw keys:
// with [WithDjangoTable], WithHashKeys(true) makes New fail.
func WithHashKeys(on bool) Option {
	return func(c *config) { c.hashKeys, c.hashKeysSet = on, true }
}

// WithAutoMigrate chooses whether the store creates its table and index on
// first use (the default, except with [WithDjangoTable], whose table Django's
// migrations make). Turn it off when the schema is managed elsewhere, or
// the database user may not run DDL; [Store.Migrate] still works.
func WithAutoMigrate(on bool) Option {
	return func(c *config) { c.autoMigrate, c.autoMigrateSet = on, true }
}

// WithClock sets the function that tells the current time when the store
// decides whether a record has expired (default time.Now). It is meant for
// tests. Versions do not use it (see the package documentation).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithDialect sets the SQL dialect instead of detecting it from the
// driver of the *sql.DB given to [New]. Use it with a driver the detection
// does not know, for example a wrapper that instruments another driver.
func WithDialect(d Dialect) Option {
	return func(c *config) { c.dialect = d }
}

// WithCloseDB chooses whether the store's Close also closes the *sql.DB
// given to [New] (default off: the database stays open for its other
// users). The Open functions of the driver packages set it, since the
// database they open is the store's alone.
func WithCloseDB(on bool) Option {
	return func(c *config) { c.closeDB = on }
}

// MaxConns is the size of the connection pool of a database opened by
// postgres.Open or mysql.Open (packages store/sqlstore/postgres and
// store/sqlstore/mysql): a burst of requests waits for a connection (with
// its context) instead of exhausting the server's connection limit (100
// on PostgreSQL, 151 on MySQL by default). Idle connections are kept for
// [MaxIdleTime].
const MaxConns = 25

// MaxIdleTime is how long postgres.Open and mysql.Open keep an idle
// connection.
const MaxIdleTime = 5 * time.Minute

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// splitTable checks a table name and returns its parts: [table] or
// [schema, table].
func splitTable(name string) ([]string, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return nil, fmt.Errorf("sqlstore: table name %q: at most one schema qualifier", name)
	}
	for _, p := range parts {
		if !identRE.MatchString(p) || len(p) > 60 {
			return nil, fmt.Errorf("sqlstore: table name %q: want identifiers of letters, digits and underscores", name)
		}
	}
	return parts, nil
}
