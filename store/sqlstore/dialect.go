package sqlstore

import (
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Dialect names the SQL dialect of a database: how the store writes its
// statements and DDL and how it reads the driver's errors. [New] detects it
// from the driver; [WithDialect] sets it.
type Dialect string

// The supported dialects.
const (
	// SQLite is SQLite 3.24 or later (for INSERT … ON CONFLICT … DO
	// UPDATE … WHERE), through modernc.org/sqlite, the driver the
	// detection knows.
	SQLite Dialect = "sqlite"
)

// dialect is what differs between databases. Each supported database has
// one small implementation (sqliteDialect in sqlite.go); the store builds
// its statements from it once, in New.
type dialect interface {
	// placeholder is the n-th (1-based) bind parameter: "?" or "$n".
	placeholder(n int) string
	// quote quotes one identifier.
	quote(ident string) string
	// createTable returns the idempotent DDL statements that create the
	// table and its expiry index.
	createTable(t table) []string
	// create is the one statement that inserts a record unless a live one
	// exists under its id (an expired one is replaced). It affects no row
	// when a live record exists.
	create(t table) query
	// deleteExpired deletes expired rows, at most paramLimit of them when
	// limited.
	deleteExpired(t table, limited bool) query
	// list selects id, expiry and the data's length in bytes of live rows
	// with ids after paramAfter, in id order, at most paramLimit of them
	// when limited.
	list(t table, limited bool) query
	// isUniqueViolation reports whether err is the driver's duplicate-key
	// error.
	isUniqueViolation(err error) bool
	// isUnavailable reports whether err means the database cannot be
	// reached or used right now (beyond the driver-independent cases
	// handled in errors.go).
	isUnavailable(err error) bool
	// serialWrites reports whether the database takes one writer at a
	// time, so that the store queues its writes in-process rather than
	// have them fight over the database lock.
	serialWrites() bool
}

var dialects = map[Dialect]dialect{
	SQLite: sqliteDialect{},
}

// driverDialects maps the package path of a database/sql driver type to
// its dialect, for detection. PostgreSQL (github.com/jackc/pgx/v5/stdlib)
// and MySQL (github.com/go-sql-driver/mysql) join here with their dialects.
var driverDialects = map[string]Dialect{
	"modernc.org/sqlite": SQLite,
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

// param names one argument of a statement; a query lists them in the
// order of its bind parameters, so that dialects may order or repeat them.
type param uint8

const (
	paramID      param = iota // the stored id
	paramData                 // the new data
	paramExpiry               // the new expiry (Unix ms)
	paramVersion              // the new version
	paramOldVer               // the expected version (compare-and-swap)
	paramNow                  // the current time (Unix ms)
	paramAfter                // List: the id to start after
	paramLimit                // the maximum number of rows
)

// query is a statement with its bind parameters.
type query struct {
	sql    string
	params []param
}

// args are the values a statement may bind.
type args struct {
	id      string
	data    []byte
	expiry  int64
	version int64
	oldVer  int64
	now     int64
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

func buildQueries(d dialect, t table) *queries {
	q := t.qualified(d)
	return &queries{
		qLoad: compile(d, "SELECT data, expiry, version FROM "+q+" WHERE id = ? AND expiry > ?",
			paramID, paramNow),
		qCreate: d.create(t),
		qUpdate: compile(d, "UPDATE "+q+" SET data = ?, expiry = ?, version = ? WHERE id = ? AND version = ? AND expiry > ?",
			paramData, paramExpiry, paramVersion, paramID, paramOldVer, paramNow),
		qRetire: compile(d, "DELETE FROM "+q+" WHERE id = ? AND version = ? AND expiry > ?",
			paramID, paramOldVer, paramNow),
		qProbe: compile(d, "SELECT version FROM "+q+" WHERE id = ? AND expiry > ?",
			paramID, paramNow),
		qDelete:               compile(d, "DELETE FROM "+q+" WHERE id = ?", paramID),
		qDeleteExpired:        d.deleteExpired(t, false),
		qDeleteExpiredLimited: d.deleteExpired(t, true),
		qList:                 d.list(t, false),
		qListLimited:          d.list(t, true),
		qCount:                compile(d, "SELECT COUNT(*) FROM "+q+" WHERE expiry > ?", paramNow),
	}
}
