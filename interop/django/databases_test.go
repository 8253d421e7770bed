package djangointerop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/tetherweb/tether/store/sqlstore"
	mysqlstore "github.com/tetherweb/tether/store/sqlstore/mysql"
	"github.com/tetherweb/tether/store/sqlstore/postgres"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// djangoDB is one database that a real Django (sessions_db.py) and a
// Django-mode sqlstore share, with Django's tables made by Django's own
// migrations.
type djangoDB struct {
	// arg is the DB argument of sessions_db.py: a SQLite path or the JSON
	// of Django's DATABASES["default"].
	arg string
	// store is a store on Django's django_session table of that database.
	store *sqlstore.Store
}

// randomName returns prefix followed by 12 random hex digits.
func randomName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// eachDjangoDB runs f in a subtest for SQLite, PostgreSQL and
// MySQL/MariaDB, each on a database that Django has just migrated and that
// belongs to this subtest alone: a new SQLite file, a new PostgreSQL schema
// (Django's search_path) or a new MariaDB database, dropped at the end.
func eachDjangoDB(t *testing.T, f func(t *testing.T, db djangoDB)) {
	djangoPython(t)
	for _, b := range []struct {
		name string
		make func(t *testing.T) (arg string, open func() (*sqlstore.Store, error))
	}{
		{"sqlite", sqliteDjangoDB},
		{"postgres", postgresDjangoDB},
		{"mysql", mysqlDjangoDB},
	} {
		t.Run(b.name, func(t *testing.T) {
			arg, open := b.make(t)
			runPython(t, "sessions_db.py", nil, "migrate", arg)
			store, err := open()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			f(t, djangoDB{arg: arg, store: store})
		})
	}
}

func sqliteDjangoDB(t *testing.T) (string, func() (*sqlstore.Store, error)) {
	db := filepath.Join(t.TempDir(), "shared.sqlite3")
	return db, func() (*sqlstore.Store, error) { return sqlite.Open(db, sqlstore.WithDjangoTable()) }
}

// adminExec runs DDL on a server through a throwaway store's pool.
func adminExec(t *testing.T, s *sqlstore.Store, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := s.DB().ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func postgresDjangoDB(t *testing.T) (string, func() (*sqlstore.Store, error)) {
	dsn := servicetest.PostgresDSN(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := postgres.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := randomName("tether_django_")
	adminExec(t, admin, "CREATE SCHEMA "+schema)
	t.Cleanup(func() {
		adminExec(t, admin, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	conf, _ := json.Marshal(map[string]any{
		"ENGINE": "django.db.backends.postgresql", "NAME": cfg.Database, "USER": cfg.User,
		"PASSWORD": cfg.Password, "HOST": cfg.Host, "PORT": cfg.Port,
		"OPTIONS": map[string]string{"options": "-c search_path=" + schema},
	})
	return string(conf), func() (*sqlstore.Store, error) {
		return postgres.Open(dsn, sqlstore.WithDjangoTable(), sqlstore.WithTable(schema+"."+sqlstore.DjangoTableName))
	}
}

func mysqlDjangoDB(t *testing.T) (string, func() (*sqlstore.Store, error)) {
	dsn := servicetest.MySQLDSN(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := mysqlstore.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := randomName("tether_django_")
	adminExec(t, admin, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
	t.Cleanup(func() {
		adminExec(t, admin, "DROP DATABASE "+name)
		admin.Close()
	})
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		t.Fatalf("TETHER_MYSQL_DSN address %q: %v", cfg.Addr, err)
	}
	conf, _ := json.Marshal(map[string]any{
		"ENGINE": "django.db.backends.mysql", "NAME": name, "USER": cfg.User,
		"PASSWORD": cfg.Passwd, "HOST": host, "PORT": port,
		"OPTIONS": map[string]string{"charset": "utf8mb4"},
	})
	cfg.DBName = name
	return string(conf), func() (*sqlstore.Store, error) {
		return mysqlstore.Open(cfg.FormatDSN(), sqlstore.WithDjangoTable())
	}
}
