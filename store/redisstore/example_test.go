package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/redisstore"
)

// A web application whose sessions live in Redis. NewUniversalClient makes
// a single-node client from one address, a Sentinel client when
// MasterName is set, and a Cluster client from several addresses; the
// store is the same for all three. (It needs a Redis server, so it is
// compiled but not run by go test.)
func Example() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{"127.0.0.1:6379"},
		// Keep a slow or dead Redis from holding requests for long: the
		// Manager answers 503 instead.
		DialTimeout:           time.Second,
		ReadTimeout:           500 * time.Millisecond,
		WriteTimeout:          500 * time.Millisecond,
		ContextTimeoutEnabled: true,
	})
	defer client.Close()

	sessions := &session.Manager{Store: redisstore.New(client, redisstore.WithPrefix("blog:session:"))}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Update(session.From(r), "visits", func(n int) int { return n + 1 })
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "You have been here %d times.\n", n)
	})

	srv := &http.Server{
		Addr:              "localhost:8000",
		Handler:           sessions.Middleware(mux),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if err := srv.ListenAndServe(); err != nil {
		log.Print(err)
	}
}

// An operator's view of the sessions kept on a Redis Cluster: Count and
// List scan every master. (It needs a Redis Cluster, so it is compiled but
// not run by go test.)
func Example_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	store := redisstore.New(client)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := store.Count(ctx)
	if err != nil {
		log.Print(err)
		return
	}
	fmt.Println("live sessions:", n)

	// The first page of 20, in ID order (session.HashKey of the keys).
	entries, err := store.List(ctx, "", 20)
	if err != nil {
		log.Print(err)
		return
	}
	for _, e := range entries {
		fmt.Printf("%s  %6d bytes  expires %s\n", e.ID, e.Size, e.Expiry.Format(time.RFC3339))
	}
}
