package session

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mapStore is the smallest Store for this package's own tests (the store
// packages import session, so they cannot be used here). Its first Update
// waits for gate, so that the test can queue commits behind it.
type mapStore struct {
	mu      sync.Mutex
	recs    map[string]Record
	next    Version
	gate    chan struct{}
	gated   atomic.Bool
	loads   atomic.Int64
	updates atomic.Int64
}

func (s *mapStore) Load(ctx context.Context, key string) (Record, error) {
	s.loads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[key]
	if !ok {
		return Record{}, ErrNotFound
	}
	return r, nil
}

func (s *mapStore) Create(ctx context.Context, key string, rec Record) (Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	rec.Version = s.next
	s.recs[key] = rec
	return rec.Version, nil
}

func (s *mapStore) Update(ctx context.Context, key string, rec Record) (Version, error) {
	if s.gate != nil && s.gated.CompareAndSwap(false, true) {
		<-s.gate
	}
	s.updates.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.recs[key]
	if !ok {
		return 0, ErrNotFound
	}
	if old.Version != rec.Version {
		return 0, ErrConflict
	}
	s.next++
	rec.Version = s.next
	s.recs[key] = rec
	return rec.Version, nil
}

func (s *mapStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, key)
	return nil
}

// TestQueuedCommitsStartFromTheLastWrite: requests of one session that
// queue their commits in this process do not each pay a failing
// compare-and-swap and a reload: the commit queued behind another starts
// from what that one wrote. N concurrent increments cost N loads and N
// updates, as a store without compare-and-swap would, and all land.
func TestQueuedCommitsStartFromTheLastWrite(t *testing.T) {
	const n = 20
	store := &mapStore{recs: map[string]Record{}}
	m := &Manager{Store: store}
	serve := func(h http.HandlerFunc, c *http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/", nil)
		if c != nil {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		m.Middleware(h).ServeHTTP(rec, req)
		return rec
	}
	first := serve(func(w http.ResponseWriter, r *http.Request) { From(r).Set("n", 0) }, nil)
	c := first.Result().Cookies()[0]

	store.gate = make(chan struct{})
	loadsBefore := store.loads.Load()
	var loaded sync.WaitGroup
	loaded.Add(n)
	incr := func(w http.ResponseWriter, r *http.Request) {
		if _, err := Update(From(r), "n", func(v int) int { return v + 1 }); err != nil {
			t.Error(err)
		}
		loaded.Done()
		loaded.Wait() // every request loaded the same version
	}
	var done sync.WaitGroup
	for range n {
		done.Add(1)
		go func() {
			defer done.Done()
			if rec := serve(incr, c); rec.Code != http.StatusOK {
				t.Errorf("status %d", rec.Code)
			}
		}()
	}
	// Release the first commit once all the others wait behind it.
	locks := m.backend.(*serverBackend).locks
	for deadline := time.Now().Add(10 * time.Second); ; {
		locks.mu.Lock()
		k := locks.locks[c.Value]
		queued := k != nil && k.refs == n
		locks.mu.Unlock()
		if queued {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the commits never queued")
		}
		time.Sleep(time.Millisecond)
	}
	close(store.gate)
	done.Wait()

	var got int
	serve(func(w http.ResponseWriter, r *http.Request) { got, _ = Value[int](From(r), "n") }, c)
	if got != n {
		t.Fatalf("n = %d, want %d", got, n)
	}
	loads, updates := store.loads.Load()-loadsBefore-1, store.updates.Load()
	if loads != n || updates != n {
		t.Errorf("%d queued increments cost %d loads and %d updates, want %d and %d",
			n, loads, updates, n, n)
	}
}
