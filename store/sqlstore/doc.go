// Package sqlstore keeps sessions in a SQL database through database/sql.
//
// One [Store] type serves every supported database; what differs between
// them (bind parameters, DDL, the "insert unless a live row exists"
// statement, how a driver reports a unique violation or a lost connection)
// lives in a small dialect chosen with [WithDialect] or detected from the
// *sql.DB's driver. This version supports SQLite through the pure-Go
// modernc.org/sqlite driver (no cgo); see [OpenSQLite] for a ready-tuned
// file database.
//
// # Choosing the dialect
//
// [New] takes the dialect from the [WithDialect] option when given, and
// otherwise from the package of the driver behind the *sql.DB (db.Driver()):
// modernc.org/sqlite gives [SQLite]. Any other driver needs WithDialect,
// which is also how a wrapped or instrumented driver is used.
//
// # The table
//
// By default the store keeps its records in a table named tether_sessions,
// created on first use (or by [Store.Migrate]) with CREATE TABLE IF NOT
// EXISTS:
//
//	id      TEXT PRIMARY KEY  the session key, or session.HashKey(key) (the default, see HashKeys)
//	data    BLOB              the session codec's bytes
//	expiry  INTEGER           the instant the record dies, in Unix milliseconds (UTC)
//	version INTEGER           the compare-and-swap version
//
// and an index on expiry for [Store.DeleteExpired]. Expiry instants are
// stored truncated to the millisecond, and a record is live while
// expiry > now with both sides in milliseconds: truncation can only make a
// record die up to a millisecond early, never let a dead one be loaded.
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
// # Concurrency
//
// Every write is one statement: Create is an INSERT that replaces only an
// expired row (INSERT … ON CONFLICT … DO UPDATE … WHERE expiry <= now), and
// Update is a conditional UPDATE … WHERE id = ? AND version = ? AND
// expiry > now, so compare-and-swap holds across processes. Statements are
// prepared once, on first use. SQLite allows one writer at a time: the
// store queues its own writes in-process (waiting with the caller's
// context) and relies on the busy timeout for writers in other processes;
// [OpenSQLite] sets WAL mode and a 5 s busy timeout.
//
// # Errors
//
// Errors wrap the session package's errors (errors.Is matches
// session.ErrNotFound, ErrExists, ErrConflict). Lost connections, a closed
// *sql.DB, a database locked beyond the busy timeout and context deadlines
// also match session.ErrUnavailable; a cancelled context matches
// context.Canceled.
package sqlstore
