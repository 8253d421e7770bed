package detach

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestResult(t *testing.T) {
	v, err := Run(context.Background(), func() (int, error) { return 42, nil })
	if v != 42 || err != nil {
		t.Errorf("Run = %d, %v; want 42, nil", v, err)
	}
	boom := errors.New("boom")
	if _, err := Run(context.Background(), func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("Run error = %v, want the call's", err)
	}
}

// TestDeadline: a call that blocks past the deadline is given up on at the
// deadline, and finishes in the background without blocking.
func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	finished := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Run(ctx, func() (int, error) {
		defer close(finished)
		<-release
		return 1, nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want the deadline", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Run took %v past a 50ms deadline", took)
	}
	close(release)
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("the call given up on did not finish once released")
	}
}

// TestDoneAlready: nothing runs for a context that is done.
func TestDoneAlready(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if _, err := Run(ctx, func() (int, error) { ran = true; return 0, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if ran {
		t.Error("the call ran for a cancelled context")
	}
}
