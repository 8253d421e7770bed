package dsn_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tetherweb/tether"

// drivers are the database and cache client modules, by what they are.
var drivers = map[string]string{
	"modernc.org/sqlite":             "SQLite",
	"github.com/jackc/pgx/v5":        "pgx",
	"github.com/go-sql-driver/mysql": "MySQL",
	"github.com/redis/go-redis/v9":   "go-redis",
	"github.com/bradfitz/gomemcache": "gomemcache",
	"github.com/chromedp/chromedp":   "chromedp",
}

const registry = module + "/store/dsn"

// goList runs go list in the module and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	goBin, err := exec.LookPath(filepath.Join(runtime.GOROOT(), "bin", "go"))
	if err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Fatalf("no go command to list the packages with: %v", err)
		}
	}
	out, err := exec.Command(goBin, append([]string{"list"}, args...)...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// linked returns which of drivers the packages of a program link.
func linked(deps []string) []string {
	var found []string
	for _, d := range deps {
		for mod, name := range drivers {
			if (d == mod || strings.HasPrefix(d, mod+"/")) && !slices.Contains(found, name) {
				found = append(found, name)
			}
		}
	}
	slices.Sort(found)
	return found
}

// TestDependencies: a program links the drivers of the stores it
// imports and no other (go list -deps of a program's imports is what its
// binary links, the runtime aside).
func TestDependencies(t *testing.T) {
	for _, c := range []struct {
		name    string
		imports []string
		want    []string
	}{
		{"session and memstore", []string{"session", "store/memstore"}, nil},
		{"session and the PostgreSQL store", []string{"session", "store/sqlstore/postgres"}, []string{"pgx"}},
		{"session and the SQLite store", []string{"session", "store/sqlstore/sqlite"}, []string{"SQLite"}},
		{"session and the MySQL store", []string{"session", "store/sqlstore/mysql"}, []string{"MySQL"}},
		{"the DSN registry and PostgreSQL", []string{"store/dsn", "store/sqlstore/postgres"}, []string{"pgx"}},
		{"the dialect-independent SQL store", []string{"store/sqlstore"}, nil},
		{"the DSN registry alone", []string{"store/dsn"}, nil},
		{"the tiered store", []string{"store/tieredstore", "store/memstore"}, nil},
		{"session, messages and the file and cookie stores", []string{"session", "messages", "store/filestore", "store/cookiestore"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"-deps"}
			for _, p := range c.imports {
				args = append(args, module+"/"+p)
			}
			if got := linked(goList(t, args...)); !slices.Equal(got, c.want) {
				t.Errorf("go list -deps %v links %v, want %v", c.imports, got, c.want)
			}
		})
	}
}

// TestCoreImportsNoStore: the core packages link no driver and not the
// DSN registry (nor any store).
func TestCoreImportsNoStore(t *testing.T) {
	for _, p := range []string{"signing", "cookie", "proxy", "session", "messages", "csrf", "secure", "deploy"} {
		deps := goList(t, "-deps", module+"/"+p)
		if got := linked(deps); len(got) > 0 {
			t.Errorf("%s links %v", p, got)
		}
		for _, d := range deps {
			if d == registry || strings.HasPrefix(d, module+"/store/") {
				t.Errorf("%s links %s", p, d)
			}
		}
	}
}

// TestOnlyCommandsImportEveryStore: outside cmd/ and examples/, no
// package imports more than one store package that links a driver, so no
// library package drags in every driver.
func TestOnlyCommandsImportEveryStore(t *testing.T) {
	driverStores := []string{"store/sqlstore/sqlite", "store/sqlstore/postgres", "store/sqlstore/mysql", "store/redisstore", "store/memcachestore"}
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...") {
		pkg, imports, _ := strings.Cut(line, " ")
		rel := strings.TrimPrefix(pkg, module+"/")
		if strings.HasPrefix(rel, "cmd/") || strings.HasPrefix(rel, "examples/") {
			continue
		}
		var n []string
		for _, imp := range strings.Fields(imports) {
			if slices.Contains(driverStores, strings.TrimPrefix(imp, module+"/")) {
				n = append(n, imp)
			}
		}
		if len(n) > 1 {
			t.Errorf("%s imports %d stores with drivers: %v", pkg, len(n), n)
		}
	}
}
