package postgres_test

import (
	"testing"

	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/postgres"
)

// TestOpenServerDSNs (moved here from store/sqlstore with Open).
func TestOpenServerDSNs(t *testing.T) {
	if _, err := postgres.Open("postgres://%zz"); err == nil {
		t.Error("Open accepted a bad URL")
	}
	const dsn = "postgres://u@127.0.0.1:1/db"
	s, err := postgres.Open(dsn) // no connection yet
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	if _, err := postgres.Open(dsn, sqlstore.WithTable("bad name")); err == nil {
		t.Error("a bad table name was accepted")
	}
	if s.Dialect() != sqlstore.Postgres || s.DB().Stats().MaxOpenConnections != sqlstore.MaxConns {
		t.Errorf("dialect %s, pool of %d", s.Dialect(), s.DB().Stats().MaxOpenConnections)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.DB().Ping(); err == nil {
		t.Error("Close left the database open")
	}
}
