package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// testIDs: LoadID, UpdateID and DeleteID act on the record that List
// shows under the ID, exactly as Load, Update and Delete on its key; IDs of
// other records, of expired ones and of no valid form find nothing (a
// DeleteID of one may succeed or fail with ErrNotFound).
func testIDs(t *testing.T, s session.Store, _ Options) {
	ids, ok := s.(session.IDStore)
	l, listable := s.(session.Lister)
	if !ok || !listable {
		t.Skip("store does not implement LoadID, UpdateID and DeleteID with session.Lister")
	}
	ctx := context.Background()
	key, other, dead := session.NewKey(), session.NewKey(), session.NewKey()
	mustCreate(t, s, key, []byte("mine"), time.Now().Add(time.Hour))
	otherV := mustCreate(t, s, other, []byte("other"), time.Now().Add(time.Hour))
	mustCreate(t, s, dead, []byte("dead"), time.Now().Add(-time.Second))
	entries, err := l.List(ctx, "", 0)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(entries) != 2 {
		t.Fatalf("List: %d entries, want 2", len(entries))
	}
	// The ID form the store lists: the key itself or its hash.
	idOf := session.HashKey
	if entries[0].ID == key || entries[0].ID == other {
		idOf = func(k string) string { return k }
	}
	id := idOf(key)

	if _, err := ids.LoadID(ctx, id); errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("LoadID: %v", err)
	}
	rec, err := ids.LoadID(ctx, id)
	if err != nil {
		t.Fatalf("LoadID: %v", err)
	}
	byKey := mustLoad(t, s, key)
	if string(rec.Data) != "mine" || rec.Version != byKey.Version || !rec.Expiry.Equal(byKey.Expiry) {
		t.Fatalf("LoadID = %q v%d %v, Load = %q v%d %v", rec.Data, rec.Version, rec.Expiry, byKey.Data, byKey.Version, byKey.Expiry)
	}
	for _, bad := range []string{idOf(dead), idOf(session.NewKey()), key + session.HashKey(key), "", "../" + id[3:], "*", id + "\x00"} {
		if _, err := ids.LoadID(ctx, bad); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("LoadID(%q): %v, want ErrNotFound", bad, err)
		}
		if _, err := ids.UpdateID(ctx, bad, session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour), Version: rec.Version}); !errors.Is(err, session.ErrNotFound) {
			t.Errorf("UpdateID(%q): %v, want ErrNotFound", bad, err)
		}
		if err := ids.DeleteID(ctx, bad); err != nil && !errors.Is(err, session.ErrNotFound) {
			t.Errorf("DeleteID(%q): %v, want nil or ErrNotFound", bad, err)
		}
	}

	v, err := ids.UpdateID(ctx, id, session.Record{Data: []byte("resealed"), Expiry: rec.Expiry, Version: rec.Version})
	if err != nil {
		t.Fatalf("UpdateID: %v", err)
	}
	if got := mustLoad(t, s, key); string(got.Data) != "resealed" || got.Version != v {
		t.Fatalf("after UpdateID, Load = %q v%d, want %q v%d", got.Data, got.Version, "resealed", v)
	}
	if _, err := ids.UpdateID(ctx, id, session.Record{Data: []byte("stale"), Expiry: rec.Expiry, Version: rec.Version}); !errors.Is(err, session.ErrConflict) {
		t.Fatalf("UpdateID from a stale version: %v, want ErrConflict", err)
	}

	if err := ids.DeleteID(ctx, id); err != nil {
		t.Fatalf("DeleteID: %v", err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load after DeleteID: %v, want ErrNotFound", err)
	}
	if _, err := ids.LoadID(ctx, id); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("LoadID after DeleteID: %v, want ErrNotFound", err)
	}
	if err := ids.DeleteID(ctx, id); err != nil {
		t.Fatalf("DeleteID of a deleted record: %v", err)
	}
	// The other record is untouched.
	if got := mustLoad(t, s, other); string(got.Data) != "other" || got.Version != otherV {
		t.Fatalf("other record: %q v%d, want %q v%d", got.Data, got.Version, "other", otherV)
	}
}
