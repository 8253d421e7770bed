package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// A cancelled context: every method returns promptly and changes nothing.

func testCancelled(t *testing.T, s session.Store, o Options) {
	bg := context.Background()
	ctx, cancel := context.WithCancel(bg)
	cancel()

	expiry := time.Now().Add(time.Hour)
	key := session.NewKey()
	v := mustCreate(t, s, key, []byte("kept"), expiry)
	mustCreate(t, s, session.NewKey(), []byte("expired"), time.Now().Add(-time.Second))

	call := func(what string, fn func() error) {
		t.Helper()
		start := time.Now()
		err := fn()
		if d := time.Since(start); d > prompt {
			t.Errorf("%s with a cancelled context took %v", what, d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: got %v, want an error matching context.Canceled", what, err)
		}
	}

	call("Load", func() error { _, err := s.Load(ctx, key); return err })

	fresh := session.NewKey()
	call("Create", func() error {
		_, err := s.Create(ctx, fresh, session.Record{Data: []byte("new"), Expiry: expiry})
		return err
	})
	_, err := s.Load(bg, fresh)
	wantErr(t, "Load after a cancelled Create", err, session.ErrNotFound)

	call("Update", func() error {
		_, err := s.Update(ctx, key, session.Record{Data: []byte("changed"), Expiry: expiry, Version: v})
		return err
	})
	wantRecord(t, o, s, key, []byte("kept"), expiry, v)

	call("Delete", func() error { return s.Delete(ctx, key) })
	wantRecord(t, o, s, key, []byte("kept"), expiry, v)

	if sw, ok := s.(session.Sweeper); ok {
		call("DeleteExpired", func() error { _, err := sw.DeleteExpired(ctx, 0); return err })
		if !o.SelfExpiring {
			if n, err := sw.DeleteExpired(bg, 0); err != nil || n != 1 {
				t.Errorf("DeleteExpired after a cancelled one = %d, %v; want 1, nil", n, err)
			}
		}
	}

	if l, ok := s.(session.Lister); ok {
		call("List", func() error { _, err := l.List(ctx, "", 10); return err })
	}
	if c, ok := s.(session.Counter); ok {
		call("Count", func() error { _, err := c.Count(ctx); return err })
	}
	wantRecord(t, o, s, key, []byte("kept"), expiry, v)
}
