package memcachestore

import (
	"testing"

	"github.com/tetherweb/tether/testkit/servicetest"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestSealedAtRest fetches the item through a plain memcached client:
// with Manager.SecretKey set, it shows neither the session's values nor
// its key.
func TestSealedAtRest(t *testing.T) {
	s := newTestStore(t)
	raw := newClient(t, servicetest.MemcachedAddr(t))
	storetest.RunSealedAtRest(t, s, func(t *testing.T, key string) []byte {
		it, err := raw.Get(s.ItemKey(key))
		if err != nil {
			t.Fatal(err)
		}
		return append([]byte(it.Key+"\n"), it.Value...)
	})
}
