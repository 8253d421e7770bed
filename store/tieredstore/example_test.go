package tieredstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memcachestore"
	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
	"github.com/tetherweb/tether/store/tieredstore"
)

// A process-local cache in front of SQLite: reads after the first come
// from memory, writes go to the database first, and the database's
// versions are the ones callers see.
func Example() {
	dir, err := os.MkdirTemp("", "tether-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "sessions.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	cache := memstore.New()
	defer cache.Close()

	store := tieredstore.New(cache, db)
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(14 * 24 * time.Hour)
	v1, err := store.Create(ctx, key, session.Record{Data: []byte(`{"cart":{}}`), Expiry: expiry})
	if err != nil {
		log.Fatal(err)
	}

	rec, _ := store.Load(ctx, key) // from the cache
	fromDB, _ := db.Load(ctx, key)
	fmt.Printf("loaded %s, same version as the database: %v\n", rec.Data, rec.Version == fromDB.Version)

	_, err = store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{"5":1}}`), Expiry: expiry, Version: v1})
	fmt.Println("update:", err)
	_, err = store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{}}`), Expiry: expiry, Version: v1})
	fmt.Println("stale update refused:", errors.Is(err, session.ErrConflict))

	rec, _ = store.Load(ctx, key)
	n, _ := store.Count(ctx) // the database's count
	fmt.Printf("now %s, %d session(s)\n", rec.Data, n)
	// Output:
	// loaded {"cart":{}}, same version as the database: true
	// update: <nil>
	// stale update refused: true
	// now {"cart":{"5":1}}, 1 session(s)
}

// Django's cached_db: memcached in front of a database, behind a
// session.Manager. If memcached goes down, the site keeps running on the
// database and the logger hears about it. (Not run by go test: it needs a
// memcached.)
func ExampleNew() {
	db, err := sqlite.Open("sessions.db")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	client := memcache.New("127.0.0.1:11211")
	client.Timeout = 100 * time.Millisecond // a cache that hangs costs every request this much
	client.MaxIdleConns = 64
	defer client.Close()

	store := tieredstore.New(memcachestore.New(client), db,
		tieredstore.WithMaxCacheAge(30*time.Minute))
	m := &session.Manager{Store: store}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Update(session.From(r), "visits", func(n int) int { return n + 1 })
		fmt.Fprintf(w, "visit %d\n", n)
	})
	log.Fatal(http.ListenAndServe("localhost:8000", m.Middleware(mux)))
}
