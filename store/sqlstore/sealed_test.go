package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestSealedAtRest reads every row of the table through the database's own
// client: with Manager.SecretKey set, no column shows the session's values
// or its key, on SQLite, PostgreSQL and MariaDB.
func TestSealedAtRest(t *testing.T) {
	for name, open := range map[string]opener{"sqlite": openSQLite, "postgres": openPostgres, "mysql": openMySQL} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			storetest.RunSealedAtRest(t, s, func(t *testing.T, _ string) []byte {
				return dumpTable(t, s)
			})
		})
	}
}

// dumpTable returns every column of every row of the store's table, as
// the database gives them.
func dumpTable(t *testing.T, s *sqlstore.Store) []byte {
	t.Helper()
	q := `"` + s.Table() + `"`
	if s.Dialect() == sqlstore.MySQL {
		q = "`" + s.Table() + "`"
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB().QueryContext(context.Background(), "SELECT * FROM "+q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out bytes.Buffer
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(&out, "%s=%s\n", cols[i], v)
			default:
				fmt.Fprintf(&out, "%s=%v\n", cols[i], v)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
