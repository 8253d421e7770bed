package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
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

func (d sqliteDialect) createTable(t table) []string {
	idx := d.quote(t.name() + "_expiry_idx")
	if s := t.schema(); s != "" {
		idx = d.quote(s) + "." + idx // SQLite qualifies the index, not its table
	}
	return []string{
		"CREATE TABLE IF NOT EXISTS " + t.qualified(d) + ` (
	id TEXT NOT NULL PRIMARY KEY,
	data BLOB NOT NULL,
	expiry INTEGER NOT NULL,
	version INTEGER NOT NULL
)`,
		"CREATE INDEX IF NOT EXISTS " + idx + " ON " + d.quote(t.name()) + " (expiry)",
	}
}

// create inserts, or replaces an expired row in the same statement: the
// DO UPDATE's WHERE leaves a live row alone, and SQLite then reports no
// row changed.
func (d sqliteDialect) create(t table) query {
	q := t.qualified(d)
	return compile(d, "INSERT INTO "+q+" (id, data, expiry, version) VALUES (?, ?, ?, ?)"+
		" ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, version = excluded.version"+
		" WHERE "+q+".expiry <= ?",
		paramID, paramData, paramExpiry, paramVersion, paramNow)
}

func (d sqliteDialect) deleteExpired(t table, limited bool) query {
	q := t.qualified(d)
	if !limited {
		return compile(d, "DELETE FROM "+q+" WHERE expiry <= ?", paramNow)
	}
	// DELETE … LIMIT needs a compile-time option; a subquery does not.
	return compile(d, "DELETE FROM "+q+" WHERE id IN (SELECT id FROM "+q+" WHERE expiry <= ? LIMIT ?)",
		paramNow, paramLimit)
}

func (d sqliteDialect) list(t table, limited bool) query {
	s := "SELECT id, expiry, length(data) FROM " + t.qualified(d) + " WHERE id > ? AND expiry > ? ORDER BY id"
	if !limited {
		return compile(d, s, paramAfter, paramNow)
	}
	return compile(d, s+" LIMIT ?", paramAfter, paramNow, paramLimit)
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

func (sqliteDialect) serialWrites() bool { return true }
