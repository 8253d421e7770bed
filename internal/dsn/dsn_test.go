package dsn

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the tests' own statements

	"github.com/tetherweb/tether/internal/servicetest"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/filestore"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/store/sqlstore"
)

// roundTrip creates a record in s and loads it back.
func roundTrip(t *testing.T, s session.Store) {
	t.Helper()
	ctx := context.Background()
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte(`{"a":1}`), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { s.Delete(context.Background(), key) }) // shared servers stay as found
	rec, err := s.Load(ctx, key)
	if err != nil || rec.Version != v || string(rec.Data) != `{"a":1}` {
		t.Fatalf("Load = %+v, %v", rec, err)
	}
}

func mustOpen(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(dsn)
	if err != nil {
		t.Fatalf("Open(%q): %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// sqlStore returns the *sqlstore.Store behind s.
func sqlStore(t *testing.T, s *Store) *sqlstore.Store {
	t.Helper()
	ss, ok := s.Store.(*sqlstore.Store)
	if !ok {
		t.Fatalf("store is a %T, want *sqlstore.Store", s.Store)
	}
	return ss
}

func TestMemory(t *testing.T) {
	s := mustOpen(t, "memory:")
	if _, ok := s.Store.(*memstore.Store); !ok {
		t.Errorf("memory: gave a %T", s.Store)
	}
	roundTrip(t, s)
}

func TestFile(t *testing.T) {
	s := mustOpen(t, "file:"+t.TempDir())
	if _, ok := s.Store.(*filestore.Store); !ok {
		t.Errorf("file: gave a %T", s.Store)
	}
	roundTrip(t, s)
	if _, err := Open("file:"); err == nil {
		t.Error("file: without a directory accepted")
	}
}

func TestSQLite(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		dsn, table string
		django     bool
	}{
		{"sqlite:" + filepath.Join(dir, "a.db"), "tether_sessions", false},
		{"sqlite:" + filepath.Join(dir, "b.db") + "?table=app_sessions", "app_sessions", false},
		{"sqlite:" + filepath.Join(dir, "c.db") + "?table=django_session", "django_session", true},
		{"sqlite:" + filepath.Join(dir, "d.db") + "?table=main.django_session", "main.django_session", true},
	}
	for _, c := range cases {
		s := mustOpen(t, c.dsn)
		ss := sqlStore(t, s)
		if ss.Table() != c.table || ss.Django() != c.django || s.Django != c.django || ss.Dialect() != sqlstore.SQLite {
			t.Errorf("%s: table %q, django %v/%v, dialect %s; want %q, %v", c.dsn, ss.Table(), ss.Django(), s.Django, ss.Dialect(), c.table, c.django)
		}
		// Django's table is created on first use too (demo, CLI).
		roundTrip(t, s)
	}
	for _, bad := range []string{"sqlite:", "sqlite:?table=x", "sqlite:" + filepath.Join(dir, "e.db") + "?table=%zz", "sqlite:" + filepath.Join(dir, "f.db") + "?table=bad name"} {
		if s, err := Open(bad); err == nil {
			s.Close()
			t.Errorf("Open(%q) accepted", bad)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, bad := range []string{"", "nocolon", "redis-nope://x", "http://example.com", "postgres://%zz", "postgres://h/db?a=%zz", "mysql://", "mysql:opaque", "mysql://u@h/db/extra"} {
		s, err := Open(bad)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) accepted", bad)
			continue
		}
		if !strings.HasPrefix(err.Error(), "dsn: ") && !strings.HasPrefix(err.Error(), "sqlstore: ") {
			t.Errorf("Open(%q): error %q lacks its context", bad, err)
		}
	}
	_, err := Open("unknown:x")
	if err == nil || !strings.Contains(err.Error(), "unknown store") {
		t.Errorf("unknown scheme: %v", err)
	}
}

func TestMySQLDSNConversion(t *testing.T) {
	cases := []struct{ in, want string }{
		{"mysql://root@127.0.0.1:3306/test", "root@tcp(127.0.0.1:3306)/test"},
		{"mysql://u:p@db.example/app", "u:p@tcp(db.example:3306)/app"},
		{"mysql://u:p%40ss%3Aw%2Frd@h:3307/app?timeout=2s&tls=true", "u:p@ss:w/rd@tcp(h:3307)/app?timeout=2s&tls=true"},
		{"mysql://u@[::1]:3306/db", "u@tcp([::1]:3306)/db"},
		{"mysql://h:1/", "tcp(h:1)/"},
	}
	for _, c := range cases {
		u, name, err := splitTable(c.in + sep(c.in) + "table=django_session")
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if name != "django_session" {
			t.Errorf("%s: table %q", c.in, name)
		}
		got, err := mysqlDSN(u)
		if err != nil || got != c.want {
			t.Errorf("mysqlDSN(%s) = %q, %v; want %q", c.in, got, err, c.want)
			continue
		}
		cfg, err := mysql.ParseDSN(got)
		if err != nil {
			t.Errorf("the driver rejects %q: %v", got, err)
			continue
		}
		if want, _ := url.Parse(c.in); cfg.User != want.User.Username() {
			t.Errorf("%q: the driver reads user %q", got, cfg.User)
		}
		if p, ok := u.User.Password(); ok && cfg.Passwd != p {
			t.Errorf("%q: the driver reads password %q, want %q", got, cfg.Passwd, p)
		}
	}
}

func sep(s string) string {
	if strings.Contains(s, "?") {
		return "&"
	}
	return "?"
}

func TestSplitTableKeepsOtherParameters(t *testing.T) {
	u, name, err := splitTable("postgres://u:p@h:5432/db?sslmode=disable&table=s.django_session&options=-c%20x%3Dy&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	if name != "s.django_session" {
		t.Errorf("table %q", name)
	}
	if want := "postgres://u:p@h:5432/db?sslmode=disable&options=-c%20x%3Dy&connect_timeout=2"; u.String() != want {
		t.Errorf("URL %s, want %s", u, want)
	}
}

func uniqueTable(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// dropOnCleanup drops the SQL store's table when the test ends (before
// the store is closed: cleanups run last-registered first).
func dropOnCleanup(t *testing.T, s *Store, quote string) {
	ss := sqlStore(t, s)
	t.Cleanup(func() {
		if _, err := ss.DB().Exec("DROP TABLE IF EXISTS " + quote + ss.Table() + quote); err != nil {
			t.Errorf("drop: %v", err)
		}
	})
}

func TestPostgres(t *testing.T) {
	base := servicetest.PostgresDSN(t)
	for _, scheme := range []string{"postgres", "postgresql"} {
		name := uniqueTable("tether_sessions")
		dsn := scheme + strings.TrimPrefix(base, "postgres") + sep(base) + "table=" + name
		s := mustOpen(t, dsn)
		dropOnCleanup(t, s, `"`)
		ss := sqlStore(t, s)
		if ss.Dialect() != sqlstore.Postgres || ss.Table() != name || s.Django {
			t.Errorf("%s: dialect %s, table %s, django %v", dsn, ss.Dialect(), ss.Table(), s.Django)
		}
		roundTrip(t, s)
	}

	// Only a table called django_session is Django's: make it in a
	// schema of the test's own.
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schema := uniqueTable("tether_test")
	if _, err := db.Exec(`CREATE SCHEMA "` + schema + `"`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA "` + schema + `" CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	dsn := base + sep(base) + "table=" + schema + ".django_session"
	s := mustOpen(t, dsn)
	ss := sqlStore(t, s)
	if !s.Django || !ss.Django() || ss.Table() != schema+".django_session" {
		t.Errorf("%s: django %v/%v, table %s", dsn, s.Django, ss.Django(), ss.Table())
	}
	roundTrip(t, s)
	var typ string
	err = db.QueryRow(`SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'django_session' AND column_name = 'expire_date'`, schema).Scan(&typ)
	if err != nil || typ != "timestamp with time zone" {
		t.Errorf("expire_date type %q, %v", typ, err)
	}
}

func TestMySQL(t *testing.T) {
	cfg, err := mysql.ParseDSN(servicetest.MySQLDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "mysql", Host: cfg.Addr, Path: "/" + cfg.DBName}
	if cfg.Passwd != "" {
		u.User = url.UserPassword(cfg.User, cfg.Passwd)
	} else {
		u.User = url.User(cfg.User)
	}
	name := uniqueTable("tether_sessions")
	dsn := u.String() + "?timeout=5s&table=" + name
	s := mustOpen(t, dsn)
	dropOnCleanup(t, s, "`")
	ss := sqlStore(t, s)
	if ss.Dialect() != sqlstore.MySQL || ss.Table() != name || s.Django {
		t.Errorf("%s: dialect %s, table %s, django %v", dsn, ss.Dialect(), ss.Table(), s.Django)
	}
	roundTrip(t, s)

	// Django's table, in a database of the test's own.
	db, err := sql.Open("mysql", servicetest.MySQLDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schema := uniqueTable("tether_test")
	if _, err := db.Exec("CREATE DATABASE `" + schema + "`"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE `" + schema + "`"); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	dsn = u.String() + "?table=" + schema + ".django_session"
	ds := mustOpen(t, dsn)
	if !ds.Django || sqlStore(t, ds).Table() != schema+".django_session" {
		t.Errorf("%s: django %v, table %s", dsn, ds.Django, sqlStore(t, ds).Table())
	}
	roundTrip(t, ds)
	var typ string
	err = db.QueryRow("SELECT COLUMN_TYPE FROM information_schema.columns WHERE table_schema = ? AND table_name = 'django_session' AND column_name = 'expire_date'", schema).Scan(&typ)
	if err != nil || typ != "datetime(6)" {
		t.Errorf("expire_date type %q, %v", typ, err)
	}

	// A wrong password is the driver's error, reported on first use.
	u.User = url.UserPassword(cfg.User, "wrong-password")
	bad := mustOpen(t, u.String()+"?timeout=5s&table="+uniqueTable("never_created"))
	_, err = bad.Load(context.Background(), session.NewKey())
	if err == nil || errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load with a wrong password: %v", err)
	}
}
