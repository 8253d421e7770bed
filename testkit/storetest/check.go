package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// The checks the subtests share.

func mustCreate(t *testing.T, s session.Store, key string, data []byte, expiry time.Time) session.Version {
	t.Helper()
	v, err := s.Create(context.Background(), key, session.Record{Data: data, Expiry: expiry})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if v == 0 {
		t.Fatal("Create returned version 0")
	}
	return v
}

func mustLoad(t *testing.T, s session.Store, key string) session.Record {
	t.Helper()
	rec, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return rec
}

// wantRecord checks that key loads with exactly data, expiry (to the
// suite's precision, unless o.ExpiryNotKept) and version v.
func wantRecord(t *testing.T, o Options, s session.Store, key string, data []byte, expiry time.Time, v session.Version) {
	t.Helper()
	rec := mustLoad(t, s, key)
	if !bytes.Equal(rec.Data, data) {
		if len(data) > 64 || len(rec.Data) > 64 {
			t.Errorf("loaded %d bytes of Data that differ from the %d stored", len(rec.Data), len(data))
		} else {
			t.Errorf("loaded Data %q, want %q", rec.Data, data)
		}
	}
	if d := rec.Expiry.Sub(expiry).Abs(); d >= precision && !o.ExpiryNotKept {
		t.Errorf("loaded Expiry %v, want %v (off by %v; stores must keep millisecond precision)", rec.Expiry, expiry, d)
	}
	if rec.Version != v {
		t.Errorf("loaded Version %d, want %d", rec.Version, v)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one matching %v", what, err, target)
	}
}
