// Package mysql opens a session store on MySQL or MariaDB through
// github.com/go-sql-driver/mysql. The store itself, with its Django mode,
// is package store/sqlstore; this package holds what needs the driver, so
// that only an app that imports it links the driver. Importing it also
// registers the driver's errors with sqlstore (see sqlstore.Driver), for a
// *sql.DB opened with sql.Open("mysql", …) and given to sqlstore.New, and
// the DSN scheme "mysql" with store/dsn.
package mysql

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql" // registers the "mysql" database/sql driver

	"github.com/tetherweb/tether/store/sqlstore"
)

func init() {
	sqlstore.RegisterDriver(sqlstore.MySQL, sqlstore.Driver{
		ErrorCode:   errorCode,
		Unavailable: unavailable,
	})
}

// ConnMaxLifetime is how long a connection opened by [Open] is reused,
// below the servers' and proxies' usual idle limits (the driver's own
// advice).
const ConnMaxLifetime = 3 * time.Minute

// Open opens a MySQL or MariaDB database through
// github.com/go-sql-driver/mysql and returns a store on it. dsn is in the
// driver's form, "user:password@tcp(host:3306)/dbname?param=value" (see
// its documentation); it is checked here, but no connection is made until
// the store's first use. The store's Close closes the database. The pool
// holds up to sqlstore.MaxConns connections, recycled after
// [ConnMaxLifetime] (see Store.DB to change that).
//
// The store needs no parameter in dsn: it binds and reads expiry instants
// as integers or text, so parseTime and loc do not matter to it. It needs
// clientFoundRows off (the driver's default), because Create tells "a live
// record exists" from "inserted" by the number of rows changed; Open
// refuses a dsn with clientFoundRows=true (a store made with sqlstore.New
// detects it on first use). Set timeout (dial), readTimeout and
// writeTimeout, e.g. "timeout=2s&readTimeout=5s", so that requests fail
// fast while the server is unreachable.
func Open(dsn string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("mysql: open: %w", err)
	}
	if cfg.ClientFoundRows {
		return nil, errors.New("mysql: open: clientFoundRows=true is not supported (Create counts changed rows)")
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql: open: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(sqlstore.MaxConns)
	db.SetMaxIdleConns(sqlstore.MaxConns)
	db.SetConnMaxIdleTime(sqlstore.MaxIdleTime)
	db.SetConnMaxLifetime(ConnMaxLifetime)
	return sqlstore.NewOwned(db, sqlstore.MySQL, opts...)
}

// errorCode is the server (or client) error number of err, in decimal.
func errorCode(err error) (string, bool) {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return strconv.FormatUint(uint64(me.Number), 10), true
	}
	return "", false
}

// unavailable: the driver's broken connection.
func unavailable(err error) bool { return errors.Is(err, mysql.ErrInvalidConn) }
