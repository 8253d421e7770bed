// Package sqlstore keeps sessions in a SQL database through database/sql:
// SQLite, PostgreSQL, and MySQL or MariaDB.
//
// One [Store] type serves every supported database; what differs between
// them (bind parameters, DDL, the "insert unless a live row exists"
// statement, how a driver reports a unique violation or a lost connection)
// lives in a small dialect chosen with [WithDialect] or detected from the
// *sql.DB's driver. This package imports no driver: the Open functions of
// store/sqlstore/sqlite (the pure-Go modernc.org/sqlite driver, no cgo),
// store/sqlstore/postgres (pgx) and store/sqlstore/mysql
// (go-sql-driver/mysql) open a ready-tuned database, and [New] takes a
// *sql.DB opened elsewhere (import the dialect's package then too: it
// registers how its driver reports errors, see [Driver]). An app links
// only the driver of the database it uses.
//
// # Choosing the dialect
//
// [New] takes the dialect from the [WithDialect] option when given, and
// otherwise from the package of the driver behind the *sql.DB (db.Driver()):
// modernc.org/sqlite gives [SQLite], github.com/jackc/pgx/v5/stdlib
// (driver name "pgx") gives [Postgres], github.com/go-sql-driver/mysql
// gives [MySQL]. Any other driver needs WithDialect, which is also how a
// wrapped or instrumented driver is used. On MySQL and MariaDB the
// connections must count changed rows, not found rows: never
// clientFoundRows=true (see [New]).
//
// # The table
//
// By default the store keeps its records in a table named tether_sessions,
// created on first use (or by [Store.Migrate]) with CREATE TABLE IF NOT
// EXISTS:
//
//	id      the session key, or session.HashKey(key) (the default, see HashKeys);
//	        compared in byte order (PostgreSQL text COLLATE "C", MySQL ascii_bin)
//	data    the session codec's bytes (BLOB, bytea, longblob)
//	expiry  the instant the record dies, in Unix milliseconds (UTC), a 64-bit integer
//	version the compare-and-swap version, a 64-bit integer
//
// and an index on expiry for [Store.DeleteExpired], named
// <table>_expiry_idx (shortened with a hash when the database's limit on
// identifiers requires it, see [WithTable]). Expiry instants are
// stored truncated to the millisecond, and a record is live while
// expiry > now with both sides in milliseconds: truncation can only make a
// record die up to a millisecond early, never let a dead one be loaded.
// "Now" is the clock of the process (see [WithClock]), not the database's, so
// app servers need synchronised clocks, as they do for cookies.
//
// [WithDjangoTable] uses Django's django_session table instead, to share
// sessions with a Django app; see its documentation for the formats and
// for how compare-and-swap works without a version column.
//
// # Versions
//
// Versions are taken from one process-wide generator: the current Unix time
// in nanoseconds, raised when needed above the last version the process
// issued or read from the database, and above the version an Update
// replaces. In one process every version issued is therefore distinct, and
// a key that is deleted and created again never gets back a version it had
// before. Across processes sharing a database, a repeat would need another
// process's clock to hit, for the same key after its deletion, the very
// nanosecond of a version this process never saw. Versions fit a signed
// 64-bit column until the year 2262.
//
// # Round trips and concurrency
//
// Every operation is one statement, so one round trip to the database
// (statements are prepared once per connection, on first use): Load is a
// SELECT of the live row; Create is an INSERT that replaces only an
// expired row (INSERT … ON CONFLICT … DO UPDATE … WHERE expiry <= now on
// SQLite and PostgreSQL; INSERT … ON DUPLICATE KEY UPDATE col =
// IF(expiry <= now, new, old) on MySQL); Update is a conditional UPDATE …
// WHERE id = ? AND version = ? AND expiry > now, and only when it changes
// nothing does a second SELECT tell a conflict from a missing record. So
// compare-and-swap holds across processes and app servers sharing the
// database. A statement the database aborts as a deadlock victim (InnoDB
// can pick one among concurrent upserts of one key) runs again, up to
// three times.
//
// SQLite allows one writer at a time: the store queues its own writes
// in-process (waiting with the caller's context) and relies on the busy
// timeout for writers in other processes; sqlite.Open sets WAL mode and a
// 5 s busy timeout. PostgreSQL and MySQL take concurrent writers; the
// pools postgres.Open and mysql.Open make are bounded by [MaxConns].
//
// # Errors
//
// Errors wrap the session package's errors (errors.Is matches
// session.ErrNotFound, ErrExists, ErrConflict). Failures to reach or use
// the database also match session.ErrUnavailable, which the session
// Manager's default error handler answers with 503: lost and refused
// connections, a closed *sql.DB, context deadlines, and per database an
// SQLite database locked beyond the busy timeout, PostgreSQL's connection
// exception, shutdown and too-many-connections codes, MySQL's invalid
// connection, shutdown, killed-connection, lock-wait and read-only
// errors. A deadlock is contention, not an outage: the statement runs
// again, and a deadlock that persists is a plain error. A cancelled
// context matches context.Canceled.
package sqlstore
