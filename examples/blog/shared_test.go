package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/tetherweb/tether/testkit/servicetest"
)

// Two instances on one shared store serve the same users: a login made on
// one is seen by the other.
func TestTwoInstancesShareState(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"redis": func(t *testing.T) string {
			addr := servicetest.RedisAddr(t)
			prefix := fmt.Sprintf("blogtest-%d:", time.Now().UnixNano())
			t.Cleanup(func() {
				rdb := redis.NewClient(&redis.Options{Addr: addr})
				defer rdb.Close()
				ctx := context.Background()
				keys, _ := rdb.Keys(ctx, prefix+"*").Result()
				if len(keys) > 0 {
					rdb.Del(ctx, keys...)
				}
			})
			return fmt.Sprintf("redis://%s/0?prefix=%s", addr, prefix)
		},
		"postgres": func(t *testing.T) string {
			dsn := servicetest.PostgresDSN(t)
			table := fmt.Sprintf("blog_shared_%d", time.Now().UnixNano()%1e9)
			t.Cleanup(func() {
				db, err := sql.Open("pgx", dsn)
				if err == nil {
					db.Exec("DROP TABLE IF EXISTS " + table)
					db.Close()
				}
			})
			return dsn + "&table=" + table
		},
	}
	for name, dsnFor := range stores {
		t.Run(name, func(t *testing.T) {
			storeDSN := dsnFor(t)
			dbPath := filepath.Join(t.TempDir(), "blog.db")
			key := []byte("one secret key shared by both instances, long enough: 0123456789")
			a := newSiteOn(t, config{SecretKey: key}, storeDSN, dbPath)
			b := newSiteOn(t, config{SecretKey: key}, storeDSN, dbPath)
			ca := a.client()
			ca.post("/cart/add/42", nil, true)
			ca.post("/login", url.Values{"username": {"demo"}, "password": {"demo"}}, true)

			// The same browser (the same cookies) on the other instance.
			cb := b.client()
			ua, _ := url.Parse(ca.base)
			ub, _ := url.Parse(cb.base)
			cb.http.Jar.SetCookies(ub, ca.http.Jar.Cookies(ua))
			_, body := cb.get("/")
			if !strings.Contains(body, "Log out demo") {
				t.Fatal("instance B does not see the login made on A")
			}
			if _, body = cb.get("/api/cart"); !strings.Contains(body, `"42":1`) {
				t.Fatalf("instance B cart: %s", body)
			}

			// A second device logged in on B is listed on A, and signing
			// it out from A logs it out on B.
			other := deviceClient(b, curlAgent)
			if rows, body := ca.devicesPage(); len(rows) != 2 {
				t.Fatalf("instance A lists %d sessions, want 2:\n%s", len(rows), body)
			}
			if got := ca.postAndFollow("/account/sessions/revoke-others", http.StatusFound); !slices.Equal(got, []string{"Signed out 1 other device."}) {
				t.Fatalf("revoke others on A: messages %q", got)
			}
			if other.loggedIn() || !cb.loggedIn() {
				t.Fatal("after signing out the others on A: the other device should be logged out on B, this browser not")
			}
		})
	}
}
