package sqlstore

import (
	"sync/atomic"
	"time"
)

// lastVersion is the highest version this process issued or saw stored;
// see nextVersion.
var lastVersion atomic.Int64

// nextVersion returns a version for a record being written: the current
// Unix time in nanoseconds, or one more than lastVersion if the clock has
// not moved past it, and in any case more than above (the version an
// Update replaces; 0 for a Create). So every version one process issues is
// distinct and positive, a record's versions only grow, and a version
// issued after a record was deleted exceeds every version of it this
// process knew. It reads the wall clock, not the store's Clock option: a
// test clock that stands still must not make versions repeat.
func nextVersion(above int64) int64 {
	now := time.Now().UnixNano()
	if above > now+int64(plausibleLead) {
		// No version this far ahead of the clock was ever issued, so
		// the compare-and-swap cannot match: do not let it push the
		// counter towards overflow.
		above = 0
	}
	for {
		last := lastVersion.Load()
		v := max(now, last+1, above+1)
		if lastVersion.CompareAndSwap(last, v) {
			return v
		}
	}
}

// plausibleLead bounds how far ahead of this process's clock another
// process's versions can plausibly be.
const plausibleLead = 24 * time.Hour

// observeVersion records a version read from the database, so that the
// versions this process issues later all exceed it.
func observeVersion(v int64) {
	if v > time.Now().UnixNano()+int64(plausibleLead) {
		return
	}
	for {
		last := lastVersion.Load()
		if v <= last || lastVersion.CompareAndSwap(last, v) {
			return
		}
	}
}
