package postgres_test

import (
	"context"
	"log"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore/postgres"
)

// A store on PostgreSQL, for a session.Manager. The DSN is pgx's; set
// connect_timeout so that requests fail fast (503) while the database is
// unreachable. (Not run: it needs a server.)
func ExampleOpen() {
	store, err := postgres.Open("postgres://app@db.internal:5432/app?sslmode=verify-full&connect_timeout=5")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err) // found at start-up rather than on the first request
	}
	m := &session.Manager{Store: store}
	_ = m.Middleware // wrap the app's handler
}
