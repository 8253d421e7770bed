package mysql_test

import (
	"strings"
	"testing"

	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/mysql"
)

// TestOpenServerDSNs (moved here from store/sqlstore with Open).
func TestOpenServerDSNs(t *testing.T) {
	if _, err := mysql.Open("no-slash"); err == nil {
		t.Error("Open accepted a bad DSN")
	}
	if _, err := mysql.Open("u@tcp(h:3306)/db?clientFoundRows=true"); err == nil || !strings.Contains(err.Error(), "clientFoundRows") {
		t.Errorf("Open with clientFoundRows: %v", err)
	}
	const dsn = "u@tcp(127.0.0.1:1)/db"
	s, err := mysql.Open(dsn) // no connection yet
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	if _, err := mysql.Open(dsn, sqlstore.WithTable("bad name")); err == nil {
		t.Error("a bad table name was accepted")
	}
	if s.Dialect() != sqlstore.MySQL || s.DB().Stats().MaxOpenConnections != sqlstore.MaxConns {
		t.Errorf("dialect %s, pool of %d", s.Dialect(), s.DB().Stats().MaxOpenConnections)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.DB().Ping(); err == nil {
		t.Error("Close left the database open")
	}
}
