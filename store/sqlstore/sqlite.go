package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
)

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
	return SQLiteVersionFunction + "(" + data + ", " + expiryText + ")"
}

// SQLiteVersionFunction is the SQL function that computes a row's version
// in Django mode on SQLite ([DjangoRowVersion] of its two arguments as
// text): SQLite has no SHA-256 of its own, so the store calls this
// function, which store/sqlstore/sqlite registers with modernc.org/sqlite.
// A *sql.DB on another SQLite driver needs it registered under this name
// for Django mode.
const SQLiteVersionFunction = "tether_django_version"

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
