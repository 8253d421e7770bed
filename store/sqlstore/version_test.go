package sqlstore

import (
	"math"
	"sync"
	"testing"
	"time"
)

func TestNextVersionDistinctAndGrowing(t *testing.T) {
	const goroutines, each = 8, 2000
	var (
		mu   sync.Mutex
		seen = make(map[int64]bool, goroutines*each)
		wg   sync.WaitGroup
	)
	for range goroutines {
		wg.Go(func() {
			got := make([]int64, each)
			for i := range got {
				got[i] = nextVersion(0)
				if i > 0 && got[i] <= got[i-1] {
					t.Errorf("versions do not grow: %d then %d", got[i-1], got[i])
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, v := range got {
				if seen[v] {
					t.Errorf("version %d issued twice", v)
				}
				seen[v] = true
			}
		})
	}
	wg.Wait()
}

func TestNextVersionAbove(t *testing.T) {
	// A stored version a little ahead of this process's clock (another
	// process's clock runs fast): the new one must exceed it, and so must
	// every later one.
	ahead := time.Now().Add(time.Minute).UnixNano()
	if v := nextVersion(ahead); v <= ahead {
		t.Errorf("nextVersion(%d) = %d", ahead, v)
	}
	if v := nextVersion(0); v <= ahead {
		t.Errorf("a later version %d is not above %d", v, ahead)
	}

	// A version no clock could have produced does not drag the counter
	// towards overflow.
	before := lastVersion.Load()
	v := nextVersion(math.MaxInt64 - 1)
	if v >= math.MaxInt64-1 || v <= before {
		t.Errorf("nextVersion(MaxInt64-1) = %d (last was %d)", v, before)
	}
}

func TestObserveVersion(t *testing.T) {
	seen := time.Now().Add(2 * time.Minute).UnixNano()
	observeVersion(seen)
	if v := nextVersion(0); v <= seen {
		t.Errorf("version %d issued after %d was observed", v, seen)
	}
	before := lastVersion.Load()
	observeVersion(math.MaxInt64)
	if lastVersion.Load() != before {
		t.Error("an implausible observed version moved the counter")
	}
}
