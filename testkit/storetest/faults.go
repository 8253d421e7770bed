package storetest

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// HungDeadline is the deadline RunHung gives each store call, the
// session Manager's default bound on a store call.
const HungDeadline = time.Second

// HungBound is how long a call with HungDeadline may take against a hung
// server in RunHung: the deadline and scheduling slack on a busy 2-CPU VM.
// It is a bound on being stuck, not a timing benchmark.
const HungBound = 1500 * time.Millisecond

// RunHung checks s against a server that stops answering without closing
// its connections: pause makes it hang (SIGSTOP, or a faultproxy's Hang),
// resume ends it. While it hangs, Load, Create, Update and Delete with a
// HungDeadline deadline must each fail within HungBound with an error
// matching session.ErrUnavailable (a 503); after resume the same store must
// work again, and the record it held is the old one or the one the
// interrupted Update wrote, never anything else.
func RunHung(t *testing.T, s session.Store, pause, resume func()) {
	t.Helper()
	ctx := context.Background()
	key := session.NewKey()
	v, err := s.Create(ctx, key, session.Record{Data: []byte("old"), Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("Create before the hang: %v", err)
	}
	if _, err := s.Load(ctx, key); err != nil {
		t.Fatalf("Load before the hang: %v", err)
	}

	pause()
	resumed := false
	defer func() {
		if !resumed {
			resume()
		}
	}()
	calls := map[string]func(context.Context) error{
		"Load": func(ctx context.Context) error { _, err := s.Load(ctx, key); return err },
		"Create": func(ctx context.Context) error {
			_, err := s.Create(ctx, session.NewKey(), session.Record{Data: []byte("x"), Expiry: time.Now().Add(time.Hour)})
			return err
		},
		"Update": func(ctx context.Context) error {
			_, err := s.Update(ctx, key, session.Record{Data: []byte("new"), Expiry: time.Now().Add(time.Hour), Version: v})
			return err
		},
		"Delete": func(ctx context.Context) error { return s.Delete(ctx, session.NewKey()) },
	}
	var wg sync.WaitGroup
	for op, call := range calls {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), HungDeadline)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			took := time.Since(start)
			if !errors.Is(err, session.ErrUnavailable) {
				t.Errorf("%s on a hung server: %v, want an error matching session.ErrUnavailable", op, err)
			}
			if took > HungBound {
				t.Errorf("%s on a hung server took %v, want at most %v", op, took, HungBound)
			}
			t.Logf("%s on a hung server: %v after %v", op, err, took.Round(time.Millisecond))
		})
	}
	wg.Wait()

	resume()
	resumed = true
	// The store works again. The interrupted Update may land at any time
	// after the resume (the server holds it), so a conflict is retried.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), HungDeadline)
		rec, err := s.Load(ctx, key)
		if err == nil {
			if d := string(rec.Data); d != "old" && d != "new" {
				cancel()
				t.Fatalf("Load after the hang = %q, want the old or the new record", d)
			}
			_, err = s.Update(ctx, key, session.Record{Data: []byte("after"), Expiry: time.Now().Add(time.Hour), Version: rec.Version})
		}
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store does not work again after the hang: %v", err)
		}
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete after the hang: %v", err)
	}
}

// CutOffRounds is how many Updates RunCutOff cancels.
const CutOffRounds = 40

