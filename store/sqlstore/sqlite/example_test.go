package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// A store behind a session.Manager. A file path ("sessions.db") keeps the
// sessions across restarts; ":memory:" is a private database for tests.
func ExampleOpen() {
	store, err := sqlite.Open(":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	m := &session.Manager{Store: store}
	_ = m.Middleware // wrap the app's handler

	expiry := time.Now().Add(time.Hour)
	if _, err := store.Create(context.Background(), session.NewKey(), session.Record{Data: []byte("{}"), Expiry: expiry}); err != nil {
		log.Fatal(err)
	}
	n, _ := store.Count(context.Background())
	fmt.Println(store.Dialect(), n)
	// Output:
	// sqlite 1
}
