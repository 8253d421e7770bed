package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/mysql"
	"github.com/tetherweb/tether/store/sqlstore/postgres"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// Helpers for the suites on PostgreSQL and MariaDB/MySQL. Every store gets
// a table of its own, with a random name, which the test drops at its end;
// no other table is ever touched.

// tableName returns prefix followed by a random suffix.
func tableName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// testPoolSize bounds the connections of each test store, so that
// concurrent tests stay far below the servers' connection limits.
const testPoolSize = 10

// opener opens a store on one database, on a new table that the test
// drops when it ends.
type opener func(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store

// openPostgres opens a store on PostgreSQL, with tether's own table.
func openPostgres(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	return openOn(t, postgres.Open, servicetest.PostgresDSN(t), "tether_sessions", opts)
}

// openMySQL opens a store on MariaDB/MySQL, with tether's own table.
func openMySQL(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	return openOn(t, mysql.Open, servicetest.MySQLDSN(t), "tether_sessions", opts)
}

// openSQLite opens a store on a new SQLite file.
func openSQLite(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// djangoOn turns an opener into one of Django-mode stores, on a Django
// table of their own that Migrate creates with Django's DDL.
func djangoOn(open opener) opener {
	return func(t testing.TB, opts ...sqlstore.Option) *sqlstore.Store {
		t.Helper()
		s := open(t, append([]sqlstore.Option{sqlstore.WithDjangoTable(), sqlstore.WithTable(tableName("django_session"))}, opts...)...)
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		return s
	}
}

// openOn opens a store with open on dsn and a new table named after
// prefix (unless opts name one), and drops the table when the test ends.
func openOn(t testing.TB, open func(string, ...sqlstore.Option) (*sqlstore.Store, error), dsn, prefix string, opts []sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s, err := open(dsn, append([]sqlstore.Option{sqlstore.WithTable(tableName(prefix))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	s.DB().SetMaxOpenConns(testPoolSize)
	t.Cleanup(func() {
		dropTable(t, s)
		s.Close()
	})
	return s
}

// dropTable drops the store's table.
func dropTable(t testing.TB, s *sqlstore.Store) {
	t.Helper()
	q := `"` + s.Table() + `"`
	if s.Dialect() == sqlstore.MySQL {
		q = "`" + s.Table() + "`"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.DB().ExecContext(ctx, "DROP TABLE IF EXISTS "+q); err != nil {
		t.Errorf("dropping %s: %v", q, err)
	}
}
