package session_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/session"
)

// fakeStore is a map store for the Manager's tests that counts its calls,
// can fail on demand and can run a hook before an Update (to stage a
// concurrent change). The conformance suite tests the real stores.
type fakeStore struct {
	mu      sync.Mutex
	recs    map[string]session.Record
	nextVer uint64
	now     func() time.Time

	loads, creates, updates, deletes atomic.Int64

	ignoreExpiry bool                      // Load returns dead records too (a broken store)
	failWith     error                     // every call fails with it when set
	beforeUpdate func(key string)          // runs (without the lock) before each Update
	onLoad       func(ctx context.Context) // runs before each Load
}

func newFakeStore(now func() time.Time) *fakeStore {
	return &fakeStore{recs: map[string]session.Record{}, now: now}
}

func (f *fakeStore) calls() int64 {
	return f.loads.Load() + f.creates.Load() + f.updates.Load() + f.deletes.Load()
}

func (f *fakeStore) writes() int64 {
	return f.creates.Load() + f.updates.Load() + f.deletes.Load()
}

func (f *fakeStore) Load(ctx context.Context, key string) (session.Record, error) {
	f.loads.Add(1)
	if err := ctx.Err(); err != nil {
		return session.Record{}, err
	}
	if f.onLoad != nil {
		f.onLoad(ctx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failWith != nil {
		return session.Record{}, f.failWith
	}
	r, ok := f.recs[key]
	if !ok || !r.Expiry.After(f.now()) && !f.ignoreExpiry {
		return session.Record{}, session.ErrNotFound
	}
	return r, nil
}

func (f *fakeStore) Create(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	f.creates.Add(1)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failWith != nil {
		return 0, f.failWith
	}
	if r, ok := f.recs[key]; ok && r.Expiry.After(f.now()) {
		return 0, session.ErrExists
	}
	f.nextVer++
	rec.Version = session.Version(f.nextVer)
	rec.Data = append([]byte(nil), rec.Data...)
	f.recs[key] = rec
	return rec.Version, nil
}

func (f *fakeStore) Update(ctx context.Context, key string, rec session.Record) (session.Version, error) {
	f.updates.Add(1)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if f.beforeUpdate != nil {
		f.beforeUpdate(key)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failWith != nil {
		return 0, f.failWith
	}
	r, ok := f.recs[key]
	if !ok || !r.Expiry.After(f.now()) {
		return 0, session.ErrNotFound
	}
	if r.Version != rec.Version {
		return 0, session.ErrConflict
	}
	f.nextVer++
	rec.Version = session.Version(f.nextVer)
	rec.Data = append([]byte(nil), rec.Data...)
	f.recs[key] = rec
	return rec.Version, nil
}

func (f *fakeStore) Delete(ctx context.Context, key string) error {
	f.deletes.Add(1)
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failWith != nil {
		return f.failWith
	}
	delete(f.recs, key)
	return nil
}

func (f *fakeStore) DeleteExpired(ctx context.Context, limit int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, r := range f.recs {
		if !r.Expiry.After(f.now()) && (limit <= 0 || n < limit) {
			delete(f.recs, k)
			n++
		}
	}
	return n, nil
}

// get returns the live record under key, for assertions.
func (f *fakeStore) get(key string) (session.Record, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.recs[key]
	return r, ok && r.Expiry.After(f.now())
}

func (f *fakeStore) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.recs)
}

var _ session.Store = (*fakeStore)(nil)

// mutate changes the record under key as another process would: it decodes
// the JSON object, lets change edit it and stores it under a new version.
func (f *fakeStore) mutate(key string, change func(values map[string]json.RawMessage)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := f.recs[key]
	values := map[string]json.RawMessage{}
	json.Unmarshal(rec.Data, &values)
	change(values)
	rec.Data, _ = json.Marshal(values)
	f.nextVer++
	rec.Version = session.Version(f.nextVer)
	f.recs[key] = rec
}

// put replaces the data of the record under key (a tampered backend).
func (f *fakeStore) put(key string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := f.recs[key]
	rec.Data = data
	f.nextVer++
	rec.Version = session.Version(f.nextVer)
	f.recs[key] = rec
}

func nowFunc() func() time.Time { return time.Now }
