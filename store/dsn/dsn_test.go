package dsn_test

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

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/cookiestore"
	"github.com/tetherweb/tether/store/dsn"
	"github.com/tetherweb/tether/store/filestore"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/tieredstore"
	"github.com/tetherweb/tether/testkit/servicetest"

	// The other stores register their schemes.
	_ "github.com/tetherweb/tether/store/memcachestore"
	_ "github.com/tetherweb/tether/store/redisstore"
	_ "github.com/tetherweb/tether/store/sqlstore/mysql"
	_ "github.com/tetherweb/tether/store/sqlstore/postgres"
	_ "github.com/tetherweb/tether/store/sqlstore/sqlite"
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

func mustOpen(t *testing.T, src string) *dsn.Opened {
	t.Helper()
	s, err := dsn.Open(src, dsn.Options{})
	if err != nil {
		t.Fatalf("dsn.Open(%q, dsn.Options{}): %v", src, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// sqlStore returns the *sqlstore.Store behind s.
func sqlStore(t *testing.T, s *dsn.Opened) *sqlstore.Store {
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
	if _, err := dsn.Open("file:", dsn.Options{}); err == nil {
		t.Error("file: without a directory accepted")
	}
}

func TestSQLite(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		src, table string
		django     bool
	}{
		{"sqlite:" + filepath.Join(dir, "a.db"), "tether_sessions", false},
		{"sqlite:" + filepath.Join(dir, "b.db") + "?table=app_sessions", "app_sessions", false},
		{"sqlite:" + filepath.Join(dir, "c.db") + "?table=django_session", "django_session", true},
		{"sqlite:" + filepath.Join(dir, "d.db") + "?table=main.django_session", "main.django_session", true},
	}
	for _, c := range cases {
		s := mustOpen(t, c.src)
		ss := sqlStore(t, s)
		if ss.Table() != c.table || ss.Django() != c.django || s.Django != c.django || ss.Dialect() != sqlstore.SQLite {
			t.Errorf("%s: table %q, django %v/%v, dialect %s; want %q, %v", c.src, ss.Table(), ss.Django(), s.Django, ss.Dialect(), c.table, c.django)
		}
		// Django's table is created on first use too (demo, CLI).
		roundTrip(t, s)
	}
	for _, bad := range []string{"sqlite:", "sqlite:?table=x", "sqlite:" + filepath.Join(dir, "e.db") + "?table=%zz", "sqlite:" + filepath.Join(dir, "f.db") + "?table=bad name"} {
		if s, err := dsn.Open(bad, dsn.Options{}); err == nil {
			s.Close()
			t.Errorf("dsn.Open(%q, dsn.Options{}) accepted", bad)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, bad := range []string{"", "nocolon", "redis-nope://x", "http://example.com", "postgres://%zz", "postgres://h/db?a=%zz", "mysql://", "mysql:opaque", "mysql://u@h/db/extra"} {
		s, err := dsn.Open(bad, dsn.Options{})
		if err == nil {
			s.Close()
			t.Errorf("dsn.Open(%q, dsn.Options{}) accepted", bad)
			continue
		}
		if !strings.HasPrefix(err.Error(), "dsn: ") && !strings.HasPrefix(err.Error(), "sqlstore: ") {
			t.Errorf("dsn.Open(%q, dsn.Options{}): error %q lacks its context", bad, err)
		}
	}
	_, err := dsn.Open("unknown:x", dsn.Options{})
	if err == nil || !strings.Contains(err.Error(), "unknown store") {
		t.Errorf("unknown scheme: %v", err)
	}
}

func sep(s string) string {
	if strings.Contains(s, "?") {
		return "&"
	}
	return "?"
}

func uniqueTable(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// dropOnCleanup drops the SQL store's table when the test ends (before
// the store is closed: cleanups run last-registered first).
func dropOnCleanup(t *testing.T, s *dsn.Opened, quote string) {
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
		src := scheme + strings.TrimPrefix(base, "postgres") + sep(base) + "table=" + name
		s := mustOpen(t, src)
		dropOnCleanup(t, s, `"`)
		ss := sqlStore(t, s)
		if ss.Dialect() != sqlstore.Postgres || ss.Table() != name || s.Django {
			t.Errorf("%s: dialect %s, table %s, django %v", src, ss.Dialect(), ss.Table(), s.Django)
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
	src := base + sep(base) + "table=" + schema + ".django_session"
	s := mustOpen(t, src)
	ss := sqlStore(t, s)
	if !s.Django || !ss.Django() || ss.Table() != schema+".django_session" {
		t.Errorf("%s: django %v/%v, table %s", src, s.Django, ss.Django(), ss.Table())
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
	src := u.String() + "?timeout=5s&table=" + name
	s := mustOpen(t, src)
	dropOnCleanup(t, s, "`")
	ss := sqlStore(t, s)
	if ss.Dialect() != sqlstore.MySQL || ss.Table() != name || s.Django {
		t.Errorf("%s: dialect %s, table %s, django %v", src, ss.Dialect(), ss.Table(), s.Django)
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
	src = u.String() + "?table=" + schema + ".django_session"
	ds := mustOpen(t, src)
	if !ds.Django || sqlStore(t, ds).Table() != schema+".django_session" {
		t.Errorf("%s: django %v, table %s", src, ds.Django, sqlStore(t, ds).Table())
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

func TestRedis(t *testing.T) {
	addr := servicetest.RedisAddr(t)
	s, err := dsn.Open("redis://"+addr+"/0?prefix=tether-dsn-test:", dsn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	roundTrip(t, s)
}

func TestRedisClusterParsing(t *testing.T) {
	s, err := dsn.Open("redis-cluster://127.0.0.1:1,127.0.0.1:2?prefix=p:", dsn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := dsn.Open("redis-cluster://", dsn.Options{}); err == nil {
		t.Fatal("empty cluster accepted")
	}
}

func TestMemcached(t *testing.T) {
	s, err := dsn.Open("memcached://"+servicetest.MemcachedAddr(t), dsn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	roundTrip(t, s)
	if _, err := dsn.Open("memcached://", dsn.Options{}); err == nil {
		t.Fatal("memcached:// without a host accepted")
	}
}

func TestCookie(t *testing.T) {
	if _, err := dsn.Open("cookie:", dsn.Options{}); err == nil || !strings.Contains(err.Error(), "secret key") {
		t.Fatalf("cookie: without a key: %v", err)
	}
	s, err := dsn.Open("cookie:", dsn.Options{SecretKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Cookie.(*cookiestore.Store); !ok {
		t.Fatalf("cookie: gave %T", s.Store)
	}
}

func TestTiered(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	s, err := dsn.Open("tiered:memory:+sqlite:"+db+"?table=django_session", dsn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, ok := s.Store.(*tieredstore.Store); !ok || !s.Django {
		t.Fatalf("tiered gave %T (django %v)", s.Store, s.Django)
	}
	roundTrip(t, s)
	for _, bad := range []string{"tiered:memory:", "tiered:memory:+nosuch:x", "tiered:"} {
		if _, err := dsn.Open(bad, dsn.Options{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
