package sqlstore_test

import (
	"context"
	"testing"

	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

func TestSplitTableKeepsOtherParameters(t *testing.T) {
	u, name, err := sqlstore.SplitTableParam("postgres://u:p@h:5432/db?sslmode=disable&table=s.django_session&options=-c%20x%3Dy&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	if name != "s.django_session" {
		t.Errorf("table %q", name)
	}
	if want := "postgres://u:p@h:5432/db?sslmode=disable&options=-c%20x%3Dy&connect_timeout=2"; u.String() != want {
		t.Errorf("URL %s, want %s", u, want)
	}
}

func TestTableOptions(t *testing.T) {
	for _, c := range []struct {
		name, table string
		django      bool
	}{
		{"", sqlstore.DefaultTable, false},
		{"app_sessions", "app_sessions", false},
		{"django_session", "django_session", true},
		{"main.django_session", "main.django_session", true},
		{"django_sessions", "django_sessions", false},
	} {
		opts, django := sqlstore.TableOptions(c.name)
		s, err := sqlite.Open(":memory:", opts...)
		if err != nil {
			t.Fatalf("%q: %v", c.name, err)
		}
		if django != c.django || s.Django() != c.django || s.Table() != c.table {
			t.Errorf("TableOptions(%q): django %v, store on %q (Django %v); want %q, %v", c.name, django, s.Table(), s.Django(), c.table, c.django)
		}
		// Django's table is created on first use (the demo and the CLI
		// may start on an empty database).
		if _, err := s.Count(context.Background()); err != nil {
			t.Errorf("%q: Count: %v", c.name, err)
		}
		s.Close()
	}
}
