package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Dialect names the SQL dialect of a database: how the store writes its
// statements and DDL and how it reads the driver's errors. [New] detects it
// from the driver; [WithDialect] sets it.
type Dialect string

// The supported dialects.
const (
	// SQLite is SQLite 3.24 or later (for INSERT … ON CONFLICT … DO
	// UPDATE … WHERE), through modernc.org/sqlite, the driver the
	// detection knows. See store/sqlstore/sqlite.
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL 11 or later (sha256() is used in Django
	// mode), through pgx's database/sql driver
	// (github.com/jackc/pgx/v5/stdlib, driver name "pgx"), the driver the
	// detection knows. See store/sqlstore/postgres.
	Postgres Dialect = "postgres"
	// MySQL is MySQL 5.7 or later and MariaDB 10.3 or later, through
	// github.com/go-sql-driver/mysql, the driver the detection knows. See
	// store/sqlstore/mysql for the connection settings the store needs; above all,
	// the connections must count changed rows (never clientFoundRows=true
	// in the DSN), or Create reports success over a live record (see
	// [New]).
	MySQL Dialect = "mysql"
)

// dialect is what differs between databases. Each supported database has
// one small implementation (sqlite.go, postgres.go, mysql.go); the store
// builds its statements from it once, in New.
type dialect interface {
	// placeholder is the n-th (1-based) bind parameter: "?" or "$n".
	placeholder(n int) string
	// quote quotes one identifier.
	quote(ident string) string
	// createTable returns the idempotent DDL statements that create the
	// table and its expiry index.
	createTable(t table) []string
	// djangoTable returns the DDL statements that create Django's session
	// table as Django's migration does (with IF NOT EXISTS).
	djangoTable(t table) []string
	// create is the one statement that inserts a record unless a live one
	// exists under its id (an expired one is replaced). It affects no row
	// when a live record exists.
	create(t table, c *columns) query
	// deleteExpired deletes expired rows, at most paramLimit of them when
	// limited.
	deleteExpired(t table, c *columns, limited bool) query
	// byteOrder is the expression of a text column of Django's table that
	// compares and sorts in byte order.
	byteOrder(col string) string
	// byteLength is the length in bytes of a data column's value.
	byteLength(col string) string

	// djangoExpiryText is the SQL text of a Django expire_date column,
	// exactly as djangoText renders the same instant.
	djangoExpiryText(col string) string
	// djangoText renders an expire_date (UTC, whole microseconds) as
	// djangoExpiryText reads it back.
	djangoText(t time.Time) string
	// djangoTime is the value bound for an expire_date (or for the
	// current time it is compared with).
	djangoTime(t time.Time) any
	// djangoVersion is the SQL expression of a Django row's version: the
	// first 16 hex digits of SHA-256(data ‖ expiry text), as
	// djangoVersionOf computes it.
	djangoVersion(data, expiryText string) string

	// isUniqueViolation reports whether err is the driver's duplicate-key
	// error.
	isUniqueViolation(err error) bool
	// isAlreadyExists reports whether err says that a table or index
	// being created already exists (a racing CREATE … IF NOT EXISTS).
	isAlreadyExists(err error) bool
	// isUnavailable reports whether err means the database cannot be
	// reached or used right now (beyond the driver-independent cases
	// handled in errors.go).
	isUnavailable(err error) bool
	// isRetryable reports whether err is a transient failure of a single
	// statement that can simply be run again (a deadlock victim).
	isRetryable(err error) bool
	// serialWrites reports whether the database takes one writer at a
	// time, so that the store queues its writes in-process rather than
	// have them fight over the database lock.
	serialWrites() bool

	// checkConn checks, before the store's first use, the connection
	// settings the store depends on (MySQL: affected rows are changed
	// rows, not found rows).
	checkConn(ctx context.Context, db *sql.DB) error
	// checkDjangoExpiry checks that the expire_date column of Django's
	// table t, if the table exists, keeps microseconds as Django's
	// migration makes it: the versions Create and Update return are
	// hashed from the expiry text at that precision.
	checkDjangoExpiry(ctx context.Context, db *sql.DB, t table) error
}

var dialects = map[Dialect]dialect{
	SQLite:   sqliteDialect{},
	Postgres: postgresDialect{},
	MySQL:    mysqlDialect{},
}

// driverDialects maps the package path of a database/sql driver type to
// its dialect, for detection.
var driverDialects = map[string]Dialect{
	"modernc.org/sqlite":             SQLite,
	"github.com/jackc/pgx/v5/stdlib": Postgres,
	"github.com/go-sql-driver/mysql": MySQL,
}

// detectDialect tells the dialect from the type of db's driver.
func detectDialect(db *sql.DB) (Dialect, error) {
	t := reflect.TypeOf(db.Driver())
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "", fmt.Errorf("sqlstore: no driver to detect the dialect from; use WithDialect")
	}
	if d, ok := driverDialects[t.PkgPath()]; ok {
		return d, nil
	}
	return "", fmt.Errorf("sqlstore: unknown driver %s.%s; use WithDialect", t.PkgPath(), t.Name())
}

