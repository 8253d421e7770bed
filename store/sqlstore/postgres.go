package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pgMaxIdent is the longest identifier PostgreSQL keeps (NAMEDATALEN-1);
// it truncates longer ones.
const pgMaxIdent = 63

// postgresDialect is PostgreSQL's dialect.
type postgresDialect struct{}

func (postgresDialect) placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (postgresDialect) quote(ident string) string { return `"` + ident + `"` }

// createTable: the id column sorts in byte order (COLLATE "C"), so that
// List's ORDER BY and paging use the primary key's index.
func (d postgresDialect) createTable(t table) []string {
	return []string{
		"CREATE TABLE IF NOT EXISTS " + t.qualified(d) + ` (
	id text COLLATE "C" NOT NULL PRIMARY KEY,
	data bytea NOT NULL,
	expiry bigint NOT NULL,
	version bigint NOT NULL
)`,
		"CREATE INDEX IF NOT EXISTS " + d.quote(expiryIndexName(t.name(), pgMaxIdent)) + " ON " + t.qualified(d) + " (expiry)",
	}
}

// djangoTable is what Django's sessions.0001_initial migration runs on
// PostgreSQL, including its varchar_pattern_ops index for LIKE queries.
func (d postgresDialect) djangoTable(t table) []string {
	q := t.qualified(d)
	return []string{
		"CREATE TABLE IF NOT EXISTS " + q +
			` ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL)`,
		"CREATE INDEX IF NOT EXISTS " + d.quote(djangoIndexName(t.name(), "expire_date", "", pgMaxIdent)) + " ON " + q + ` ("expire_date")`,
		"CREATE INDEX IF NOT EXISTS " + d.quote(djangoIndexName(t.name(), "session_key", "_like", pgMaxIdent)) + " ON " + q + ` ("session_key" varchar_pattern_ops)`,
	}
}

// create is INSERT … ON CONFLICT … DO UPDATE … WHERE: one atomic
// statement that inserts, replaces an expired row, or (WHERE false)
// changes nothing and reports no row. Concurrent creates of one key wait
// for each other instead of failing with a unique violation.
func (d postgresDialect) create(t table, c *columns) query {
	return compile(d, strings.Replace(c.insertInto(t.qualified(d)), " (", " AS t (", 1)+
		" ON CONFLICT ("+c.id+") DO UPDATE SET "+setExcluded(c, "EXCLUDED")+" WHERE t."+c.expiry+" <= ?",
		slices.Concat(c.insertParams, []param{paramNow})...)
}

// deleteExpired: PostgreSQL has no DELETE … LIMIT. The outer condition on
// the expiry is checked again on the row as it is when deleted, so a row
// that a concurrent Create replaced with a live one after the subquery
// saw it expired stays.
func (d postgresDialect) deleteExpired(t table, c *columns, limited bool) query {
	q := t.qualified(d)
	if !limited {
		return compile(d, "DELETE FROM "+q+" WHERE "+c.expiry+" <= ?", paramNow)
	}
	return compile(d, "DELETE FROM "+q+" WHERE "+c.expiry+" <= ? AND "+c.id+" IN (SELECT "+c.id+" FROM "+q+
		" WHERE "+c.expiry+" <= ? ORDER BY "+c.expiry+" LIMIT ?)",
		paramNow, paramNow, paramLimit)
}

// byteOrder: COLLATE "C" compares bytes, whatever the database's
// collation (tether's own id column is declared with it).
func (postgresDialect) byteOrder(col string) string { return col + ` COLLATE "C"` }

func (postgresDialect) byteLength(col string) string { return "octet_length(" + col + ")" }

