package tieredstore

import (
	"testing"

	"github.com/tetherweb/tether/testkit/storetest"
)

// TestCutOff: Updates and Creates cancelled at random points, on a
// memstore cache in front of SQLite and on memcached in front of SQLite,
// leave the old record or the new one, whole, in both tiers
// (storetest.RunCutOff reads through the tiered store, so a stale cache
// entry would show).
func TestCutOff(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		storetest.RunCutOff(t, New(newMemstore(t), newSQLite(t), WithLogger(discardLogger())))
	})
	t.Run("memcached", func(t *testing.T) {
		storetest.RunCutOff(t, New(newTestMemcachedCache(t), newSQLite(t), WithLogger(discardLogger())))
	})
}
