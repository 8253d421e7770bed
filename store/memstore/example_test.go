package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// The Manager is the store's usual caller; this shows the calls it makes:
// create a record, load it, and write a change with compare-and-swap.
func Example() {
	store := memstore.New(memstore.WithCleanupInterval(10 * time.Minute))
	defer store.Close()

	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(2 * 7 * 24 * time.Hour)

	v, err := store.Create(ctx, key, session.Record{Data: []byte(`{"cart":{}}`), Expiry: expiry})
	if err != nil {
		fmt.Println("create:", err)
		return
	}

	rec, _ := store.Load(ctx, key)
	fmt.Printf("loaded %s\n", rec.Data)

	// Update succeeds only from the version that was loaded.
	_, err = store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{"5":1}}`), Expiry: expiry, Version: rec.Version})
	fmt.Println("update:", err)
	_, err = store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{}}`), Expiry: expiry, Version: v})
	fmt.Println("stale update:", err)

	n, _ := store.Count(ctx)
	fmt.Println("live sessions:", n)
	// Output:
	// loaded {"cart":{}}
	// update: <nil>
	// stale update: memstore: update: session: version conflict
	// live sessions: 1
}

// A store that holds at most 64 sessions: the 65th evicts the session
// closest to expiry (here the one that expires first).
func ExampleWithMaxSessions() {
	store := memstore.New(memstore.WithMaxSessions(64), memstore.WithCleanupInterval(0))
	defer store.Close()
	ctx := context.Background()
	now := time.Now()
	first := session.NewKey()
	store.Create(ctx, first, session.Record{Data: []byte(`{}`), Expiry: now.Add(time.Minute)})
	for i := range 5000 {
		store.Create(ctx, session.NewKey(), session.Record{Data: []byte(`{}`), Expiry: now.Add(time.Hour + time.Duration(i)*time.Second)})
	}
	n, _ := store.Count(ctx)
	_, err := store.Load(ctx, first)
	fmt.Println(n <= 64, errors.Is(err, session.ErrNotFound))
	// Output: true true
}
