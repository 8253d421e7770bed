package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/tetherweb/tether/store/sqlstore"
	_ "github.com/tetherweb/tether/store/sqlstore/mysql"    // registers the driver's errors
	_ "github.com/tetherweb/tether/store/sqlstore/postgres" // registers the driver's errors
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
	"github.com/tetherweb/tether/testkit/faultproxy"
	"github.com/tetherweb/tether/testkit/servicetest"
	"github.com/tetherweb/tether/testkit/storetest"
)

// The SQL stores against a database that stops answering: a proxy in front
// of the shared PostgreSQL and MariaDB hangs (forwards nothing, closes
// nothing), and every store call with a 1 s deadline must answer
// session.ErrUnavailable within 1.5 s, then work once the proxy resumes
// (storetest.RunHung). Both drivers apply the context's deadline
// themselves; the store gets no help.

// tableName is a table no other test uses.
func hangTable() string {
	var b [6]byte
	rand.Read(b[:])
	return "tether_hang_" + hex.EncodeToString(b[:])
}

// proxiedSQL puts a proxy in front of the test server of driver ("pgx"
// for PostgreSQL, "mysql" for MariaDB) and returns the DSN through the
// proxy and the direct one.
func proxiedSQL(t *testing.T, driver string) (proxied, direct string, proxy *faultproxy.Proxy) {
	t.Helper()
	if driver == "pgx" {
		direct = servicetest.PostgresDSN(t)
		u, err := url.Parse(direct)
		if err != nil {
			t.Fatal(err)
		}
		host := u.Host
		if !strings.Contains(host, ":") {
			host += ":5432"
		}
		proxy = faultproxy.New(t, host)
		p := *u
		p.Host = proxy.Addr()
		return p.String(), direct, proxy
	}
	direct = servicetest.MySQLDSN(t)
	cfg, err := mysql.ParseDSN(direct)
	if err != nil {
		t.Fatal(err)
	}
	addr := cfg.Addr
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "3306")
	}
	proxy = faultproxy.New(t, addr)
	p := cfg.Clone()
	p.Net, p.Addr = "tcp", proxy.Addr()
	return p.FormatDSN(), direct, proxy
}

// sqlDrivers are the servers these tests run on, by driver.
var sqlDrivers = map[string]string{"postgres": "pgx", "mysql": "mysql"}

// proxiedStore returns a store on driver's test server through a proxy,
// under a fresh table (created and dropped directly, so a hung or cut
// proxy does not stand in the way), and the proxy.
func proxiedStore(t *testing.T, driver string) (*sqlstore.Store, *faultproxy.Proxy) {
	t.Helper()
	proxied, direct, proxy := proxiedSQL(t, driver)
	table := newSQLStore(t, openHangDB(t, driver, direct)).Table()
	db := openHangDB(t, driver, proxied)
	db.SetMaxOpenConns(sqlstore.MaxConns)
	s, err := sqlstore.New(db, sqlstore.WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	return s, proxy
}

func TestSQLHung(t *testing.T) {
	for name, driver := range sqlDrivers {
		t.Run(name, func(t *testing.T) {
			s, proxy := proxiedStore(t, driver)
			storetest.RunHung(t, s, proxy.Hang, proxy.Resume)
		})
	}
}

func openHangDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newSQLStore returns a store on db under a fresh table, dropped when the
// test ends.
func newSQLStore(t *testing.T, db *sql.DB) *sqlstore.Store {
	t.Helper()
	table := hangTable()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
			t.Errorf("dropping %s: %v", table, err)
		}
	})
	s, err := sqlstore.New(db, sqlstore.WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSQLCutOff: on PostgreSQL, MariaDB and SQLite, Updates and Creates
// cancelled at random points leave the old record or the new one, whole:
// a cancelled transaction rolls back (storetest.RunCutOff).
func TestSQLCutOff(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		storetest.RunCutOff(t, newSQLStore(t, openHangDB(t, "pgx", servicetest.PostgresDSN(t))))
	})
	t.Run("mysql", func(t *testing.T) {
		storetest.RunCutOff(t, newSQLStore(t, openHangDB(t, "mysql", servicetest.MySQLDSN(t))))
	})
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "sessions.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		storetest.RunCutOff(t, s)
	})
}

// TestSQLFaultsUnderLoad: the proxy in front of PostgreSQL and MariaDB
// hangs, then is cut (as if the server died), while clients increment
// counters through a session.Manager (storetest.RunFaultUnderLoad): 503
// within the bound during the fault, success after, no lost or corrupt
// record.
func TestSQLFaultsUnderLoad(t *testing.T) {
	// The driver logs every connection the proxy cuts.
	mysql.SetLogger(log.New(io.Discard, "", 0))
	for name, driver := range sqlDrivers {
		t.Run(name, func(t *testing.T) {
			s, proxy := proxiedStore(t, driver)
			t.Run("hang", func(t *testing.T) {
				storetest.RunFaultUnderLoad(t, s, proxy.Hang, proxy.Resume, true)
			})
			t.Run("kill", func(t *testing.T) {
				storetest.RunFaultUnderLoad(t, s, proxy.Stop, proxy.Start, true)
			})
		})
	}
}
