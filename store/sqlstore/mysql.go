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

// mysqlMaxIdent is the longest identifier MySQL and MariaDB take.
const mysqlMaxIdent = 64

// mysqlDialect is the dialect of MySQL and MariaDB.
type mysqlDialect struct{}

func (mysqlDialect) placeholder(int) string { return "?" }

func (mysqlDialect) quote(ident string) string { return "`" + ident + "`" }

// createTable: ids are ASCII compared byte by byte (ascii_bin), data is
// binary (longblob takes the 1 MiB values of the conformance suite, where
// blob stops at 64 KiB). The index is declared in the table, since MySQL
// (unlike MariaDB) has no CREATE INDEX IF NOT EXISTS.
func (d mysqlDialect) createTable(t table) []string {
	return []string{
		"CREATE TABLE IF NOT EXISTS " + t.qualified(d) + ` (
	id varchar(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
	data longblob NOT NULL,
	expiry bigint NOT NULL,
	version bigint NOT NULL,
	KEY ` + d.quote(expiryIndexName(t.name(), mysqlMaxIdent)) + ` (expiry)
) ENGINE=InnoDB`,
	}
}

// djangoTable gives the table Django's sessions.0001_initial migration
// makes on MySQL (Django runs CREATE TABLE, then CREATE INDEX with this
// name; here the index is declared in the table, see createTable). The
// character set is the database's default, as with Django.
func (d mysqlDialect) djangoTable(t table) []string {
	return []string{
		"CREATE TABLE IF NOT EXISTS " + t.qualified(d) +
			" (`session_key` varchar(40) NOT NULL PRIMARY KEY, `session_data` longtext NOT NULL, `expire_date` datetime(6) NOT NULL, " +
			"KEY " + d.quote(djangoIndexName(t.name(), "expire_date", "", mysqlMaxIdent)) + " (`expire_date`))",
	}
}

// create is INSERT … ON DUPLICATE KEY UPDATE, each column set to
// IF(expired, new, old). MySQL assigns left to right and later
// expressions see the columns already assigned, so the expiry comes last
// and every IF tests the old one. Rows affected (without clientFoundRows):
// 1 inserted, 2 replaced an expired row, 0 left a live row as it was.
// With clientFoundRows=true the last case reports 1, like an insert, and
// Create would report success over a live record: checkConn refuses such
// a connection.
// (An expired row replaced by exactly the same values also reports 0;
// versions are new on every write, so that cannot happen.)
func (d mysqlDialect) create(t table, c *columns) query {
	var set []string
	params := slices.Clone(c.insertParams)
	for _, col := range c.insert[1:] {
		set = append(set, col+" = IF("+c.expiry+" <= ?, VALUES("+col+"), "+col+")")
		params = append(params, paramNow)
	}
	return compile(d, c.insertInto(t.qualified(d))+" ON DUPLICATE KEY UPDATE "+strings.Join(set, ", "), params...)
}

// deleteExpired: a single-table DELETE takes ORDER BY and LIMIT, and
// locks the rows it deletes as it finds them.
func (d mysqlDialect) deleteExpired(t table, c *columns, limited bool) query {
	s := "DELETE FROM " + t.qualified(d) + " WHERE " + c.expiry + " <= ?"
	if !limited {
		return compile(d, s, paramNow)
	}
	return compile(d, s+" ORDER BY "+c.expiry+" LIMIT ?", paramNow, paramLimit)
}

// byteOrder: Django's session_key has the table's character set and
// (usually case-insensitive) collation; its bytes compare in byte order.
func (mysqlDialect) byteOrder(col string) string { return "CAST(" + col + " AS BINARY)" }

// byteLength: LENGTH counts bytes (CHAR_LENGTH counts characters).
func (mysqlDialect) byteLength(col string) string { return "LENGTH(" + col + ")" }

// djangoExpiryText: datetime(6) holds Django's naive UTC, printed with
// all six fraction digits; no time zone conversion is involved.
func (mysqlDialect) djangoExpiryText(col string) string {
	return "DATE_FORMAT(" + col + ", '%Y-%m-%d %H:%i:%s.%f')"
}

func (mysqlDialect) djangoText(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}

// djangoTime: the naive UTC text; the server converts it to a datetime
// when it compares it with or stores it in the datetime(6) column, so
// neither parseTime nor the connection's time zone matters.
func (d mysqlDialect) djangoTime(t time.Time) any { return d.djangoText(t) }

func (mysqlDialect) djangoVersion(data, expiryText string) string {
	return "LEFT(SHA2(CONCAT(" + data + ", " + expiryText + "), 256), 16)"
}

// mysqlErrno returns the server error number of err, as the registered
// driver reads it (go-sql-driver/mysql's MySQLError.Number).
func mysqlErrno(err error) (uint16, bool) {
	code, ok := driverErrorCode(MySQL, err)
	if !ok {
		return 0, false
	}
	n, perr := strconv.ParseUint(code, 10, 16)
	return uint16(n), perr == nil
}

