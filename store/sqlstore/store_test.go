package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

func TestMigrateCreatesTableAndIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := rawDB(t, path)

	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'tether_sessions'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("table before first use: %d, %v; want none (New must not touch the database)", n, err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}

	rows, err := db.Query(`SELECT name, type, "notnull", pk FROM pragma_table_info('tether_sessions') ORDER BY cid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, typ string
		var notNull, pk int
		if err := rows.Scan(&name, &typ, &notNull, &pk); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s notnull=%d pk=%d", name, typ, notNull, pk))
	}
	want := []string{
		"id TEXT notnull=1 pk=1",
		"data BLOB notnull=1 pk=0",
		"expiry INTEGER notnull=1 pk=0",
		"version INTEGER notnull=1 pk=0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("columns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var idxCol string
	err = db.QueryRow(`SELECT name FROM pragma_index_info('tether_sessions_expiry_idx')`).Scan(&idxCol)
	if err != nil || idxCol != "expiry" {
		t.Errorf("expiry index: column %q, %v", idxCol, err)
	}
}

func TestMigrateIdempotentAndConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	ctx := context.Background()
	var stores []*Store
	for range 3 {
		s, err := openSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	key := session.NewKey()
	v := mustCreate(t, stores[0], key, "kept", time.Now().Add(time.Hour))

	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			if err := stores[i%len(stores)].Migrate(ctx); err != nil {
				t.Errorf("Migrate: %v", err)
			}
		})
	}
	wg.Wait()
	if err := stores[0].Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	rec, err := stores[1].Load(ctx, key)
	if err != nil || rec.Version != v || string(rec.Data) != "kept" {
		t.Fatalf("record after repeated migrations: %+v, %v", rec, err)
	}
}

func TestLazyMigrationOnce(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, err := s.Load(ctx, session.NewKey())
			if !errors.Is(err, session.ErrNotFound) {
				t.Errorf("first Load on a new database: %v, want ErrNotFound", err)
			}
		})
	}
	wg.Wait()
	if !s.migrated.Load() {
		t.Error("store not marked migrated after first use")
	}
}

func TestLazyMigrationRetriedAfterFailure(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Load(ctx, session.NewKey())
	wantErr(t, "Load with a cancelled context on a new database", err, context.Canceled)
	if s.migrated.Load() {
		t.Fatal("a failed migration marked the store migrated")
	}
	_, err = s.Load(context.Background(), session.NewKey())
	wantErr(t, "Load after the failed migration", err, session.ErrNotFound)
}

func TestAutoMigrateOff(t *testing.T) {
	s := openTest(t, WithAutoMigrate(false))
	ctx := context.Background()
	_, err := s.Load(ctx, session.NewKey())
	if err == nil || errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("Load without a table: %v, want a plain error", err)
	}
	if !strings.Contains(err.Error(), "no such table") {
		t.Errorf("Load without a table: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(ctx, session.NewKey())
	wantErr(t, "Load after Migrate", err, session.ErrNotFound)
}

func TestKeysHashedOrRaw(t *testing.T) {
	for _, hash := range []bool{true, false} {
		t.Run(fmt.Sprint("hash=", hash), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			s, err := openSQLite(path, WithHashKeys(hash))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			key := session.NewKey()
			mustCreate(t, s, key, "x", time.Now().Add(time.Hour))

			var id string
			if err := rawDB(t, path).QueryRow(`SELECT id FROM tether_sessions`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			want := key
			if hash {
				want = session.HashKey(key)
			}
			if id != want {
				t.Errorf("stored id %q, want %q", id, want)
			}
			entries, err := s.List(context.Background(), "", 0)
			if err != nil || len(entries) != 1 || entries[0].ID != want {
				t.Errorf("List = %+v, %v; want the id %q", entries, err, want)
			}
			if _, err := s.Load(context.Background(), key); err != nil {
				t.Errorf("Load: %v", err)
			}
		})
	}
}

func TestHashDefault(t *testing.T) {
	if !defaultConfig().hashKeys {
		t.Error("HashKeys must default to true")
	}
}

func TestTableOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	for _, name := range []string{"custom_sessions", "main.qualified_sessions"} {
		s, err := openSQLite(path, WithTable(name))
		if err != nil {
			t.Fatalf("WithTable(%q): %v", name, err)
		}
		defer s.Close()
		key := session.NewKey()
		mustCreate(t, s, key, "in "+name, time.Now().Add(time.Hour))
		if _, err := s.Load(context.Background(), key); err != nil {
			t.Fatalf("WithTable(%q): Load: %v", name, err)
		}
	}
	var tables []string
	rows, err := rawDB(t, path).Query(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		rows.Scan(&n)
		if !strings.HasPrefix(n, "sqlite_") {
			tables = append(tables, n)
		}
	}
	want := "custom_sessions custom_sessions_expiry_idx qualified_sessions qualified_sessions_expiry_idx"
	if got := strings.Join(tables, " "); got != want {
		t.Errorf("schema objects: %s, want %s", got, want)
	}

	for _, bad := range []string{"", "a b", `x"y`, "a.b.c", "1abc", "t;DROP TABLE x", "a.", strings.Repeat("x", 61)} {
		if _, err := openSQLite(path, WithTable(bad)); err == nil {
			t.Errorf("WithTable(%q) accepted", bad)
		}
	}
}

