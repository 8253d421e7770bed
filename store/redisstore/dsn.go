package redisstore

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherweb/tether/store/dsn"
)

// init registers the DSN schemes "redis"
// ("redis://[user:pass@]HOST:PORT/DB", go-redis's URL form) and
// "redis-cluster" ("redis-cluster://H1:P1,H2:P2,..."), each taking
// "?prefix=P" for the key prefix, with store/dsn.
func init() {
	dsn.Register("redis", openRedisDSN)
	dsn.Register("redis-cluster", openClusterDSN)
}

// DefaultTimeout is the dial, read and write timeout of the clients the
// DSN schemes open (go-redis's dial_timeout, read_timeout and
// write_timeout parameters override it on redis:// URLs).
const DefaultTimeout = time.Second

// openRedisDSN opens redis://…; parameters other than prefix are
// go-redis's.
func openRedisDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	u, err := url.Parse(d)
	if err != nil {
		return nil, fmt.Errorf("dsn: bad URL: %w", err)
	}
	opts, rest := dsnPrefix(u)
	ro, err := redis.ParseURL(rest)
	if err != nil {
		return nil, fmt.Errorf("dsn: %s: %w", u.Redacted(), err)
	}
	// A paused or unreachable server must not hold a request: the client
	// honours the caller's deadline, and its own timeouts are a second
	// unless the DSN says otherwise.
	q := u.Query()
	ro.ContextTimeoutEnabled = true
	if !q.Has("dial_timeout") {
		ro.DialTimeout = DefaultTimeout
	}
	if !q.Has("read_timeout") {
		ro.ReadTimeout = DefaultTimeout
	}
	if !q.Has("write_timeout") {
		ro.WriteTimeout = DefaultTimeout
	}
	client := redis.NewClient(ro)
	return &dsn.Opened{Store: New(client, opts...), Release: client.Close}, nil
}

// openClusterDSN opens redis-cluster://H1:P1,H2:P2,...[?prefix=P].
func openClusterDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	u, err := url.Parse(strings.Replace(d, "redis-cluster://", "redis://", 1))
	if err != nil {
		return nil, fmt.Errorf("dsn: bad URL: %w", err)
	}
	opts, _ := dsnPrefix(u)
	if u.Host == "" {
		return nil, errors.New("dsn: redis-cluster:// needs at least one HOST:PORT")
	}
	co := &redis.ClusterOptions{Addrs: strings.Split(u.Host, ","), ContextTimeoutEnabled: true,
		DialTimeout: DefaultTimeout, ReadTimeout: DefaultTimeout, WriteTimeout: DefaultTimeout}
	if u.User != nil {
		co.Username = u.User.Username()
		co.Password, _ = u.User.Password()
	}
	client := redis.NewClusterClient(co)
	return &dsn.Opened{Store: New(client, opts...), Release: client.Close}, nil
}

// dsnPrefix takes the prefix parameter out of u and returns it as an
// option, with the URL that is left.
func dsnPrefix(u *url.URL) ([]Option, string) {
	q := u.Query()
	var opts []Option
	if p := q.Get("prefix"); p != "" {
		opts = append(opts, WithPrefix(p))
	}
	q.Del("prefix")
	u.RawQuery = q.Encode()
	return opts, u.String()
}
