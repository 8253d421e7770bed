package memcachestore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// TestDeleteID: DeleteID removes the record listed under HashKey of its
// key, leaves the others, and ignores IDs of other forms and missing ones.
func TestDeleteID(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	key, other := session.NewKey(), session.NewKey()
	for _, k := range []string{key, other} {
		if _, err := s.Create(ctx, k, session.Record{Data: []byte(k), Expiry: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{key, "", "../x", session.HashKey(key)[:63] + "g", session.HashKey(session.NewKey())} {
		if err := s.DeleteID(ctx, bad); err != nil {
			t.Errorf("DeleteID(%q): %v", bad, err)
		}
	}
	if _, err := s.Load(ctx, key); err != nil {
		t.Fatalf("Load after DeleteID of other IDs: %v", err)
	}
	if err := s.DeleteID(ctx, session.HashKey(key)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load after DeleteID: %v, want ErrNotFound", err)
	}
	if _, err := s.Load(ctx, other); err != nil {
		t.Fatalf("the other record: %v", err)
	}
	if err := s.DeleteID(ctx, session.HashKey(key)); err != nil {
		t.Fatalf("DeleteID again: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.DeleteID(cancelled, session.HashKey(other)); !errors.Is(err, context.Canceled) {
		t.Fatalf("DeleteID with a cancelled context: %v", err)
	}
}