func TestCompareAndSwap(t *testing.T) {
	clock := newFakeClock()
	s := openTest(t, WithClock(clock.Now))
	ctx := context.Background()
	key := session.NewKey()
	exp := clock.Now().Add(time.Hour)

	v1 := mustCreate(t, s, key, "one", exp)
	_, err := s.Create(ctx, key, session.Record{Data: []byte("again"), Expiry: exp})
	wantErr(t, "Create over a live record", err, session.ErrExists)

	v2, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: exp, Version: v1})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if v2 <= v1 {
		t.Errorf("versions do not grow: %d then %d", v1, v2)
	}
	_, err = s.Update(ctx, key, session.Record{Data: []byte("stale"), Expiry: exp, Version: v1})
	wantErr(t, "Update with a stale version", err, session.ErrConflict)
	_, err = s.Update(ctx, key, session.Record{Data: []byte("bogus"), Expiry: exp, Version: 1 << 63})
	wantErr(t, "Update with a version beyond int64", err, session.ErrConflict)

	rec, err := s.Load(ctx, key)
	if err != nil || string(rec.Data) != "two" || rec.Version != v2 || !rec.Expiry.Equal(exp) {
		t.Fatalf("Load = %+v, %v", rec, err)
	}

	other := session.NewKey()
	_, err = s.Update(ctx, other, session.Record{Data: []byte("ghost"), Expiry: exp, Version: v2})
	wantErr(t, "Update of a missing key", err, session.ErrNotFound)
	if _, err := s.Load(ctx, other); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Update created a record: %v", err)
	}

	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(ctx, key, session.Record{Data: []byte("back"), Expiry: exp, Version: v2})
	wantErr(t, "Update after Delete", err, session.ErrNotFound)
	v3 := mustCreate(t, s, key, "three", exp)
	if v3 == v1 || v3 == v2 {
		t.Errorf("Create after Delete reused a version: %d in %d, %d", v3, v1, v2)
	}
}

func TestExpiredRowsInvisible(t *testing.T) {
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := openSQLite(path, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	key := session.NewKey()
	exp := clock.Now().Add(time.Hour)
	v := mustCreate(t, s, key, "data", exp)

	clock.Advance(time.Hour - time.Millisecond)
	if _, err := s.Load(ctx, key); err != nil {
		t.Fatalf("Load 1ms before expiry: %v", err)
	}
	clock.Advance(time.Millisecond) // now == expiry: dead
	_, err = s.Load(ctx, key)
	wantErr(t, "Load at the expiry instant", err, session.ErrNotFound)
	_, err = s.Update(ctx, key, session.Record{Data: []byte("revive"), Expiry: exp.Add(time.Hour), Version: v})
	wantErr(t, "Update of an expired record", err, session.ErrNotFound)
	if n, err := s.Count(ctx); err != nil || n != 0 {
		t.Errorf("Count = %d, %v; want 0", n, err)
	}
	if l, err := s.List(ctx, "", 0); err != nil || len(l) != 0 {
		t.Errorf("List = %v, %v; want nothing", l, err)
	}
	var rows int
	rawDB(t, path).QueryRow(`SELECT COUNT(*) FROM tether_sessions`).Scan(&rows)
	if rows != 1 {
		t.Errorf("the expired row should still be in the table until DeleteExpired; %d rows", rows)
	}

	// Create replaces the expired row in place, with a new version.
	v2 := mustCreate(t, s, key, "fresh", clock.Now().Add(time.Hour))
	if v2 == v {
		t.Error("Create over an expired row reused its version")
	}
	rec, err := s.Load(ctx, key)
	if err != nil || string(rec.Data) != "fresh" || rec.Version != v2 {
		t.Errorf("Load after Create over expired = %+v, %v", rec, err)
	}
}

func TestExpiryPrecision(t *testing.T) {
	s := openTest(t)
	key := session.NewKey()
	exp := time.Date(2099, 5, 6, 7, 8, 9, 123456789, time.UTC)
	mustCreate(t, s, key, "x", exp)
	rec, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if want := exp.Truncate(time.Millisecond); !rec.Expiry.Equal(want) || rec.Expiry.Location() != time.UTC {
		t.Errorf("Expiry %v, want %v in UTC", rec.Expiry, want)
	}
	if got := expiryMs(time.UnixMilli(-5).Add(-time.Microsecond)); got != -6 {
		t.Errorf("expiryMs before 1970 = %d, want -6 (truncated towards the past)", got)
	}
}

func TestUpdateToPastDeletesRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, s, key, "secret", time.Now().Add(time.Hour))

	_, err = s.Update(ctx, key, session.Record{Data: []byte("x"), Expiry: time.Now().Add(-time.Second), Version: v + 1})
	wantErr(t, "retiring with a stale version", err, session.ErrConflict)
	if _, err := s.Update(ctx, key, session.Record{Expiry: time.Now().Add(-time.Second), Version: v}); err != nil {
		t.Fatalf("retiring Update: %v", err)
	}
	var rows int
	rawDB(t, path).QueryRow(`SELECT COUNT(*) FROM tether_sessions`).Scan(&rows)
	if rows != 0 {
		t.Errorf("%d rows left after a retiring Update, want 0", rows)
	}
}

