package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// A store in an SQLite file behind a session.Manager.
func ExampleOpen() {
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
	m := &session.Manager{Store: store}
	_ = m.Middleware // wrap the app's handler

	key := session.NewKey()
	if _, err := store.Create(context.Background(), key, session.Record{Data: []byte("{}"), Expiry: time.Now().Add(time.Hour)}); err != nil {
		log.Fatal(err)
	}
	n, _ := store.Count(context.Background())
	fmt.Println(store.Dialect(), n)
	// Output:
	// sqlite 1
}
