package sqlstore

import (
	"fmt"
	"sync"
)

// Driver tells the stores of one dialect what only the database/sql
// driver's own package knows: how that driver reports errors. The driver
// packages store/sqlstore/postgres (pgx), store/sqlstore/mysql
// (go-sql-driver/mysql) and store/sqlstore/sqlite (modernc.org/sqlite)
// each register one with [RegisterDriver] when imported, so that this
// package links no driver. [New] fails for a dialect whose driver package
// is not imported: when you open the *sql.DB yourself, import the
// dialect's package too (for its side effect, if you call nothing in it).
type Driver struct {
	// ErrorCode returns the database's code carried by err (or an error
	// in its chain): PostgreSQL's SQLSTATE ("23505"), MySQL's error
	// number in decimal ("1062"), SQLite's extended result code in
	// decimal. ok is false when err carries none. When nil, the code is
	// read from an SQLState() string method (PostgreSQL) or a Code() int
	// method (SQLite) of an error in err's chain.
	ErrorCode func(err error) (code string, ok bool)
	// Unavailable reports the driver's own signs that the database cannot
	// be reached right now (a refused dial, a connection the driver
	// closed), beyond the error codes and the driver-independent cases
	// the store checks itself. Nil means none.
	Unavailable func(err error) bool
}

var drivers struct {
	sync.RWMutex
	m map[Dialect]Driver
}

// RegisterDriver registers the driver of the dialect name. It is meant for
// the init function of a driver package, and panics when name is not one
// of the supported dialects or already has a driver, as database/sql's
// Register does.
func RegisterDriver(name Dialect, d Driver) {
	if _, ok := dialects[name]; !ok {
		panic(fmt.Sprintf("sqlstore: RegisterDriver of unknown dialect %q", name))
	}
	drivers.Lock()
	defer drivers.Unlock()
	if _, dup := drivers.m[name]; dup {
		panic(fmt.Sprintf("sqlstore: RegisterDriver called twice for dialect %q", name))
	}
	if drivers.m == nil {
		drivers.m = make(map[Dialect]Driver)
	}
	drivers.m[name] = d
}

// registeredDriver returns the driver registered for the dialect name.
func registeredDriver(name Dialect) (Driver, bool) {
	drivers.RLock()
	defer drivers.RUnlock()
	d, ok := drivers.m[name]
	return d, ok
}

// errNoDriver is New's error for a dialect whose driver package is not
// imported.
func errNoDriver(name Dialect) error {
	return fmt.Errorf("sqlstore: dialect %s has no driver registered: import github.com/tetherweb/tether/store/sqlstore/%s", name, name)
}

// driverErrorCode is the code the registered driver of the dialect name
// reads from err.
func driverErrorCode(name Dialect, err error) (string, bool) {
	if d, ok := registeredDriver(name); ok && d.ErrorCode != nil {
		return d.ErrorCode(err)
	}
	return "", false
}

// driverUnavailable reports whether the registered driver of the dialect
// name counts err as the database being unreachable.
func driverUnavailable(name Dialect, err error) bool {
	d, ok := registeredDriver(name)
	return ok && d.Unavailable != nil && d.Unavailable(err)
}