// djangoExpiryText renders a timestamptz in UTC whatever the session's
// time zone.
func (postgresDialect) djangoExpiryText(col string) string {
	return "to_char(" + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`
}

func (postgresDialect) djangoText(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}

// djangoTime: pgx sends a time.Time as a timestamptz instant.
func (postgresDialect) djangoTime(t time.Time) any { return t.UTC() }

func (postgresDialect) djangoVersion(data, expiryText string) string {
	return "substr(encode(sha256(convert_to(" + data + " || " + expiryText + ", 'UTF8')), 'hex'), 1, 16)"
}

// pgCode returns the SQLSTATE of a server error: what the registered
// driver reads (pgconn.PgError's code), or that of any error with an
// SQLState method.
func pgCode(err error) string {
	if code, ok := driverErrorCode(Postgres, err); ok {
		return code
	}
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		return s.SQLState()
	}
	return ""
}

// PostgreSQL error codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgUniqueViolation      = "23505"
	pgDuplicateTable       = "42P07"
	pgDuplicateObject      = "42710"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

func (postgresDialect) isUniqueViolation(err error) bool {
	return pgCode(err) == pgUniqueViolation
}

// isAlreadyExists: two CREATE … IF NOT EXISTS racing each other can fail
// with a unique violation on the catalog, or duplicate_table.
func (postgresDialect) isAlreadyExists(err error) bool {
	switch pgCode(err) {
	case pgUniqueViolation, pgDuplicateTable, pgDuplicateObject:
		return true
	}
	return false
}

// isUnavailable: what the registered driver counts as such (pgx: a
// failed connection attempt, a connection closed under the store, a
// network timeout), and the server's "connection exception" (08),
// "insufficient resources" (53: too many connections, disk full) and
// shutdown (57P01-57P03) codes.
func (postgresDialect) isUnavailable(err error) bool {
	if driverUnavailable(Postgres, err) {
		return true
	}
	code := pgCode(err)
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
		return true
	case code == "57P01", code == "57P02", code == "57P03":
		return true
	}
	return false
}

func (postgresDialect) isRetryable(err error) bool {
	switch pgCode(err) {
	case pgDeadlockDetected, pgSerializationFailure:
		return true
	}
	return false
}

func (postgresDialect) serialWrites() bool { return false }

func (postgresDialect) checkConn(context.Context, *sql.DB) error { return nil }

// checkDjangoExpiry: the column must be a timestamp with time zone of
// microsecond precision (timestamptz, as Django's migration makes it):
// with fewer fraction digits the server rounds the microseconds the store
// writes, and the text the versions are hashed from is not the one Create
// and Update hashed; without a time zone, the instants would depend on the
// session's TimeZone. The table is found as the store's statements find
// it (to_regclass follows search_path); its name is a checked identifier,
// so it can be quoted into the statement.
func (d postgresDialect) checkDjangoExpiry(ctx context.Context, db *sql.DB, t table) error {
	var (
		typ       string
		precision sql.NullInt64
	)
	err := db.QueryRowContext(ctx, `SELECT c.data_type, c.datetime_precision
FROM information_schema.columns c
JOIN pg_class r ON r.oid = to_regclass('`+t.qualified(d)+`')
JOIN pg_namespace n ON n.oid = r.relnamespace
WHERE c.table_schema = n.nspname AND c.table_name = r.relname AND c.column_name = 'expire_date'`).Scan(&typ, &precision)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no such table (or column): the statements will say so
	}
	if err != nil {
		return fmt.Errorf("checking the type of expire_date: %w", err)
	}
	if typ != "timestamp with time zone" || !precision.Valid || precision.Int64 != 6 {
		p := "none"
		if precision.Valid {
			p = strconv.FormatInt(precision.Int64, 10)
		}
		return fmt.Errorf("Django table %s: column expire_date is %s with fractional precision %s, not timestamp with time zone "+
			"(timestamptz, microseconds) as Django's migration creates it; Django mode needs microseconds "+
			"(ALTER TABLE %s ALTER COLUMN expire_date TYPE timestamp with time zone)",
			strings.Join(t, "."), typ, p, t.qualified(d))
	}
	return nil
}
