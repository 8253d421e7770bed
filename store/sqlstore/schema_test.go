package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// TestDjangoExpiryPrecision: a Django table whose expire_date does not
// keep microseconds (a hand-made table, or one MySQL made before 5.6.4)
// is refused, on first use and by Migrate, with an error naming the
// column; Django's own column types are accepted.
func TestDjangoExpiryPrecision(t *testing.T) {
	cases := []struct {
		name, dialect string
		open          opener
		expireType    string
		ok            bool
		want          string // in the error
	}{
		{"mysql/datetime", "mysql", openMySQL, "datetime", false, "datetime(6)"},
		{"mysql/datetime(3)", "mysql", openMySQL, "datetime(3)", false, "datetime(6)"},
		{"mysql/datetime(6)", "mysql", openMySQL, "datetime(6)", true, ""},
		{"postgres/timestamptz(0)", "postgres", openPostgres, "timestamp(0) with time zone", false, "timestamp with time zone"},
		{"postgres/timestamp", "postgres", openPostgres, "timestamp without time zone", false, "timestamp with time zone"},
		{"postgres/timestamptz", "postgres", openPostgres, "timestamp with time zone", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := c.open(t, sqlstore.WithDjangoTable())
			q, data := `"`+s.Table()+`"`, "text"
			if c.dialect == "mysql" {
				q, data = "`"+s.Table()+"`", "longtext"
			}
			ddl := "CREATE TABLE " + q + " (session_key varchar(40) NOT NULL PRIMARY KEY, session_data " + data +
				" NOT NULL, expire_date " + c.expireType + " NOT NULL)"
			if _, err := s.DB().ExecContext(ctx, ddl); err != nil {
				t.Fatal(err)
			}
			key := session.NewKey()
			rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour).Truncate(time.Second).Add(123456 * time.Microsecond)}
			if c.ok {
				v, err := s.Create(ctx, key, rec)
				if err != nil {
					t.Fatalf("Create on Django's column type: %v", err)
				}
				rec.Version = v
				if _, err := s.Update(ctx, key, rec); err != nil {
					t.Fatalf("Update on Django's column type: %v", err)
				}
				if err := s.Migrate(ctx); err != nil {
					t.Fatalf("Migrate on Django's column type: %v", err)
				}
				return
			}
			check := func(what string, err error) {
				t.Helper()
				if err == nil || errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrUnavailable) ||
					!strings.Contains(err.Error(), "expire_date") || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s on expire_date %s: %v; want an error naming expire_date and %s", what, c.expireType, err, c.want)
				}
			}
			_, err := s.Load(ctx, key)
			check("Load", err)
			_, err = s.Create(ctx, key, rec)
			check("Create", err)
			check("Migrate", s.Migrate(ctx))
			var n int
			if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d rows written (%v)", n, err)
			}
		})
	}
}

// TestMySQLFoundRows: a *sql.DB whose connections count found rows
// (clientFoundRows=true) would let Create succeed over a live record; New's
// store refuses it on first use.
func TestMySQLFoundRows(t *testing.T) {
	cfg, err := mysql.ParseDSN(servicetest.MySQLDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClientFoundRows = true
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	s, err := sqlstore.New(db, sqlstore.WithTable(tableName("tether_found_rows")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dropTable(t, s)
		s.Close()
	})
	ctx := context.Background()
	key := session.NewKey()
	rec := session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)}
	_, err1 := s.Create(ctx, key, rec)
	_, err2 := s.Create(ctx, key, rec)
	for _, err := range []error{err1, err2} {
		if err == nil || errors.Is(err, session.ErrExists) || !strings.Contains(err.Error(), "clientFoundRows") {
			t.Errorf("Create with clientFoundRows=true: %v, want an error naming clientFoundRows", err)
		}
	}
}

// TestLongTableNames: tables whose names are as long as WithTable allows
// get an expiry index whose name fits the database's limit (MySQL refuses
// longer ones, PostgreSQL truncates them), distinct for tables sharing a
// long prefix.
func TestLongTableNames(t *testing.T) {
	ctx := context.Background()
	use := func(t *testing.T, s *sqlstore.Store) {
		t.Helper()
		key := session.NewKey()
		v, err := s.Create(ctx, key, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatalf("Create in %s: %v", s.Table(), err)
		}
		if rec, err := s.Load(ctx, key); err != nil || rec.Version != v {
			t.Fatalf("Load from %s: %+v, %v", s.Table(), rec, err)
		}
	}
	// wantIndex checks that index is the table's only secondary index,
	// on expiry, with a full name of at most max characters.
	wantIndex := func(t *testing.T, table string, indexes []string, max int) {
		t.Helper()
		if len(indexes) != 1 || len(indexes[0]) > max || !strings.HasSuffix(indexes[0], "_expiry_idx") {
			t.Errorf("%s: expiry indexes %q, want one named …_expiry_idx in at most %d characters", table, indexes, max)
		}
	}

	t.Run("mysql", func(t *testing.T) {
		name := tableName(strings.Repeat("m", 47)) // 60 characters
		s := openMySQL(t, sqlstore.WithTable(name))
		use(t, s)
		rows, err := s.DB().QueryContext(ctx, `SELECT index_name FROM information_schema.statistics
			WHERE table_schema = DATABASE() AND table_name = ? AND column_name = 'expiry'`, name)
		if err != nil {
			t.Fatal(err)
		}
		wantIndex(t, name, scanStrings(t, rows), 64)
	})

	t.Run("postgres", func(t *testing.T) {
		base := tableName(strings.Repeat("p", 44)) // 57 characters
		var indexes []string
		for _, suffix := range []string{"_a1", "_b2"} {
			name := base + suffix // 60 characters
			s := openPostgres(t, sqlstore.WithTable(name))
			use(t, s)
			rows, err := s.DB().QueryContext(ctx, `SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
				WHERE x.indrelid = to_regclass(quote_ident($1)) AND NOT x.indisprimary`, name)
			if err != nil {
				t.Fatal(err)
			}
			got := scanStrings(t, rows)
			wantIndex(t, name, got, 63)
			indexes = append(indexes, got...)
		}
		if len(indexes) == 2 && indexes[0] == indexes[1] {
			t.Errorf("two tables share the index name %s", indexes[0])
		}
	})
}
