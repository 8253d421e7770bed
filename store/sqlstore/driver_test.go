package sqlstore

import (
	"database/sql"
	"strings"
	"testing"
)

// TestNewNeedsDriverPackage: without its driver package, a dialect's
// driver errors could not be read, so New says which package to import.
func TestNewNeedsDriverPackage(t *testing.T) {
	drv, ok := registeredDriver(MySQL)
	if !ok {
		t.Fatal("the test binary imports store/sqlstore/mysql, yet MySQL has no driver")
	}
	drivers.Lock()
	delete(drivers.m, MySQL)
	drivers.Unlock()
	t.Cleanup(func() {
		drivers.Lock()
		drivers.m[MySQL] = drv
		drivers.Unlock()
	})
	db, err := sql.Open("mysql", "u@tcp(127.0.0.1:1)/db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = New(db)
	if err == nil || !strings.Contains(err.Error(), "import github.com/tetherweb/tether/store/sqlstore/mysql") {
		t.Errorf("New without the driver package: %v", err)
	}
}

func TestRegisterDriverPanics(t *testing.T) {
	for name, d := range map[string]Dialect{"twice": SQLite, "unknown": "oracle"} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterDriver(%q) did not panic", d)
				}
			}()
			RegisterDriver(d, Driver{})
		})
	}
}
