package dsn

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/redis/go-redis/v9"

	"github.com/tetherweb/tether/store/memcachestore"
	"github.com/tetherweb/tether/store/redisstore"
)

// openRedis opens redis://[user:pass@]HOST:PORT/DB (go-redis's URL form;
// "?prefix=P" sets the key prefix, other parameters are go-redis's).
func openRedis(dsn string) (*Store, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("dsn: bad URL: %w", err)
	}
	opts, rest := storePrefix(u)
	ro, err := redis.ParseURL(rest)
	if err != nil {
		return nil, fmt.Errorf("dsn: %s: %w", u.Redacted(), err)
	}
	client := redis.NewClient(ro)
	return &Store{Store: redisstore.New(client, opts...), close: client.Close}, nil
}

// openRedisCluster opens redis-cluster://H1:P1,H2:P2,...[?prefix=P].
func openRedisCluster(dsn string) (*Store, error) {
	u, err := url.Parse(strings.Replace(dsn, "redis-cluster://", "redis://", 1))
	if err != nil {
		return nil, fmt.Errorf("dsn: bad URL: %w", err)
	}
	opts, _ := storePrefix(u)
	addrs := strings.Split(u.Host, ",")
	if u.Host == "" {
		return nil, errors.New("dsn: redis-cluster:// needs at least one HOST:PORT")
	}
	co := &redis.ClusterOptions{Addrs: addrs}
	if u.User != nil {
		co.Username = u.User.Username()
		co.Password, _ = u.User.Password()
	}
	client := redis.NewClusterClient(co)
	return &Store{Store: redisstore.New(client, opts...), close: client.Close}, nil
}

// storePrefix takes the prefix parameter out of u and returns it as a
// redisstore option, with the URL that is left.
func storePrefix(u *url.URL) ([]redisstore.Option, string) {
	q := u.Query()
	var opts []redisstore.Option
	if p := q.Get("prefix"); p != "" {
		opts = append(opts, redisstore.WithPrefix(p))
	}
	q.Del("prefix")
	u.RawQuery = q.Encode()
	return opts, u.String()
}

// openMemcached opens memcached://H1:P1[,H2:P2...].
func openMemcached(dsn string) (*Store, error) {
	hosts := strings.TrimPrefix(dsn, "memcached://")
	if hosts == "" || strings.ContainsAny(hosts, "/?@") {
		return nil, fmt.Errorf("dsn: %q: want memcached://HOST:PORT[,HOST:PORT...]", dsn)
	}
	client := memcache.New(strings.Split(hosts, ",")...)
	return &Store{Store: memcachestore.New(client), close: client.Close}, nil
}
