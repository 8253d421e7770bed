package memcachestore

import (
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/session"
)

// lastVersion is the highest version this process issued.
var lastVersion atomic.Uint64

// plausibleLead bounds how far ahead of this process's clock a version read
// from the server may be and still be taken as a version some process
// issued (another machine's clock may be ahead); anything further is
// garbage or forged and is not allowed to push the counter.
const plausibleLead = 24 * time.Hour

// nextVersion returns a version for a record being written: the current
// Unix time in nanoseconds, or one more than the last version this process
// issued if the clock has not moved past it, and in any case more than
// above (the version being replaced; 0 for a fresh Create). Every version
// one process issues is distinct and non-zero, and a record's versions only
// grow. A repeat across processes would need another process to issue,
// for the same key after a Delete, the very nanosecond of a version this
// key had.
func nextVersion(above session.Version) session.Version {
	now := uint64(time.Now().UnixNano())
	if uint64(above) > now+uint64(plausibleLead) {
		above = 0
	}
	for {
		last := lastVersion.Load()
		v := max(now, last+1, uint64(above)+1)
		if lastVersion.CompareAndSwap(last, v) {
			return session.Version(v)
		}
	}
}