// RunCutOff checks that a write cut off by its context leaves a whole
// record: it cancels Updates (and Creates) after random delays up to
// twice the time an Update takes, so that cuts land before, during and
// after the write, and after each the record loads as it was before, or
// as the write left it (a success means the new record with the returned
// version), or as an earlier cut-off write left it: a write cut off after
// it reached the server may be applied after its caller gave up (a
// PostgreSQL query runs on when the client stops waiting), an outcome the
// caller cannot know, but never over a newer version. A write that fails
// must fail with the context's error (or a conflict with such a late
// write), and the record is never torn.
func RunCutOff(t *testing.T, s session.Store) {
	t.Helper()
	bg := context.Background()
	key := session.NewKey()
	old := bytes.Repeat([]byte("o"), 64<<10) // large enough to take some time to write
	if _, err := s.Create(bg, key, session.Record{Data: old, Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer s.Delete(bg, key)
	// Calibrate: twice the quickest of a few uncut Updates.
	maxDelay := time.Duration(1<<63 - 1)
	for range 4 {
		cur, err := s.Load(bg, key)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		start := time.Now()
		if _, err := s.Update(bg, key, session.Record{Data: old, Expiry: time.Now().Add(time.Hour), Version: cur.Version}); err != nil {
			t.Fatalf("Update: %v", err)
		}
		maxDelay = min(maxDelay, 2*time.Since(start))
	}
	cut := func() (context.Context, func()) {
		ctx, cancel := context.WithCancel(bg)
		timer := time.AfterFunc(rand.N(maxDelay+1), cancel)
		return ctx, func() { timer.Stop(); cancel() }
	}
	// A write cut off after it was sent may still land later (the
	// server got it; only the answer was lost), when its version is
	// still the stored one: the bytes of such writes are pending.
	landed, pending := 0, map[byte]bool{}
	whole := func(b []byte) (byte, bool) {
		for _, c := range b {
			if c != b[0] {
				return 0, false
			}
		}
		return b[0], len(b) == len(old)
	}
	for i := range CutOffRounds {
		cur, err := s.Load(bg, key)
		if err != nil {
			t.Fatalf("round %d: Load: %v", i, err)
		}
		mark := byte('a' + i%26)
		next := bytes.Repeat([]byte{mark}, len(old))
		delete(pending, mark) // its earlier use lost to a later write (or is cur)
		ctx, stop := cut()
		nv, err := s.Update(ctx, key, session.Record{Data: next, Expiry: time.Now().Add(time.Hour), Version: cur.Version})
		stop()
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			pending[mark] = true
		case errors.Is(err, session.ErrConflict) && len(pending) > 0:
			// An earlier cut-off write landed after our Load.
		default:
			t.Fatalf("round %d: cut-off Update: %v, want success or an error matching context.Canceled", i, err)
		}
		got, lerr := s.Load(bg, key)
		if lerr != nil {
			t.Fatalf("round %d: Load after a cut-off Update: %v", i, lerr)
		}
		c, ok := whole(got.Data)
		switch {
		case !ok:
			t.Fatalf("round %d: after a cut-off Update the record is torn (%d bytes, not all one byte)", i, len(got.Data))
		case err == nil && (c != mark || got.Version != nv):
			t.Fatalf("round %d: Update succeeded with version %d, but the record is %q version %d", i, nv, c, got.Version)
		case c == mark:
			landed++
		case got.Version == cur.Version && bytes.Equal(got.Data, cur.Data):
		case pending[c]:
			// An earlier cut-off write landed late.
		default:
			t.Fatalf("round %d: after a cut-off Update the record is %q version %d: neither the old one (version %d), the new one, nor a cut-off write", i, c, got.Version, cur.Version)
		}
	}
	t.Logf("%d of %d cut-off Updates landed (cuts within %v)", landed, CutOffRounds, maxDelay)

	// A Create cut off leaves no record or the whole one.
	for i := range CutOffRounds / 4 {
		k := session.NewKey()
		ctx, stop := cut()
		_, err := s.Create(ctx, k, session.Record{Data: old, Expiry: time.Now().Add(time.Hour)})
		stop()
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("round %d: cut-off Create: %v, want success or an error matching context.Canceled", i, err)
		}
		got, lerr := s.Load(bg, k)
		switch {
		case errors.Is(lerr, session.ErrNotFound) && err == nil:
			t.Fatalf("round %d: Create succeeded but the record is missing", i)
		case errors.Is(lerr, session.ErrNotFound):
		case lerr != nil:
			t.Fatalf("round %d: Load after a cut-off Create: %v", i, lerr)
		case !bytes.Equal(got.Data, old):
			t.Fatalf("round %d: a cut-off Create left %d bytes that are not the record", i, len(got.Data))
		}
		s.Delete(bg, k)
	}
}