func TestDeleteExpiredBatches(t *testing.T) {
	clock := newFakeClock()
	s := openTest(t, WithClock(clock.Now))
	ctx := context.Background()
	past, future := clock.Now().Add(-time.Minute), clock.Now().Add(time.Hour)
	for i := range 25 {
		mustCreate(t, s, session.NewKey(), fmt.Sprint("dead ", i), past)
	}
	live := make(map[string]session.Version)
	for range 5 {
		k := session.NewKey()
		live[k] = mustCreate(t, s, k, "live", future)
	}
	var got []int
	for {
		n, err := s.DeleteExpired(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
		if n < 10 {
			break
		}
	}
	if fmt.Sprint(got) != "[10 10 5]" {
		t.Errorf("DeleteExpired(10) batches %v, want [10 10 5]", got)
	}
	for k, v := range live {
		if rec, err := s.Load(ctx, k); err != nil || rec.Version != v {
			t.Errorf("live record: %+v, %v", rec, err)
		}
	}

	// Unbounded, after the clock moves past the live records too.
	clock.Advance(2 * time.Hour)
	for range 3 {
		mustCreate(t, s, session.NewKey(), "dead", past)
	}
	if n, err := s.DeleteExpired(ctx, 0); err != nil || n != 8 {
		t.Errorf("DeleteExpired(0) = %d, %v; want 8", n, err)
	}
	if n, err := s.DeleteExpired(ctx, -1); err != nil || n != 0 {
		t.Errorf("DeleteExpired(-1) on an empty table = %d, %v", n, err)
	}
}

func TestListPagesAndCount(t *testing.T) {
	clock := newFakeClock()
	s := openTest(t, WithClock(clock.Now), WithHashKeys(false))
	ctx := context.Background()
	var keys []string
	for i := range 7 {
		k := session.NewKey()
		keys = append(keys, k)
		mustCreate(t, s, k, strings.Repeat("x", i), clock.Now().Add(time.Hour))
	}
	mustCreate(t, s, session.NewKey(), "dead", clock.Now().Add(-time.Hour))
	sort.Strings(keys)

	var ids []string
	after := ""
	for {
		page, err := s.List(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			ids = append(ids, e.ID)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].ID
	}
	if strings.Join(ids, ",") != strings.Join(keys, ",") {
		t.Errorf("List pages:\n%v\nwant\n%v", ids, keys)
	}
	if n, err := s.Count(ctx); err != nil || n != 7 {
		t.Errorf("Count = %d, %v; want 7", n, err)
	}
}

func TestDialectDetection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	db := rawDB(t, path)
	s, err := New(db)
	if err != nil {
		t.Fatalf("New on modernc.org/sqlite: %v", err)
	}
	if s.Dialect() != SQLite {
		t.Errorf("detected %q", s.Dialect())
	}
	if _, err := New(db, WithDialect("oracle")); err == nil {
		t.Error("an unknown dialect was accepted")
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil) accepted")
	}
	fake := sql.OpenDB(fakeConnector{})
	defer fake.Close() // its connection opener is a goroutine
	if _, err := New(fake); err == nil || !strings.Contains(err.Error(), "WithDialect") {
		t.Errorf("unknown driver: %v, want an error pointing to WithDialect", err)
	}
	if _, err := New(fake, WithDialect(SQLite)); err != nil {
		t.Errorf("unknown driver with WithDialect: %v", err)
	}
}

func TestCloseOwnership(t *testing.T) {
	db := rawDB(t, filepath.Join(t.TempDir(), "s.db"))
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Errorf("Close of a store from New closed the caller's DB: %v", err)
	}
}
