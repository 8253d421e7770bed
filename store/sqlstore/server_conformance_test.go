package sqlstore_test

import (
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/testkit/storetest"
)

// runConformance runs the shared suite on stores that open makes: tether's
// table with hashed keys and with raw keys, and Django's table.
func runConformance(t *testing.T, open opener) {
	modes := []struct {
		name string
		open opener
		opts []sqlstore.Option
	}{
		{"hashed", open, nil},
		{"raw", open, []sqlstore.Option{sqlstore.WithHashKeys(false)}},
		{"django", djangoOn(open), nil},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) session.Store { return m.open(t, m.opts...) })
		})
	}
}

// TestConformancePostgres runs the suite on PostgreSQL.
func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	runConformance(t, openPostgres)
}

// TestConformanceMySQL runs the suite on MariaDB/MySQL.
func TestConformanceMySQL(t *testing.T) {
	t.Parallel()
	runConformance(t, openMySQL)
}

// TestConformanceDjangoSQLite runs the suite on Django's table in SQLite
// (tether's table is TestConformance's).
func TestConformanceDjangoSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return djangoOn(openSQLite)(t) })
}

// TestConcurrentRequestsPostgres: 200 concurrent requests of one client
// through a session.Manager lose no write on PostgreSQL.
func TestConcurrentRequestsPostgres(t *testing.T) {
	t.Parallel()
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store { return openPostgres(t) })
}

// TestConcurrentRequestsMySQL: the same on MariaDB/MySQL.
func TestConcurrentRequestsMySQL(t *testing.T) {
	t.Parallel()
	storetest.RunConcurrentRequests(t, func(t *testing.T) session.Store { return openMySQL(t) })
}
