package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Update's compare-and-swap and the versions it hands out.

func testUpdate(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	key := session.NewKey()
	v1 := mustCreate(t, s, key, []byte("one"), time.Now().Add(time.Hour))

	exp2 := time.Now().Add(2*time.Hour + 987654*time.Nanosecond)
	v2, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: exp2, Version: v1})
	if err != nil {
		t.Fatalf("Update with the current version: %v", err)
	}
	if v2 == 0 || v2 == v1 {
		t.Fatalf("Update returned version %d after %d, want a new non-zero one", v2, v1)
	}
	wantRecord(t, o, s, key, []byte("two"), exp2, v2)

	exp3 := time.Now().Add(30 * time.Minute)
	v3, err := s.Update(ctx, key, session.Record{Data: []byte("three"), Expiry: exp3, Version: v2})
	if err != nil {
		t.Fatalf("second Update: %v", err)
	}
	if v3 == 0 || v3 == v1 || v3 == v2 {
		t.Fatalf("second Update returned version %d after %d, %d", v3, v1, v2)
	}
	wantRecord(t, o, s, key, []byte("three"), exp3, v3)
}

func testUpdateStale(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v1 := mustCreate(t, s, key, []byte("one"), expiry)
	v2, err := s.Update(ctx, key, session.Record{Data: []byte("two"), Expiry: expiry, Version: v1})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	for _, stale := range []session.Version{v1, 0, ^v2} {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("lost"), Expiry: expiry.Add(time.Hour), Version: stale})
		wantErr(t, fmt.Sprintf("Update with version %d (current %d)", stale, v2), err, session.ErrConflict)
	}
	wantRecord(t, o, s, key, []byte("two"), expiry, v2)
}

func testUpdateMissing(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	for _, v := range []session.Version{1, 0, 1 << 40} {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("ghost"), Expiry: time.Now().Add(time.Hour), Version: v})
		wantErr(t, "Update of a missing key", err, session.ErrNotFound)
	}
	_, err := s.Load(ctx, key)
	wantErr(t, "Load after Update of a missing key", err, session.ErrNotFound)
}

func testUpdateAfterDelete(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("alive"), time.Now().Add(time.Hour))
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.Update(ctx, key, session.Record{Data: []byte("resurrected"), Expiry: time.Now().Add(time.Hour), Version: v})
	wantErr(t, "Update after Delete", err, session.ErrNotFound)
	_, err = s.Load(ctx, key)
	wantErr(t, "Load after Update after Delete", err, session.ErrNotFound)
}

func testUpdateToPast(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("alive"), time.Now().Add(time.Hour))
	v2, err := s.Update(ctx, key, session.Record{Data: []byte("expired"), Expiry: time.Now().Add(-time.Second), Version: v})
	if err != nil {
		t.Fatalf("Update to a past expiry: %v", err)
	}
	_, err = s.Load(ctx, key)
	wantErr(t, "Load after Update to a past expiry", err, session.ErrNotFound)
	_, err = s.Update(ctx, key, session.Record{Data: []byte("revived"), Expiry: time.Now().Add(time.Hour), Version: v2})
	wantErr(t, "Update of a record made expired", err, session.ErrNotFound)
}

func testVersionsNeverRepeat(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	seen := make(map[session.Version]string)
	note := func(v session.Version, what string) {
		t.Helper()
		if v == 0 {
			t.Fatalf("%s returned version 0", what)
		}
		if prev, ok := seen[v]; ok {
			t.Fatalf("%s returned version %d, already given by %s", what, v, prev)
		}
		seen[v] = what
	}
	for cycle := range 5 {
		v := mustCreate(t, s, key, []byte("created"), expiry)
		note(v, fmt.Sprintf("cycle %d Create", cycle))
		for u := range 2 {
			var err error
			v, err = s.Update(ctx, key, session.Record{Data: []byte("updated"), Expiry: expiry, Version: v})
			if err != nil {
				t.Fatalf("cycle %d Update %d: %v", cycle, u, err)
			}
			note(v, fmt.Sprintf("cycle %d Update %d", cycle, u))
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("cycle %d Delete: %v", cycle, err)
		}
	}
	current := mustCreate(t, s, key, []byte("current"), expiry)
	note(current, "final Create")
	for v, what := range seen {
		if v == current {
			continue
		}
		_, err := s.Update(ctx, key, session.Record{Data: []byte("stale write"), Expiry: expiry, Version: v})
		wantErr(t, fmt.Sprintf("Update with the version of %s", what), err, session.ErrConflict)
	}
	wantRecord(t, o, s, key, []byte("current"), expiry, current)
}
