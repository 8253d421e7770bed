package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// A store in an SQLite file: create a record, load it, update it with
// compare-and-swap, and see a stale update refused.
func Example() {
	dir, err := os.MkdirTemp("", "tether-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(filepath.Join(dir, "sessions.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(14 * 24 * time.Hour)
	if _, err := store.Create(ctx, key, session.Record{Data: []byte(`{"cart":{"5":1}}`), Expiry: expiry}); err != nil {
		log.Fatal(err)
	}

	rec, err := store.Load(ctx, key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loaded %s\n", rec.Data)

	// Update succeeds only against the version that was loaded.
	if _, err := store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{"5":2}}`), Expiry: expiry, Version: rec.Version}); err != nil {
		log.Fatal(err)
	}
	_, err = store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{}}`), Expiry: expiry, Version: rec.Version})
	fmt.Println("stale update refused:", errors.Is(err, session.ErrConflict))

	rec, _ = store.Load(ctx, key)
	n, _ := store.Count(ctx)
	fmt.Printf("now %s, %d live session(s)\n", rec.Data, n)
	// Output:
	// loaded {"cart":{"5":1}}
	// stale update refused: true
	// now {"cart":{"5":2}}, 1 live session(s)
}

// New works on a *sql.DB opened elsewhere; here with another table name and
// raw keys in the id column, and the table created at start-up.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "tether-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := sql.Open("sqlite", filepath.Join(dir, "app.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	store, err := sqlstore.New(db, sqlstore.WithTable("app_sessions"), sqlstore.WithHashKeys(false))
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("dialect:", store.Dialect())

	var table string
	db.QueryRow(`SELECT name FROM sqlite_master WHERE type = 'table'`).Scan(&table)
	fmt.Println("table:", table)
	// Output:
	// dialect: sqlite
	// table: app_sessions
}

// Expired records are invisible at once; DeleteExpired removes them in
// batches, for a periodic clean-up job (Django's clearsessions).
func ExampleStore_DeleteExpired() {
	store, err := sqlite.Open(":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for range 5 {
		store.Create(ctx, session.NewKey(), session.Record{Data: []byte("{}"), Expiry: time.Now().Add(-time.Minute)})
	}

	const batch = 2
	total := 0
	for {
		n, err := store.DeleteExpired(ctx, batch)
		if err != nil {
			log.Fatal(err)
		}
		total += n
		if n < batch {
			break
		}
	}
	fmt.Println("removed", total)
	// Output:
	// removed 5
}

// Sessions shared with a Django app: Django's table and Django's session
// format (the Manager gets session.NewDjangoCodec with Django's
// SECRET_KEY). The row holds the key itself, Django's signed data, and
// expire_date as Django writes it on SQLite.
func ExampleWithDjangoTable() {
	dir, err := os.MkdirTemp("", "tether-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(filepath.Join(dir, "db.sqlite3"), sqlstore.WithDjangoTable())
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	// Django's migrate makes the table; Migrate makes the same one if it
	// is missing.
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}
	codec, err := session.NewDjangoCodec([]byte("the Django app's SECRET_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	m := &session.Manager{Store: store, Codec: codec}
	_ = m.Middleware // wrap the app's handler

	// What the Manager stores for {"user": "ada"}:
	value, _ := codec.EncodeValue("ada")
	data, _ := codec.Encode(map[string][]byte{"user": value})
	key := session.NewKey()
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 500_000_000, time.UTC)
	if _, err := store.Create(context.Background(), key, session.Record{Data: data, Expiry: expiry}); err != nil {
		log.Fatal(err)
	}
	var storedKey, storedData, expireDate string
	store.DB().QueryRow(`SELECT session_key, session_data, CAST(expire_date AS TEXT) FROM django_session`).Scan(&storedKey, &storedData, &expireDate)
	fmt.Println("key as is:", storedKey == key)
	fmt.Println("Django's data:", storedData == string(data))
	// The store keeps microseconds, and may store up to 999 µs less than
	// asked (see Versions).
	fmt.Println("expire_date:", expireDate[:19])
	// Output:
	// key as is: true
	// Django's data: true
	// expire_date: 2030-01-02 03:04:05
}
