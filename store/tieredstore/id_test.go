package tieredstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// plainStore hides every method of a store but session.Store's.
type plainStore struct{ session.Store }

// TestIDsNeedCacheDeleteID: with a cache that cannot drop an entry by ID,
// DeleteID and UpdateID by a hashed ID refuse (errors.ErrUnsupported) and
// write nothing, so a revoked session never lives on in the cache; LoadID
// still reads the durable store.
func TestIDsNeedCacheDeleteID(t *testing.T) {
	s := New(plainStore{newMemstore(t)}, newSQLite(t), WithLogger(discardLogger()))
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, s, key, "x")
	id := session.HashKey(key)
	if rec, err := s.LoadID(ctx, id); err != nil || rec.Version != v {
		t.Fatalf("LoadID: %v v%d, want v%d", err, rec.Version, v)
	}
	if err := s.DeleteID(ctx, id); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("DeleteID: %v, want ErrUnsupported", err)
	}
	if _, err := s.UpdateID(ctx, id, session.Record{Data: []byte("y"), Expiry: time.Now().Add(time.Hour), Version: v}); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("UpdateID: %v, want ErrUnsupported", err)
	}
	if rec, err := s.Load(ctx, key); err != nil || string(rec.Data) != "x" || rec.Version != v {
		t.Fatalf("after refused writes: %q v%d %v", rec.Data, rec.Version, err)
	}
	// A durable store without IDs: LoadID refuses too.
	if _, err := New(newMemstore(t), plainStore{newSQLite(t)}).LoadID(ctx, id); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("LoadID on a durable store without IDs: %v", err)
	}
}

// TestIDsPlainKeys: over a durable store that keeps plain keys, the
// listed ID is the session key, and UpdateID and DeleteID drop the cache
// entry under it even through a cache without DeleteID.
func TestIDsPlainKeys(t *testing.T) {
	durable, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"), sqlstore.WithHashKeys(false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { durable.Close() })
	s := New(plainStore{newMemstore(t)}, durable, WithLogger(discardLogger()))
	ctx := context.Background()
	key := session.NewKey()
	mustCreate(t, s, key, "x")
	rec, err := s.Load(ctx, key) // fills the cache
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.UpdateID(ctx, key, session.Record{Data: []byte("y"), Expiry: rec.Expiry, Version: rec.Version})
	if err != nil {
		t.Fatalf("UpdateID: %v", err)
	}
	if got, err := s.Load(ctx, key); err != nil || string(got.Data) != "y" || got.Version != v {
		t.Fatalf("after UpdateID: %q v%d %v (a stale cache entry?)", got.Data, got.Version, err)
	}
	if err := s.DeleteID(ctx, key); err != nil {
		t.Fatalf("DeleteID: %v", err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load after DeleteID: %v (a stale cache entry?)", err)
	}
}
