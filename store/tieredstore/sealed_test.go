package tieredstore

import (
	"testing"

	"github.com/tetherweb/tether/store/memstore"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestSealedAtRest: the tiered store passes sealed records through both
// tiers unchanged; the cache's raw entries (what a Redis or memcached dump
// would show) hold neither the values nor the key.
func TestSealedAtRest(t *testing.T) {
	cache, durable := memstore.New(), memstore.New()
	defer cache.Close()
	defer durable.Close()
	s := New(cache, durable)
	storetest.RunSealedAtRest(t, s, func(t *testing.T, key string) []byte {
		var raw []byte
		for _, st := range []*memstore.Store{cache, durable} {
			rec, err := st.Load(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			raw = append(raw, rec.Data...)
		}
		return raw
	})
}
