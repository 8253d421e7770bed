// Package sqlite opens a session store on an SQLite file with the pure-Go
// modernc.org/sqlite driver (no cgo). The store itself, with its Django
// mode, is package store/sqlstore; this package holds what needs the
// driver, so that only an app that imports it links modernc.org/sqlite.
// Importing it also registers the driver with sqlstore (see
// sqlstore.Driver) and the SQL function Django mode computes its versions
// with (sqlstore.SQLiteVersionFunction), for a *sql.DB opened with
// sql.Open("sqlite", …) and given to sqlstore.New, and the DSN scheme
// "sqlite" with store/dsn.
package sqlite

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/tetherweb/tether/store/sqlstore"
)

func init() {
	// modernc.org/sqlite's errors have a Code() int method, which
	// sqlstore reads without help.
	sqlstore.RegisterDriver(sqlstore.SQLite, sqlstore.Driver{})
	sqlite.MustRegisterDeterministicScalarFunction(sqlstore.SQLiteVersionFunction, 2,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return sqlstore.DjangoRowVersion(text(args[0]), text(args[1])), nil
		})
}

// text is a function argument as text, as SQLite's || would see it.
func text(v driver.Value) string {
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

// BusyTimeout is how long, in milliseconds, a connection opened by [Open]
// waits for another process's write lock before it gives up with
// "database is locked" (which then matches session.ErrUnavailable).
const BusyTimeout = 5000

// MaxConns is the size of the connection pool of a database opened by
// [Open] (see Store.DB to change it).
const MaxConns = 8

// Open opens (creating it if needed) the SQLite database file at path
// with the pure-Go modernc.org/sqlite driver and returns a store on it.
// The connections are set up for concurrent use: WAL journal mode
// (readers never wait for the writer), synchronous=NORMAL (durable at each
// WAL checkpoint, never corrupt), a busy timeout of [BusyTimeout] for
// writers of other processes, BEGIN IMMEDIATE for transactions, and a
// pool of [MaxConns] connections; the store also queues its own writes
// in-process. The store's Close closes the database.
//
// The path ":memory:" gives a private in-memory database, held on a single
// connection (every connection would otherwise see its own empty
// database). A path must not contain '?': to pass other DSN parameters,
// open the *sql.DB yourself and use sqlstore.New.
func Open(path string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: open: invalid path %q", path)
	}
	memory := path == ":memory:"
	dsn := path + "?_pragma=busy_timeout(" + fmt.Sprint(BusyTimeout) + ")&_txlock=immediate"
	if !memory {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
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
		db.SetMaxOpenConns(MaxConns)
		db.SetMaxIdleConns(MaxConns)
	}
	return sqlstore.NewOwned(db, sqlstore.SQLite, opts...)
}
