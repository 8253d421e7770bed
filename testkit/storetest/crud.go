package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Load, Create and Delete: records as stored and as handed out.

func testLoadMissing(t *testing.T, s session.Store, _ Options) {
	_, err := s.Load(context.Background(), session.NewKey())
	wantErr(t, "Load of a missing key", err, session.ErrNotFound)
}

func testCreateLoad(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	key := session.NewKey()
	// Sub-millisecond digits check that the store keeps (at least) ms.
	expiry := time.Now().Add(time.Hour + 123456789*time.Nanosecond)
	data := []byte(`{"cart":{"5":2},"user":"ada"}`)
	v, err := s.Create(ctx, key, session.Record{Data: data, Expiry: expiry, Version: 42})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if v == 0 {
		t.Fatal("Create returned version 0")
	}
	wantRecord(t, o, s, key, data, expiry, v)
}

func testCreateExisting(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(t, s, key, []byte("first"), expiry)
	_, err := s.Create(ctx, key, session.Record{Data: []byte("second"), Expiry: expiry.Add(time.Hour)})
	wantErr(t, "Create over a live record", err, session.ErrExists)
	wantRecord(t, o, s, key, []byte("first"), expiry, v)
}

func testCreateDead(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("dead on arrival"), Expiry: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatalf("Create with a past expiry: %v", err)
	}
	if v == 0 {
		t.Fatal("Create returned version 0")
	}
	_, err = s.Load(ctx, key)
	wantErr(t, "Load of an expired record", err, session.ErrNotFound)
	_, err = s.Update(ctx, key, session.Record{Data: []byte("revived"), Expiry: time.Now().Add(time.Hour), Version: v})
	wantErr(t, "Update of an expired record", err, session.ErrNotFound)
	_, err = s.Load(ctx, key)
	wantErr(t, "Load after Update of an expired record", err, session.ErrNotFound)
}

func testCreateOverExpired(t *testing.T, s session.Store, o Options) {
	key := session.NewKey()
	old := mustCreate(t, s, key, []byte("old"), time.Now().Add(-time.Second))
	expiry := time.Now().Add(time.Hour)
	v := mustCreate(t, s, key, []byte("new"), expiry)
	if v == old {
		t.Errorf("Create over an expired record reused its version %d", v)
	}
	wantRecord(t, o, s, key, []byte("new"), expiry, v)
}

func testInputNotRetained(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	buf := []byte("created")
	v := mustCreate(t, s, key, buf, expiry)
	copy(buf, "XXXXXXX")
	wantRecord(t, o, s, key, []byte("created"), expiry, v)

	buf = []byte("updated")
	v, err := s.Update(ctx, key, session.Record{Data: buf, Expiry: expiry, Version: v})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	copy(buf, "YYYYYYY")
	wantRecord(t, o, s, key, []byte("updated"), expiry, v)
}

func testLoadedDataStable(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	mustCreate(t, s, key, []byte("version one"), expiry)
	rec := mustLoad(t, s, key)
	if _, err := s.Update(ctx, key, session.Record{Data: []byte("VERSION TWO"), Expiry: expiry, Version: rec.Version}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if string(rec.Data) != "version one" {
		t.Errorf("Data returned by an earlier Load changed to %q after Update", rec.Data)
	}
}

func testDeleteIdempotent(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	mustCreate(t, s, key, []byte("x"), time.Now().Add(time.Hour))
	other := session.NewKey()
	otherV := mustCreate(t, s, other, []byte("other"), time.Now().Add(time.Hour))
	for i := range 2 {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		_, err := s.Load(ctx, key)
		wantErr(t, "Load after Delete", err, session.ErrNotFound)
	}
	if rec := mustLoad(t, s, other); rec.Version != otherV || string(rec.Data) != "other" {
		t.Errorf("Delete of one key changed another: %+v", rec)
	}
}
