package djangocache_test

import (
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/djangocache"
	"github.com/tetherweb/tether/store/redisstore"
	"github.com/tetherweb/tether/store/sqlstore"
)

// The record of a cache session is the pickled dict; the values the
// Manager works with stay JSON.
func ExampleCodec() {
	var c djangocache.Codec
	data, _ := c.Encode(map[string][]byte{"_auth_user_id": []byte(`"7"`), "cart": []byte(`[1,2]`)})
	fmt.Printf("%x\n", data)

	values, err := c.Decode(data)
	fmt.Println(string(values["_auth_user_id"]), string(values["cart"]), err)
	// Output:
	// 80059528000000000000007d94288c0d5f617574685f757365725f6964948c0137948c0463617274945d94284b014b0265752e
	// "7" [1,2] <nil>
}

// Sharing SESSION_ENGINE = "django.contrib.sessions.backends.cache" with a
// Django app whose default cache is Django 4's RedisCache on the same Redis.
func Example_cache() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	sessions := &session.Manager{
		Store: redisstore.NewDjangoCache(client),
		Codec: djangocache.Codec{},
	}
	_ = sessions // sessions.Middleware(mux)
}

// Sharing SESSION_ENGINE = "django.contrib.sessions.backends.cached_db":
// Django's table, and Django's cache entries kept from going stale.
func Example_cachedDB() {
	var db *sql.DB // Django's database, opened with its driver
	table, err := sqlstore.New(db, sqlstore.WithDjangoTable())
	if err != nil {
		panic(err)
	}
	defer table.Close()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	codec, err := session.NewDjangoCodec([]byte("Django's SECRET_KEY"))
	if err != nil {
		panic(err)
	}
	sessions := &session.Manager{
		Store: djangocache.NewCachedDB(table, redisstore.NewDjangoCache(client, redisstore.WithPrefix(djangocache.CachedDBPrefix)), slog.Default()),
		Codec: codec,
	}
	_ = sessions // sessions.Middleware(mux)
}
