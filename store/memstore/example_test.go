package memstore_test

import (
	"context"
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
