package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLiteBusyTimeout is how long, in milliseconds, a connection opened by
// [OpenSQLite] waits for another process's write lock before it gives up
// with "database is locked" (which then matches session.ErrUnavailable).
const SQLiteBusyTimeout = 5000

// SQLiteMaxConns is the size of the connection pool of a database opened
// by [OpenSQLite] (see [Store.DB] to change it).
const SQLiteMaxConns = 8

// OpenSQLite opens (creating it if needed) the SQLite database file at
// path with the pure-Go modernc.org/sqlite driver and returns a store on
// it. The connections are set up for concurrent use: WAL journal mode
// (readers never wait for the writer), synchronous=NORMAL (durable at each
// WAL checkpoint, never corrupt), a busy timeout of [SQLiteBusyTimeout]
// for writers of other processes, BEGIN IMMEDIATE for transactions, and a
// pool of [SQLiteMaxConns] connections; the store also queues its own
// writes in-process. The store's Close closes the database.
//
// The path ":memory:" gives a private in-memory database, held on a single
// connection (every connection would otherwise see its own empty
// database). A path must not contain '?': to pass other DSN parameters,
// open the *sql.DB yourself and use [New].
func OpenSQLite(path string, opts ...Option) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlstore: open sqlite: invalid path %q", path)
	}
	memory := path == ":memory:"
	dsn := path + "?_pragma=busy_timeout(" + fmt.Sprint(SQLiteBusyTimeout) + ")&_txlock=immediate"
	if !memory {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	if memory {
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	} else {
		// A few connections, kept open (each opening runs the pragmas):
		// the store queues its writes anyway, and SQLite's WAL has 8 read
		// marks, beyond which readers of different snapshots back off
		// with sleeps. Callers wait for a connection with their context.
		db.SetMaxOpenConns(SQLiteMaxConns)
		db.SetMaxIdleConns(SQLiteMaxConns)
	}
	s, err := New(db, append([]Option{WithDialect(SQLite)}, opts...)...)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.ownDB = true
	return s, nil
}

// sqliteDialect is SQLite's dialect.
type sqliteDialect struct{}

func (sqliteDialect) placeholder(int) string { return "?" }

func (sqliteDialect) quote(ident string) string { return `"` + ident + `"` }

// index names an index of table t: SQLite qualifies the index, not its
// table.
func (d sqliteDialect) index(t table, name string) string {
	if s := t.schema(); s != "" {
		return d.quote(s) + "." + d.quote(name)
	}
	return d.quote(name)
}

func (d sqliteDialect) createTable(t table) []string {
	return []string{
		"CREATE TABLE IF NOT EXISTS " + t.qualified(d) + ` (
	id TEXT NOT NULL PRIMARY KEY,
	data BLOB NOT NULL,
	expiry INTEGER NOT NULL,
	version INTEGER NOT NULL
)`,
		"CREATE INDEX IF NOT EXISTS " + d.index(t, expiryIndexName(t.name(), 0)) + " ON " + d.quote(t.name()) + " (expiry)",
	}
}

// djangoTable is what Django's sessions.0001_initial migration runs on
// SQLite.
func (d sqliteDialect) djangoTable(t table) []string {
	return []string{
		"CREATE TABLE IF NOT EXISTS " + t.qualified(d) +
			` ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)`,
		"CREATE INDEX IF NOT EXISTS " + d.index(t, djangoIndexName(t.name(), "expire_date", "", 0)) +
			" ON " + d.quote(t.name()) + ` ("expire_date")`,
	}
}

// create inserts, or replaces an expired row in the same statement: the
// DO UPDATE's WHERE leaves a live row alone, and SQLite then reports no
// row changed.
func (d sqliteDialect) create(t table, c *columns) query {
	q := t.qualified(d)
	return compile(d, c.insertInto(q)+" ON CONFLICT ("+c.id+") DO UPDATE SET "+setExcluded(c, "excluded")+
		" WHERE "+q+"."+c.expiry+" <= ?",
		slices.Concat(c.insertParams, []param{paramNow})...)
}

