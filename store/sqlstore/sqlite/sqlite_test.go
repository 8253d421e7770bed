package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

func TestOpenSQLiteSettings(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var mode string
	var timeout int
	conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout)
	if mode != "wal" || timeout != sqlite.BusyTimeout {
		t.Errorf("journal_mode %q, busy_timeout %d; want wal, %d", mode, timeout, sqlite.BusyTimeout)
	}
	if n := s.DB().Stats().MaxOpenConnections; n != sqlite.MaxConns {
		t.Errorf("pool of %d, want %d", n, sqlite.MaxConns)
	}

	if _, err := sqlite.Open(""); err == nil {
		t.Error(`Open("") accepted`)
	}
	if _, err := sqlite.Open("a?b.db"); err == nil {
		t.Error(`Open with '?' accepted`)
	}
	if _, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"), sqlstore.WithTable("bad name")); err == nil {
		t.Error("a bad table name was accepted")
	}
}

func TestOpenSQLiteMemory(t *testing.T) {
	s, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := session.NewKey()
	if _, err := s.Create(context.Background(), key, session.Record{Data: []byte("in memory"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := s.Load(context.Background(), key); err != nil {
				t.Errorf("Load: %v", err)
			}
		})
	}
	wg.Wait()
}

// TestCloseClosesDB: the store owns the database Open made.
func TestCloseClosesDB(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Ping(); err == nil {
		t.Error("Close left the database open")
	}
}

// TestVersionFunction: importing the package registers the SQL function
// Django mode computes versions with, on any "sqlite" *sql.DB.
func TestVersionFunction(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "raw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow("SELECT "+sqlstore.SQLiteVersionFunction+"(?, ?)", "data", "2030-01-02 03:04:05.000000").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := sqlstore.DjangoRowVersion("data", "2030-01-02 03:04:05.000000"); got != want || got != "14ebc1aa16c461c6" {
		t.Errorf("%s = %s, want %s", sqlstore.SQLiteVersionFunction, got, want)
	}
}

// TestNewOwnedClosesOnFailure: a database handed to NewOwned is closed
// when no store can be made on it, and by the store's Close otherwise.
func TestNewOwnedClosesOnFailure(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "owned.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewOwned(db, sqlstore.SQLite, sqlstore.WithTable("bad name")); err == nil {
		t.Fatal("a bad table name was accepted")
	}
	if err := db.Ping(); err == nil {
		t.Error("NewOwned left the database open after failing")
	}
	db, err = sql.Open("sqlite", filepath.Join(t.TempDir(), "owned2.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.NewOwned(db, sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := db.Ping(); err == nil {
		t.Error("the store's Close left its database open")
	}
}