// table is a checked table name, as its parts: [name] or [schema, name].
type table []string

func (t table) name() string { return t[len(t)-1] }

func (t table) schema() string {
	if len(t) == 2 {
		return t[0]
	}
	return ""
}

// qualified is the quoted, schema-qualified table name.
func (t table) qualified(d dialect) string {
	q := make([]string, len(t))
	for i, p := range t {
		q[i] = d.quote(p)
	}
	return strings.Join(q, ".")
}

// expiryIndexName is the name of the expiry index of tether's table name:
// name_expiry_idx, or, when that is longer than maxLen (the database's
// limit on identifiers; 0 for none), the first maxLen-20 characters of
// name, "_", 8 hex digits of SHA-256(name) and "_expiry_idx", exactly
// maxLen characters. The database then never refuses (MySQL) or
// truncates (PostgreSQL) the name, and tables sharing a long prefix get
// distinct index names.
func expiryIndexName(name string, maxLen int) string {
	const suffix = "_expiry_idx"
	if maxLen <= 0 || len(name)+len(suffix) <= maxLen {
		return name + suffix
	}
	sum := sha256.Sum256([]byte(name))
	return name[:maxLen-len(suffix)-9] + "_" + hex.EncodeToString(sum[:4]) + suffix
}

// columns describes the table's columns to the statements: tether's own
// table (id, data, expiry, version) or Django's (session_key,
// session_data, expire_date, and a version derived from the row).
type columns struct {
	id, data, expiry string // quoted column names
	// version is the record's version: its column, or an expression of
	// the row giving 16 hex digits (Django mode).
	version string
	// expiryOut is how a SELECT reads the expiry: the column (Unix ms) or
	// its text (Django mode).
	expiryOut string
	// idOrder is the id as List compares and sorts it, in byte order.
	// Tether's tables give the column a byte-order collation; Django's
	// column has the database's, so Django mode asks the dialect.
	idOrder string
	// insert lists the quoted columns Create writes, the expiry last, and
	// insertParams their parameters.
	insert       []string
	insertParams []param
}

func tetherColumns(d dialect) *columns {
	c := &columns{id: d.quote("id"), data: d.quote("data"), expiry: d.quote("expiry"), version: d.quote("version")}
	c.expiryOut = c.expiry
	c.idOrder = c.id
	c.insert = []string{c.id, c.data, c.version, c.expiry}
	c.insertParams = []param{paramID, paramData, paramVersion, paramExpiry}
	return c
}

func djangoColumns(d dialect) *columns {
	c := &columns{id: d.quote("session_key"), data: d.quote("session_data"), expiry: d.quote("expire_date")}
	c.expiryOut = d.djangoExpiryText(c.expiry)
	c.version = d.djangoVersion(c.data, c.expiryOut)
	c.idOrder = d.byteOrder(c.id)
	c.insert = []string{c.id, c.data, c.expiry}
	c.insertParams = []param{paramID, paramData, paramExpiry}
	return c
}

// insertInto is "INSERT INTO q (columns) VALUES (?, …)" for Create.
func (c *columns) insertInto(q string) string {
	return "INSERT INTO " + q + " (" + strings.Join(c.insert, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(c.insert)), ", ") + ")"
}

// setExcluded is the SET list of an upsert that takes every column but the
// id from the row proposed for insertion ("data = excluded.data, …").
func setExcluded(c *columns, excluded string) string {
	set := make([]string, 0, len(c.insert)-1)
	for _, col := range c.insert[1:] {
		set = append(set, col+" = "+excluded+"."+col)
	}
	return strings.Join(set, ", ")
}

// param names one argument of a statement; a query lists them in the
// order of its bind parameters, so that dialects may order or repeat them.
type param uint8

const (
	paramID      param = iota // the stored id
	paramData                 // the new data
	paramExpiry               // the new expiry
	paramVersion              // the new version (tether mode)
	paramOldVer               // the expected version (compare-and-swap)
	paramNow                  // the current time
	paramAfter                // List: the id to start after
	paramLimit                // the maximum number of rows
)

// query is a statement with its bind parameters.
type query struct {
	sql    string
	params []param
}