func (d sqliteDialect) deleteExpired(t table, c *columns, limited bool) query {
	q := t.qualified(d)
	if !limited {
		return compile(d, "DELETE FROM "+q+" WHERE "+c.expiry+" <= ?", paramNow)
	}
	// DELETE … LIMIT needs a compile-time option; a subquery does not.
	// SQLite runs the statement alone, so nothing changes the rows
	// between the subquery and the delete.
	return compile(d, "DELETE FROM "+q+" WHERE "+c.id+" IN (SELECT "+c.id+" FROM "+q+" WHERE "+c.expiry+" <= ? LIMIT ?)",
		paramNow, paramLimit)
}

// byteOrder: SQLite's default BINARY collation compares bytes.
func (sqliteDialect) byteOrder(col string) string { return col }

// byteLength: length() counts characters of a text value.
func (sqliteDialect) byteLength(col string) string { return "length(CAST(" + col + " AS BLOB))" }

// djangoExpiryText reads expire_date as the text Django stored; the cast
// also keeps modernc.org/sqlite from turning a datetime column into a
// time.Time.
func (sqliteDialect) djangoExpiryText(col string) string { return "CAST(" + col + " AS TEXT)" }

// djangoText is Python's str(datetime) of a naive UTC datetime, Django's
// form on SQLite: the fraction only when there are microseconds. SQLite
// compares these texts lexically, which orders them in time.
func (sqliteDialect) djangoText(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format(time.DateTime)
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

func (d sqliteDialect) djangoTime(t time.Time) any { return d.djangoText(t) }

func (sqliteDialect) djangoVersion(data, expiryText string) string {
	return sqliteVersionFunc + "(" + data + ", " + expiryText + ")"
}

// sqliteVersionFunc is the SQL function, registered with modernc.org/sqlite
// by this package, that computes a Django row's version (SQLite has no
// SHA-256 of its own).
const sqliteVersionFunc = "tether_django_version"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(sqliteVersionFunc, 2,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return djangoVersionHex(sqliteText(args[0]), sqliteText(args[1])), nil
		})
}

// sqliteText is a function argument as text, as SQLite's || would see it.
func sqliteText(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// SQLite result codes (https://sqlite.org/rescode.html).
const (
	sqliteBusy           = 5
	sqliteLocked         = 6
	sqliteIOErr          = 10
	sqliteCantOpen       = 14
	sqliteProtocol       = 15
	sqliteConstraintPK   = 1555
	sqliteConstraintUniq = 2067
)

// sqliteCode returns the (extended) result code of a driver error: any
// error with a Code() int method, as modernc.org/sqlite's *sqlite.Error has.
func sqliteCode(err error) (int, bool) {
	var c interface{ Code() int }
	if errors.As(err, &c) {
		return c.Code(), true
	}
	return 0, false
}

func (sqliteDialect) isUniqueViolation(err error) bool {
	if code, ok := sqliteCode(err); ok {
		return code == sqliteConstraintPK || code == sqliteConstraintUniq
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func (sqliteDialect) isUnavailable(err error) bool {
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff {
		case sqliteBusy, sqliteLocked, sqliteIOErr, sqliteCantOpen, sqliteProtocol:
			return true
		}
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "database table is locked") ||
		strings.Contains(msg, "unable to open database file")
}

// isAlreadyExists: IF NOT EXISTS never fails in SQLite, whose DDL runs
// alone.
func (sqliteDialect) isAlreadyExists(error) bool { return false }

// isRetryable: a busy database is reported as unavailable instead; the
// busy timeout has already waited.
func (sqliteDialect) isRetryable(error) bool { return false }

func (sqliteDialect) serialWrites() bool { return true }

func (sqliteDialect) checkConn(context.Context, *sql.DB) error { return nil }

// checkDjangoExpiry: SQLite keeps expire_date as the text Django and the
// store write, whatever the declared type: nothing to check.
func (sqliteDialect) checkDjangoExpiry(context.Context, *sql.DB, table) error { return nil }
