package memstore

import (
	"testing"

	"github.com/tetherweb/tether/testkit/storetest"
)

// TestCutOff: Updates and Creates cancelled at random points leave the
// old record or the new one, whole (storetest.RunCutOff).
func TestCutOff(t *testing.T) {
	s := New()
	t.Cleanup(func() { s.Close() })
	storetest.RunCutOff(t, s)
}
