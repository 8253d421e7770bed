package memcachestore

import (
	"sync/atomic"

	"github.com/tetherweb/tether/session"
)

// hintMaxAge is how long, in milliseconds, a CAS hint stays usable. The
// Manager updates within one request of its Load; an old hint is more
// likely to meet a server that restarted (CAS uniques start again) or a
// changed server list, where its CAS unique could match by chance.
const hintMaxAge = 60_000

// casHint is what a Load saw of an item: the record version it returned
// and the CAS unique the server sent with it.
type casHint struct {
	item     string // the memcached key
	version  session.Version
	cas      uint64
	expiryMs int64 // the record's expiry, Unix ms
	seenMs   int64 // when the Load read it, Unix ms
}

// hintTable is a fixed-size, direct-mapped table of CAS hints: a key's hint
// lives in one slot chosen by the key's hash, and a newer hint for another
// key sharing the slot replaces it. Slots are atomic pointers, so a Load
// and an Update never wait for each other. A nil *hintTable keeps nothing.
type hintTable struct {
	slots []atomic.Pointer[casHint]
}

func newHintTable(n int) *hintTable {
	if n <= 0 {
		return nil
	}
	return &hintTable{slots: make([]atomic.Pointer[casHint], n)}
}

func (t *hintTable) slot(hash uint64) *atomic.Pointer[casHint] {
	return &t.slots[hash%uint64(len(t.slots))]
}

// put records h for the key whose hash is hash.
func (t *hintTable) put(hash uint64, h *casHint) {
	if t == nil {
		return
	}
	t.slot(hash).Store(h)
}

// take removes and returns the hint for item if it is for version, the
// record was still live and the hint is recent at nowMs; otherwise nil. A
// hint is used once: after the write it describes, its CAS unique is stale.
func (t *hintTable) take(hash uint64, item string, version session.Version, nowMs int64) *casHint {
	if t == nil {
		return nil
	}
	s := t.slot(hash)
	h := s.Load()
	if h == nil || h.item != item || h.version != version {
		return nil
	}
	if !s.CompareAndSwap(h, nil) {
		return nil // another Update took it
	}
	if h.expiryMs <= nowMs || nowMs-h.seenMs > hintMaxAge || nowMs < h.seenMs {
		return nil
	}
	return h
}

// forget drops the hint for item, if its slot holds one.
func (t *hintTable) forget(hash uint64, item string) {
	if t == nil {
		return
	}
	s := t.slot(hash)
	if h := s.Load(); h != nil && h.item == item {
		s.CompareAndSwap(h, nil)
	}
}