// MySQL and MariaDB server error numbers.
const (
	myDupEntry           = 1062 // ER_DUP_ENTRY
	myDupEntryKeyName    = 1586 // ER_DUP_ENTRY_WITH_KEY_NAME
	myTableExists        = 1050 // ER_TABLE_EXISTS_ERROR
	myDupKeyName         = 1061 // ER_DUP_KEYNAME
	myDeadlock           = 1213 // ER_LOCK_DEADLOCK
	myConCount           = 1040 // ER_CON_COUNT_ERROR: too many connections
	myShutdown           = 1053 // ER_SERVER_SHUTDOWN
	myUserConnections    = 1203 // ER_TOO_MANY_USER_CONNECTIONS
	myLockWaitTimeout    = 1205 // ER_LOCK_WAIT_TIMEOUT
	myReadOnly           = 1290 // ER_OPTION_PREVENTS_STATEMENT (--read-only)
	myReadOnlyTx         = 1792 // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
	myReadOnlyMode       = 1836 // ER_READ_ONLY_MODE
	myConnectionKilled   = 1927 // MariaDB ER_CONNECTION_KILLED
	myStatementTimeout   = 1969 // MariaDB ER_STATEMENT_TIMEOUT
	myQueryTimeout       = 3024 // MySQL ER_QUERY_TIMEOUT
	myServerGone         = 2006 // CR_SERVER_GONE_ERROR
	myServerLost         = 2013 // CR_SERVER_LOST
	myConnectionRefused  = 2002 // CR_CONNECTION_ERROR
	myConnHostRefused    = 2003 // CR_CONN_HOST_ERROR
	myTooManyConnections = 1226 // ER_USER_LIMIT_REACHED
)

func (mysqlDialect) isUniqueViolation(err error) bool {
	n, ok := mysqlErrno(err)
	return ok && (n == myDupEntry || n == myDupEntryKeyName)
}

func (mysqlDialect) isAlreadyExists(err error) bool {
	n, ok := mysqlErrno(err)
	return ok && (n == myTableExists || n == myDupKeyName)
}

// isUnavailable: the driver's broken connection (what the registered
// driver counts as unavailable), and the server's "too
// many connections", shutdown, killed connection, timeouts and read-only
// (a fail-over in progress) errors. A deadlock is not among them: it is
// contention between statements, not an outage; exec runs the victim
// again, and a deadlock that persists is a plain error.
func (mysqlDialect) isUnavailable(err error) bool {
	if driverUnavailable(MySQL, err) {
		return true
	}
	n, ok := mysqlErrno(err)
	if !ok {
		return false
	}
	switch n {
	case myConCount, myShutdown, myUserConnections, myLockWaitTimeout, myReadOnly, myReadOnlyTx,
		myReadOnlyMode, myConnectionKilled, myStatementTimeout, myQueryTimeout, myServerGone,
		myServerLost, myConnectionRefused, myConnHostRefused, myTooManyConnections:
		return true
	}
	return false
}

// isRetryable: InnoDB picks a deadlock victim among single statements too
// (concurrent INSERT … ON DUPLICATE KEY UPDATE of one key), and rolls the
// statement back, so it can run again.
func (mysqlDialect) isRetryable(err error) bool {
	n, ok := mysqlErrno(err)
	return ok && n == myDeadlock
}

func (mysqlDialect) serialWrites() bool { return false }

// foundRowsProbe is the temporary table of checkConn.
const foundRowsProbe = "tether_found_rows_probe"

// checkConn tells whether the connections report found rows
// (clientFoundRows=true) rather than changed rows: the driver's settings
// cannot be read from a *sql.DB, so it asks the server. On one
// connection, it inserts the same key twice into a temporary table with
// ON DUPLICATE KEY UPDATE setting it to the same value: 1 row affected
// when changed rows are counted, 2 when found rows are. Three round
// trips, once per store. When the temporary table cannot be made (no
// CREATE TEMPORARY TABLES privilege) it cannot tell and lets it be, as
// the documentation of New warns.
func (mysqlDialect) checkConn(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+foundRowsProbe+" (k int NOT NULL PRIMARY KEY)"); err != nil {
		return ctx.Err() // nil: cannot tell
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TEMPORARY TABLE IF EXISTS "+foundRowsProbe)
	res, err := conn.ExecContext(ctx, "INSERT INTO "+foundRowsProbe+" (k) VALUES (1), (1) ON DUPLICATE KEY UPDATE k = VALUES(k)")
	if err != nil {
		return ctx.Err()
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return errors.New("the MySQL connection counts found rows, not changed rows (clientFoundRows=true in the DSN): " +
			"Create could not tell a live record from an inserted one; remove clientFoundRows from the DSN")
	}
	return nil
}

// checkDjangoExpiry: the column must be a datetime(6) (or a timestamp(6)):
// with fewer fraction digits the server rounds the microseconds the store
// writes (storing an expiry up to 0.5 s later than asked), and the text
// the versions are hashed from is not the one Create and Update hashed.
func (mysqlDialect) checkDjangoExpiry(ctx context.Context, db *sql.DB, t table) error {
	var schema any // the connection's database
	if s := t.schema(); s != "" {
		schema = s
	}
	var (
		typ       string
		precision sql.NullInt64
	)
	err := db.QueryRowContext(ctx, "SELECT COLUMN_TYPE, DATETIME_PRECISION FROM information_schema.COLUMNS "+
		"WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = 'expire_date'",
		schema, t.name()).Scan(&typ, &precision)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no such table (or column): the statements will say so
	}
	if err != nil {
		return fmt.Errorf("checking the type of expire_date: %w", err)
	}
	if !precision.Valid || precision.Int64 != 6 {
		return fmt.Errorf("Django table %s: column expire_date is %s, not datetime(6) as Django's migration creates it; "+
			"Django mode needs microseconds (ALTER TABLE %s MODIFY expire_date datetime(6) NOT NULL)",
			strings.Join(t, "."), typ, t.qualified(mysqlDialect{}))
	}
	return nil
}
