package redisstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/session"
)

// hangBound is how long a store call with a 1 s deadline may take against
// a hung server: the deadline and scheduling slack on a busy 2-CPU VM (not
// a timing benchmark).
const hangBound = 1500 * time.Millisecond

// TestHungServer pauses a private redis-server (SIGSTOP) and checks that
// every store call with a 1 s deadline fails within hangBound with an error
// matching session.ErrUnavailable (a 503), for a client built as
// recommended (ContextTimeoutEnabled) and for a client on go-redis's
// defaults (5 s timeouts, 3 retries, no context timeouts), whose calls the
// store detaches; after SIGCONT the same store works again.
func TestHungServer(t *testing.T) {
	needBinaries(t, "redis-server")
	clients := map[string]func(addr string) *redis.Client{
		"ContextTimeoutEnabled": func(addr string) *redis.Client {
			return redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, ReadTimeout: time.Second,
				WriteTimeout: time.Second, ContextTimeoutEnabled: true})
		},
		"go-redis defaults": func(addr string) *redis.Client {
			return redis.NewClient(&redis.Options{Addr: addr})
		},
	}
	for name, newClient := range clients {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			server := startRedis(t, t.TempDir(), freePort(t, false))
			client := newClient(server.addr)
			t.Cleanup(func() { client.Close() })
			s := New(client)
			ctx := context.Background()
			key := session.NewKey()
			v, err := s.Create(ctx, key, session.Record{Data: []byte("one"), Expiry: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}

			server.Pause()
			paused := true
			defer func() {
				if paused {
					server.Continue()
				}
			}()
			calls := map[string]func(context.Context) error{
				"Load": func(ctx context.Context) error { _, err := s.Load(ctx, key); return err },
				"Create": func(ctx context.Context) error {
					_, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)})
					return err
				},
				"Update": func(ctx context.Context) error {
					_, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: time.Now().Add(time.Hour), Version: v})
					return err
				},
				"Delete": func(ctx context.Context) error { return s.Delete(ctx, session.NewKey()) },
			}
			var wg sync.WaitGroup
			for op, call := range calls {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), time.Second)
					defer cancel()
					start := time.Now()
					err := call(ctx)
					took := time.Since(start)
					if !errors.Is(err, session.ErrUnavailable) {
						t.Errorf("%s on a hung server: %v, want an error matching session.ErrUnavailable", op, err)
					}
					if took > hangBound {
						t.Errorf("%s on a hung server took %v, want at most %v", op, took, hangBound)
					}
					t.Logf("%s: %v after %v", op, err, took.Round(time.Millisecond))
				})
			}
			wg.Wait()

			server.Continue()
			paused = false
			// The store works again: the record is the old one (the Update
			// may have landed after its caller gave up, or not) and can be
			// changed.
			var rec session.Record
			deadline := time.Now().Add(10 * time.Second)
			for {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				rec, err = s.Load(ctx, key)
				cancel()
				if err == nil || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil {
				t.Fatalf("Load after SIGCONT: %v", err)
			}
			if d := string(rec.Data); d != "one" && d != "two" {
				t.Fatalf("Load after SIGCONT = %q, want the old or the new record", d)
			}
			if _, err := s.Update(ctx, key, session.Record{Data: []byte("three"), Expiry: time.Now().Add(time.Hour), Version: rec.Version}); err != nil {
				t.Fatalf("Update after SIGCONT: %v", err)
			}
		})
	}
}
