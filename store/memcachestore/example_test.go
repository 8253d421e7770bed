package memcachestore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memcachestore"
)

// Sessions in memcached behind a session.Manager. The client's Timeout
// bounds every call to the server; MaxIdleConns should be near the number
// of concurrent requests. (Not run by go test: it needs a memcached.)
func Example() {
	client := memcache.New("127.0.0.1:11211")
	client.Timeout = 200 * time.Millisecond
	client.MaxIdleConns = 64
	defer client.Close()

	m := &session.Manager{Store: memcachestore.New(client, memcachestore.WithPrefix("myapp:sessions:"))}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Update(session.From(r), "visits", func(n int) int { return n + 1 })
		fmt.Fprintf(w, "visit %d\n", n)
	})
	log.Fatal(http.ListenAndServe("localhost:8000", m.Middleware(mux)))
}

// The calls the Manager makes: Create, Load, then Update with
// compare-and-swap, which a stale version cannot pass. (Not run by go
// test: it needs a memcached.)
func ExampleStore_Update() {
	client := memcache.New("127.0.0.1:11211")
	defer client.Close()
	store := memcachestore.New(client)

	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(14 * 24 * time.Hour)
	v1, err := store.Create(ctx, key, session.Record{Data: []byte(`{"cart":{}}`), Expiry: expiry})
	if err != nil {
		log.Fatal(err)
	}
	rec, err := store.Load(ctx, key) // one "gets"
	if err != nil {
		log.Fatal(err)
	}
	// One "cas", with the CAS unique this Load saw.
	if _, err := store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{"5":1}}`), Expiry: expiry, Version: rec.Version}); err != nil {
		log.Fatal(err)
	}
	_, err = store.Update(ctx, key, session.Record{Data: []byte(`{"cart":{}}`), Expiry: expiry, Version: v1})
	fmt.Println("stale update refused:", errors.Is(err, session.ErrConflict))
	store.Delete(ctx, key)
}
