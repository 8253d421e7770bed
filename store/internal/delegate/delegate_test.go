package delegate

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tetherweb/tether/session"
)

// plain is a session.Store that can neither list nor count.
type plain struct{}

func (plain) Load(context.Context, string) (session.Record, error) {
	return session.Record{}, session.ErrNotFound
}
func (plain) Create(context.Context, string, session.Record) (session.Version, error) { return 1, nil }
func (plain) Update(context.Context, string, session.Record) (session.Version, error) { return 2, nil }
func (plain) Delete(context.Context, string) error                                    { return nil }

// listing lists and counts: what it was asked, and the result it is given.
type listing struct {
	plain
	entries []session.Entry
	n       int
	err     error
	after   string
	limit   int
}

func (l *listing) List(_ context.Context, after string, limit int) ([]session.Entry, error) {
	l.after, l.limit = after, limit
	return l.entries, l.err
}

func (l *listing) Count(context.Context) (int, error) { return l.n, l.err }

func TestUnsupported(t *testing.T) {
	ctx := context.Background()
	if _, err := List(ctx, "pkg", plain{}, "", 0); !errors.Is(err, errors.ErrUnsupported) || !strings.HasPrefix(err.Error(), "pkg: list: ") {
		t.Errorf("List of a store that cannot list: %v", err)
	}
	if _, err := Count(ctx, "pkg", plain{}); !errors.Is(err, errors.ErrUnsupported) || !strings.HasPrefix(err.Error(), "pkg: count: ") {
		t.Errorf("Count of a store that cannot count: %v", err)
	}
}

func TestPassesOn(t *testing.T) {
	ctx := context.Background()
	want := []session.Entry{{ID: "a", Size: 3}, {ID: "b", Size: 4}}
	d := &listing{entries: want, n: 7}
	got, err := List(ctx, "pkg", d, "after", 5)
	if err != nil || !reflect.DeepEqual(got, want) || d.after != "after" || d.limit != 5 {
		t.Errorf("List = %v, %v (asked after %q, limit %d)", got, err, d.after, d.limit)
	}
	if n, err := Count(ctx, "pkg", d); n != 7 || err != nil {
		t.Errorf("Count = %d, %v; want 7", n, err)
	}
}

func TestWrapsErrors(t *testing.T) {
	ctx := context.Background()
	d := &listing{err: session.ErrUnavailable}
	if _, err := List(ctx, "pkg", d, "", 0); !errors.Is(err, session.ErrUnavailable) || !strings.HasPrefix(err.Error(), "pkg: list: ") {
		t.Errorf("List error = %v", err)
	}
	if _, err := Count(ctx, "pkg", d); !errors.Is(err, session.ErrUnavailable) || !strings.HasPrefix(err.Error(), "pkg: count: ") {
		t.Errorf("Count error = %v", err)
	}
}
