package apps

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	_ "github.com/tetherweb/tether/store/sqlstore/postgres" // registers the pgx dialect with sqlstore
)

// poolSize is both PostgreSQL Apps' connection pool (sqlstore.MaxConns,
// what sqlstore's own opener sets).
const poolSize = sqlstore.MaxConns

// openPostgres opens dsn through pgx's database/sql driver, every
// connection counted by trips.
func openPostgres(dsn string, trips *RoundTrips) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("apps: postgres dsn: %w", err)
	}
	cfg.DialFunc = trips.dial
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	return db, nil
}

// PostgresUp reports whether a PostgreSQL server answers at dsn.
func PostgresUp(dsn string) bool {
	db, err := openPostgres(dsn, new(RoundTrips))
	if err != nil {
		return false
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx) == nil
}

// tableName returns a table name that no other run uses.
func tableName(what string) string {
	return "bench_" + what + "_" + hex.EncodeToString(randomBytes(6))
}

// dropTable drops the App's own table, then closes db.
func dropTable(db *sql.DB, table string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db.ExecContext(ctx, `DROP TABLE IF EXISTS "`+table+`"`)
	db.Close()
}

// tetherPostgres is tether's sqlstore on PostgreSQL (its own table, made
// by the store's migration on first use).
func tetherPostgres(name string, secret []byte, cfg Config) (*App, error) {
	trips := new(RoundTrips)
	db, err := openPostgres(cfg.PostgresDSN, trips)
	if err != nil {
		return nil, err
	}
	table := tableName("tether")
	store, err := sqlstore.New(db, sqlstore.WithDialect(sqlstore.Postgres), sqlstore.WithTable(table))
	if err != nil {
		db.Close()
		return nil, err
	}
	return tether(name, &session.Manager{Store: store, SecretKey: secret}, cfg, trips, func() {
		store.Close()
		dropTable(db, table)
	}), nil
}

// scsPostgres is scs's postgresstore, on the table its README gives (no
// cleanup goroutine: expired rows are no concern of a benchmark).
func scsPostgres(name string, cfg Config) (*App, error) {
	trips := new(RoundTrips)
	db, err := openPostgres(cfg.PostgresDSN, trips)
	if err != nil {
		return nil, err
	}
	table := tableName("scs")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE TABLE "`+table+`" (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("apps: scs-pg: create table: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE INDEX "`+table+`_expiry_idx" ON "`+table+`" (expiry)`); err != nil {
		dropTable(db, table)
		return nil, fmt.Errorf("apps: scs-pg: create index: %w", err)
	}
	store := postgresstore.NewWithConfig(db, postgresstore.Config{TableName: `"` + table + `"`})
	return scsApp(name, store, cfg, trips, func() { dropTable(db, table) }), nil
}
