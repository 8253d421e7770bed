package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// calls counts what a store asks of its driver: each statement executed
// or queried (prepared or not) is one round trip to the database.
type calls struct {
	stmts, prepares, begins atomic.Int64
}

// countingConnector wraps a driver's connector to count calls.
type countingConnector struct {
	driver.Connector
	n *calls
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: c.n}, nil
}

type countingConn struct {
	driver.Conn
	n *calls
}

func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.n.prepares.Add(1)
	var (
		st  driver.Stmt
		err error
	)
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, n: c.n}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.n.begins.Add(1)
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.n.stmts.Add(1)
	return e.ExecContext(ctx, query, args)
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.n.stmts.Add(1)
	return q.QueryContext(ctx, query, args)
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if v, ok := c.Conn.(driver.NamedValueChecker); ok {
		return v.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type countingStmt struct {
	driver.Stmt
	n *calls
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.stmts.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.stmts.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// TestRoundTrips counts the statements each operation sends, through a
// driver wrapper, once the store's statements are prepared: Load and
// Update are one each, in tether mode and in Django mode.
func TestRoundTrips(t *testing.T) {
	backends := []struct {
		name    string
		dialect sqlstore.Dialect
		connect func(t *testing.T) driver.Connector
		quote   string
	}{
		{"sqlite", sqlstore.SQLite, func(t *testing.T) driver.Connector {
			// The driver registered as "sqlite", which has the functions
			// this package registers (Django mode needs one).
			db, err := sql.Open("sqlite", ":memory:")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			return dsnConnector{db.Driver(), filepath.Join(t.TempDir(), "s.db")}
		}, `"`},
		{"postgres", sqlstore.Postgres, func(t *testing.T) driver.Connector {
			cfg, err := pgx.ParseConfig(servicetest.PostgresDSN(t))
			if err != nil {
				t.Fatal(err)
			}
			return stdlib.GetConnector(*cfg)
		}, `"`},
		{"mysql", sqlstore.MySQL, func(t *testing.T) driver.Connector {
			cfg, err := mysql.ParseDSN(servicetest.MySQLDSN(t))
			if err != nil {
				t.Fatal(err)
			}
			c, err := mysql.NewConnector(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, "`"},
	}
	for _, b := range backends {
		for _, django := range []bool{false, true} {
			name := b.name
			if django {
				name += "/django"
			}
			t.Run(name, func(t *testing.T) {
				n := new(calls)
				db := sql.OpenDB(countingConnector{b.connect(t), n})
				db.SetMaxOpenConns(1) // statements stay prepared on the one connection
				t.Cleanup(func() { db.Close() })
				opts := []sqlstore.Option{sqlstore.WithDialect(b.dialect), sqlstore.WithTable(tableName("tether_rt"))}
				if django {
					opts = append(opts, sqlstore.WithDjangoTable(), sqlstore.WithTable(tableName("django_session_rt")))
				}
				s, err := sqlstore.New(db, opts...)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					s.Close()
					if _, err := db.Exec("DROP TABLE IF EXISTS " + b.quote + s.Table() + b.quote); err != nil {
						t.Errorf("drop: %v", err)
					}
				})
				key := session.NewKey()
				expiry := time.Now().Add(time.Hour)
				if _, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("warm-up"), Expiry: expiry}); err != nil {
					t.Fatal(err) // prepares every statement
				}

				count := func(op string, want int64, fn func() error) {
					t.Helper()
					before, prepares, begins := n.stmts.Load(), n.prepares.Load(), n.begins.Load()
					if err := fn(); err != nil {
						t.Fatalf("%s: %v", op, err)
					}
					if got := n.stmts.Load() - before; got != want {
						t.Errorf("%s: %d round trips, want %d", op, got, want)
					}
					if n.prepares.Load() != prepares || n.begins.Load() != begins {
						t.Errorf("%s prepared a statement or began a transaction", op)
					}
				}
				var v session.Version
				count("Create", 1, func() (err error) {
					v, err = s.Create(ctx, key, session.Record{Data: []byte("one"), Expiry: expiry})
					return err
				})
				count("Load", 1, func() error { _, err := s.Load(ctx, key); return err })
				count("Update", 1, func() (err error) {
					v, err = s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: v})
					return err
				})
				count("stale Update (and the probe that tells a conflict)", 2, func() error {
					_, err := s.Update(ctx, key, session.Record{Data: []byte("three"), Expiry: expiry, Version: v + 1})
					if !errors.Is(err, session.ErrConflict) {
						return err
					}
					return nil
				})
				count("Delete", 1, func() error { return s.Delete(ctx, key) })
				count("DeleteExpired", 1, func() error { _, err := s.DeleteExpired(ctx, 100); return err })
			})
		}
	}
}

// dsnConnector is a connector for a driver that has none of its own.
type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }
