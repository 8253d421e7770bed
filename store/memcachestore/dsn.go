package memcachestore

import (
	"fmt"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/tetherweb/tether/store/dsn"
)

// init registers the DSN scheme "memcached"
// ("memcached://H1:P1[,H2:P2...]") with store/dsn.
func init() { dsn.Register("memcached", openDSN) }

func openDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	hosts, ok := strings.CutPrefix(d, "memcached://")
	if !ok || hosts == "" || strings.ContainsAny(hosts, "/?@") {
		return nil, fmt.Errorf("dsn: %.64q: want memcached://HOST:PORT[,HOST:PORT...]", d)
	}
	client := memcache.New(strings.Split(hosts, ",")...)
	return &dsn.Opened{Store: New(client), Release: client.Close}, nil
}
