// Package postgres opens a session store on PostgreSQL through pgx's
// database/sql driver (github.com/jackc/pgx/v5/stdlib, driver name "pgx").
// The store itself, with its Django mode, is package store/sqlstore; this
// package holds what needs the driver, so that only an app that imports
// it links pgx. Importing it also registers pgx's errors with sqlstore
// (see sqlstore.Driver), for a *sql.DB opened with sql.Open("pgx", …) and
// given to sqlstore.New, and the DSN schemes "postgres" and "postgresql"
// with store/dsn.
package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/tetherweb/tether/store/sqlstore"
)

func init() {
	sqlstore.RegisterDriver(sqlstore.Postgres, sqlstore.Driver{
		ErrorCode:   errorCode,
		Unavailable: unavailable,
	})
}

// Open opens a PostgreSQL database through pgx's database/sql driver and
// returns a store on it. dsn is anything pgx accepts: a URL
// ("postgres://user:pass@host:5432/db?sslmode=disable&connect_timeout=5")
// or key=value pairs ("host=… dbname=…"), with the PG* environment
// variables as defaults. It is checked here, but no connection is made
// until the store's first use. The store's Close closes the database.
//
// Set connect_timeout in dsn (seconds) so that requests fail fast while
// the server is unreachable: pgx waits for the caller's context otherwise.
// The pool holds up to sqlstore.MaxConns connections (see Store.DB to
// change it). The store prepares its statements on each connection once,
// so it needs session pooling from a proxy such as PgBouncer (in
// transaction pooling, open the *sql.DB yourself with a pgx exec mode
// that does not prepare, and use sqlstore.New).
func Open(dsn string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(sqlstore.MaxConns)
	db.SetMaxIdleConns(sqlstore.MaxConns)
	db.SetConnMaxIdleTime(sqlstore.MaxIdleTime)
	return sqlstore.NewOwned(db, sqlstore.Postgres, opts...)
}

// errorCode is the SQLSTATE of a server error (pgconn.PgError's code).
func errorCode(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, true
	}
	return "", false
}

// unavailable: a failed connection attempt, a connection closed under the
// store, a network timeout.
func unavailable(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.Timeout(err)
}
