package storetest

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Expired records: never loaded, and swept by DeleteExpired.

// testExpiry is the one test that waits for time to pass: a record made to
// live a short while must load before its expiry and not after.
func testExpiry(t *testing.T, s session.Store, _ Options) {
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(250 * time.Millisecond)
	v := mustCreate(t, s, key, []byte("short-lived"), expiry)
	if _, err := s.Load(ctx, key); err != nil && time.Now().Before(expiry) {
		t.Fatalf("Load before expiry: %v", err)
	}
	time.Sleep(time.Until(expiry)) // wait for the expiry, then check at once
	// Backends on another machine may be a little behind our clock.
	deadline := expiry.Add(2 * time.Second)
	for {
		_, err := s.Load(ctx, key)
		if errors.Is(err, session.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Load %v after expiry: got err %v, want ErrNotFound", time.Since(expiry), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err := s.Update(ctx, key, session.Record{Data: []byte("late"), Expiry: time.Now().Add(time.Hour), Version: v})
	wantErr(t, "Update after expiry", err, session.ErrNotFound)
}

func testDeleteExpiredLimit(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	const expired, live, limit = 25, 5, 10
	past := time.Now().Add(-time.Second)
	dead := make([]string, expired)
	for i := range dead {
		dead[i] = session.NewKey()
		mustCreate(t, s, dead[i], []byte("expired "+strconv.Itoa(i)), past)
	}
	liveKeys := make(map[string]session.Version)
	future := time.Now().Add(time.Hour)
	for i := range live {
		k := session.NewKey()
		liveKeys[k] = mustCreate(t, s, k, []byte("live "+strconv.Itoa(i)), future)
	}

	sw, ok := s.(session.Sweeper)
	if !ok {
		// The backend expires records by itself: there is no sweep to
		// count, but the same outcome must hold.
		checkSwept(t, s, dead, liveKeys)
		return
	}
	total, calls := 0, 0
	for {
		calls++
		if calls > expired+2 {
			t.Fatalf("DeleteExpired(%d) still removing after %d calls (%d so far)", limit, calls-1, total)
		}
		n, err := sw.DeleteExpired(ctx, limit)
		if err != nil {
			t.Fatalf("DeleteExpired(%d) call %d: %v", limit, calls, err)
		}
		if n < 0 || n > limit {
			t.Fatalf("DeleteExpired(%d) call %d returned %d", limit, calls, n)
		}
		if !o.SelfExpiring && total+limit <= expired && n != limit {
			t.Errorf("DeleteExpired(%d) call %d removed %d with %d expired left, want %d",
				limit, calls, n, expired-total, limit)
		}
		total += n
		if n < limit {
			break
		}
	}
	if o.SelfExpiring {
		if total > expired {
			t.Errorf("DeleteExpired removed %d records in all, but only %d were expired", total, expired)
		}
	} else if total != expired {
		t.Errorf("DeleteExpired removed %d records in all, want %d", total, expired)
	}
	if n, err := sw.DeleteExpired(ctx, limit); err != nil || n != 0 {
		t.Errorf("DeleteExpired on a clean store = %d, %v; want 0, nil", n, err)
	}
	checkSwept(t, s, dead, liveKeys)
	if c, ok := s.(session.Counter); ok {
		if n, err := c.Count(ctx); err != nil || n != live {
			t.Errorf("Count after DeleteExpired = %d, %v; want %d", n, err, live)
		}
	}
}

// checkSwept checks what a sweep (or a backend's own expiry) must leave:
// no expired record loadable, every live one unchanged.
func checkSwept(t *testing.T, s session.Store, dead []string, live map[string]session.Version) {
	t.Helper()
	for k, v := range live {
		if rec := mustLoad(t, s, k); rec.Version != v {
			t.Errorf("live record changed version %d -> %d", v, rec.Version)
		}
	}
	for _, k := range dead {
		_, err := s.Load(context.Background(), k)
		wantErr(t, "Load of an expired record after DeleteExpired", err, session.ErrNotFound)
	}
}

func testDeleteExpiredAll(t *testing.T, s session.Store, o Options) {
	ctx := context.Background()
	live := session.NewKey()
	lv := mustCreate(t, s, live, []byte("live"), time.Now().Add(time.Hour))
	sw, sweeps := s.(session.Sweeper)
	for _, limit := range []int{0, -1} {
		var dead []string
		for range 3 {
			k := session.NewKey()
			mustCreate(t, s, k, []byte("expired"), time.Now().Add(-time.Second))
			dead = append(dead, k)
		}
		if !sweeps {
			checkSwept(t, s, dead, map[string]session.Version{live: lv})
			continue
		}
		n, err := sw.DeleteExpired(ctx, limit)
		if err != nil {
			t.Fatalf("DeleteExpired(%d): %v", limit, err)
		}
		if n != 3 && !(o.SelfExpiring && n >= 0 && n <= 3) {
			t.Errorf("DeleteExpired(%d) = %d, want all 3 expired records", limit, n)
		}
	}
	if rec := mustLoad(t, s, live); rec.Version != lv {
		t.Errorf("live record changed version %d -> %d", lv, rec.Version)
	}
}