// args are the values a statement may bind. Expiry, now and the expected
// version are in the stored form: Unix milliseconds and an integer in
// tether mode, the dialect's time value and 16 hex digits in Django mode.
type args struct {
	id      string
	data    any // []byte, or a string in Django mode
	expiry  any
	version int64
	oldVer  any
	now     any
	after   string
	limit   int
}

// bind returns the statement's arguments in order.
func (q query) bind(a *args) []any {
	out := make([]any, len(q.params))
	for i, p := range q.params {
		switch p {
		case paramID:
			out[i] = a.id
		case paramData:
			out[i] = a.data
		case paramExpiry:
			out[i] = a.expiry
		case paramVersion:
			out[i] = a.version
		case paramOldVer:
			out[i] = a.oldVer
		case paramNow:
			out[i] = a.now
		case paramAfter:
			out[i] = a.after
		case paramLimit:
			out[i] = int64(a.limit)
		}
	}
	return out
}

// compile builds a query from SQL written with "?" bind parameters (and no
// "?" anywhere else), rewriting them into the dialect's form.
func compile(d dialect, sqlText string, params ...param) query {
	if n := strings.Count(sqlText, "?"); n != len(params) {
		panic("sqlstore: " + strconv.Itoa(n) + " placeholders for " + strconv.Itoa(len(params)) + " params in " + sqlText)
	}
	var b strings.Builder
	n := 0
	for _, r := range sqlText {
		if r == '?' {
			n++
			b.WriteString(d.placeholder(n))
			continue
		}
		b.WriteRune(r)
	}
	return query{sql: b.String(), params: params}
}

// The statements of a store, as indexes into a queries array.
const (
	qLoad                 = iota // the live row's data, expiry, version
	qCreate                      // insert unless a live row exists
	qUpdate                      // compare-and-swap
	qRetire                      // compare-and-delete (Update to a past expiry)
	qProbe                       // the live row's version
	qDelete                      // delete by id
	qDeleteExpired               // delete every expired row
	qDeleteExpiredLimited        // delete at most paramLimit expired rows
	qList                        // list every live row after paramAfter
	qListLimited                 // list at most paramLimit live rows after paramAfter
	qCount                       // count the live rows
	numQueries
)

// queries are the statements of one store, built once by New.
type queries [numQueries]query

func buildQueries(d dialect, t table, c *columns, django bool) *queries {
	q := t.qualified(d)
	qs := &queries{
		qLoad: compile(d, "SELECT "+c.data+", "+c.expiryOut+", "+c.version+" FROM "+q+" WHERE "+c.id+" = ? AND "+c.expiry+" > ?",
			paramID, paramNow),
		qCreate: d.create(t, c),
		qRetire: compile(d, "DELETE FROM "+q+" WHERE "+c.id+" = ? AND "+c.version+" = ? AND "+c.expiry+" > ?",
			paramID, paramOldVer, paramNow),
		qProbe: compile(d, "SELECT "+c.version+" FROM "+q+" WHERE "+c.id+" = ? AND "+c.expiry+" > ?",
			paramID, paramNow),
		qDelete:               compile(d, "DELETE FROM "+q+" WHERE "+c.id+" = ?", paramID),
		qDeleteExpired:        d.deleteExpired(t, c, false),
		qDeleteExpiredLimited: d.deleteExpired(t, c, true),
		qCount:                compile(d, "SELECT COUNT(*) FROM "+q+" WHERE "+c.expiry+" > ?", paramNow),
	}
	if django {
		qs[qUpdate] = compile(d, "UPDATE "+q+" SET "+c.data+" = ?, "+c.expiry+" = ? WHERE "+c.id+" = ? AND "+c.version+" = ? AND "+c.expiry+" > ?",
			paramData, paramExpiry, paramID, paramOldVer, paramNow)
	} else {
		qs[qUpdate] = compile(d, "UPDATE "+q+" SET "+c.data+" = ?, "+c.expiry+" = ?, "+c.version+" = ? WHERE "+c.id+" = ? AND "+c.version+" = ? AND "+c.expiry+" > ?",
			paramData, paramExpiry, paramVersion, paramID, paramOldVer, paramNow)
	}
	id := c.idOrder
	list := "SELECT " + c.id + ", " + c.expiryOut + ", " + d.byteLength(c.data) + " FROM " + q +
		" WHERE " + id + " > ? AND " + c.expiry + " > ? ORDER BY " + id
	qs[qList] = compile(d, list, paramAfter, paramNow)
	qs[qListLimited] = compile(d, list+" LIMIT ?", paramAfter, paramNow, paramLimit)
	return qs
}
