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
// compare-and-swap and a reload: the commit that gets the lock starts from
// what the previous one wrote, and takes the plain commits queued behind
// it into one write (coalesce.go). N concurrent increments cost N loads
// and 2 updates, and all land.
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
	// No commit paid a failing compare-and-swap and a reload: one Load
	// each. The first commit (held at the gate) wrote alone; the others,
	// queued behind it, were coalesced into one more write.
	loads, updates := store.loads.Load()-loadsBefore-1, store.updates.Load()
	if loads != n || updates != 2 {
		t.Errorf("%d queued increments cost %d loads and %d updates, want %d and 2",
			n, loads, updates, n)
	}
}

// queueBehindGate starts one request per handler, all on cookie c, while
// the store's first Update is held at its gate, waits until all of them
// wait for the key's lock, releases the gate and returns their status
// codes in the handlers' order.
func queueBehindGate(t *testing.T, m *Manager, store *mapStore, c *http.Cookie, handlers []http.HandlerFunc) []int {
	t.Helper()
	codes := make([]int, len(handlers))
	var loaded sync.WaitGroup
	loaded.Add(len(handlers))
	var done sync.WaitGroup
	for i, h := range handlers {
		done.Add(1)
		go func() {
			defer done.Done()
			req := httptest.NewRequest("POST", "/", nil)
			req.AddCookie(c)
			rec := httptest.NewRecorder()
			m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h(w, r)
				loaded.Done()
				loaded.Wait()
			})).ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
	}
	locks := m.backend.(*serverBackend).locks
	for deadline := time.Now().Add(10 * time.Second); ; {
		locks.mu.Lock()
		k := locks.locks[c.Value]
		queued := k != nil && k.refs == len(handlers)
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
	return codes
}

// TestCoalescedCommitsKeepEachOutcome: in a coalesced write every request
// keeps its own outcome: Updates all land, and of several read-then-Set
// requests that read the same value only the first lands, the others are
// refused with 409 (ErrStaleRead) as they would be one by one.
func TestCoalescedCommitsKeepEachOutcome(t *testing.T) {
	store := &mapStore{recs: map[string]Record{}}
	m := &Manager{Store: store}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		From(r).Set("n", 0)
		From(r).Set("rtw", 0)
	})).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	c := rec.Result().Cookies()[0]
	store.gate = make(chan struct{})

	incr := func(w http.ResponseWriter, r *http.Request) {
		Update(From(r), "n", func(v int) int { return v + 1 })
	}
	readThenSet := func(w http.ResponseWriter, r *http.Request) {
		v, _ := Value[int](From(r), "rtw")
		From(r).Set("rtw", v+1)
	}
	handlers := []http.HandlerFunc{incr}
	for range 6 {
		handlers = append(handlers, incr, readThenSet)
	}
	codes := queueBehindGate(t, m, store, c, handlers)
	ok, conflict := 0, 0
	for i, code := range codes {
		switch {
		case code == http.StatusOK:
			ok++
		case code == http.StatusConflict && i%2 == 0 && i > 0:
			conflict++
		default:
			t.Errorf("request %d: status %d", i, code)
		}
	}
	var n, rtw int
	read := httptest.NewRequest("GET", "/", nil)
	read.AddCookie(c)
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ = Value[int](From(r), "n")
		rtw, _ = Value[int](From(r), "rtw")
	})).ServeHTTP(httptest.NewRecorder(), read)
	if n != 7 {
		t.Errorf("n = %d after 7 increments", n)
	}
	if rtw != ok-7 || rtw < 1 || ok+conflict != len(handlers) {
		t.Errorf("rtw = %d with %d answered 200 (7 of them increments) and %d answered 409", rtw, ok, conflict)
	}
}
