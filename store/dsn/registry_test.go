package dsn_test

import (
	"strings"
	"testing"

	"github.com/tetherweb/tether/store/dsn"
)

// TestUnknownSchemeListsRegistered: the error names the schemes this
// program can open, so a forgotten import is plain to see.
func TestUnknownSchemeListsRegistered(t *testing.T) {
	_, err := dsn.Open("nosuch://x", dsn.Options{})
	if err == nil {
		t.Fatal("an unknown scheme was accepted")
	}
	for _, s := range []string{`"nosuch:"`, "cookie", "file", "memcached", "memory", "mysql", "postgres", "postgresql", "redis", "redis-cluster", "sqlite", "tiered"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if got := dsn.Schemes(); len(got) != 11 {
		t.Errorf("Schemes() = %v, want the 11 of the stores", got)
	}
	// A long unknown scheme is quoted cut short.
	_, err = dsn.Open(strings.Repeat("x", 10000)+":", dsn.Options{})
	if err == nil || len(err.Error()) > 400 {
		t.Errorf("long scheme: error of %d bytes", len(err.Error()))
	}
}

func TestRegisterPanics(t *testing.T) {
	open := func(string, dsn.Options) (*dsn.Opened, error) { return &dsn.Opened{}, nil }
	for name, f := range map[string]func(){
		"twice":      func() { dsn.Register("memory", open) },
		"empty":      func() { dsn.Register("", open) },
		"colon":      func() { dsn.Register("a:b", open) },
		"nil opener": func() { dsn.Register("brand-new", nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			f()
		})
	}
	if dsn.Registered("brand-new") || dsn.Registered("") {
		t.Error("a refused Register registered")
	}
}

func TestRegisterNewScheme(t *testing.T) {
	var got string
	dsn.Register("test-scheme", func(d string, o dsn.Options) (*dsn.Opened, error) {
		got = d + "|" + string(o.SecretKey)
		return &dsn.Opened{}, nil
	})
	if _, err := dsn.Open("test-scheme://a/b?c=d", dsn.Options{SecretKey: []byte("k")}); err != nil {
		t.Fatal(err)
	}
	if got != "test-scheme://a/b?c=d|k" {
		t.Errorf("the opener got %q", got)
	}
}

func TestSplitQuery(t *testing.T) {
	for _, c := range []struct{ in, target, table string }{
		{"sqlite:app.db", "app.db", ""},
		{"sqlite:app.db?table=x", "app.db", "x"},
		{"sqlite:/a?b/app.db?table=y", "/a?b/app.db", "y"},
		{"memory:", "", ""},
	} {
		target, q, err := dsn.SplitQuery(c.in)
		if err != nil || target != c.target || q.Get("table") != c.table {
			t.Errorf("SplitQuery(%q) = %q, %v, %v", c.in, target, q, err)
		}
	}
	if _, _, err := dsn.SplitQuery("sqlite:x?table=%zz"); err == nil {
		t.Error("a bad query was accepted")
	}
}

// FuzzOpen: no DSN makes Open panic; the stores connect only on first
// use, so opening is cheap.
func FuzzOpen(f *testing.F) {
	for _, s := range []string{"", ":", "memory:", "memory:?%zz", "file:", "cookie:", "tiered:", "tiered:memory:+memory:",
		"tiered:tiered:memory:+memory:+memory:", "postgres://%zz", "mysql://u:p@h/db?table=django_session",
		"mysql:opaque", "redis://h:1/0?prefix=p", "redis-cluster://", "memcached://a,b", "sqlite:?table=x", "nosuch:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.HasPrefix(s, "file:") || strings.HasPrefix(s, "sqlite:") || strings.Contains(s, "+file:") || strings.Contains(s, "+sqlite:") {
			return // these create files and directories
		}
		if o, err := dsn.Open(s, dsn.Options{SecretKey: []byte("k")}); err == nil {
			o.Close()
		}
	})
}
