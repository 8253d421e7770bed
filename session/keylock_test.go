package session

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestKeyLocksSerialiseOneKeyOnly(t *testing.T) {
	l := newKeyLocks()
	ctx := context.Background()
	unlockA, err := l.lock(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	// Another key is not delayed by a held one.
	unlockB, err := l.lock(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	unlockB.unlock()
	// The same key waits until released, or until its context ends.
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.lock(short, "a"); err == nil {
		t.Fatal("a held key was taken twice")
	}
	got := make(chan struct{})
	go func() {
		unlock, err := l.lock(ctx, "a")
		if err == nil {
			unlock.unlock()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a held key was taken")
	case <-time.After(10 * time.Millisecond):
	}
	unlockA.unlock()
	<-got
	if n := len(l.locks); n != 0 {
		t.Fatalf("%d locks left after every holder released", n)
	}
}

func TestKeyLocksUnderContention(t *testing.T) {
	l := newKeyLocks()
	var wg sync.WaitGroup
	held := map[string]int{}
	var mu sync.Mutex
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []string{"x", "y", "z"}[i%3]
			unlock, err := l.lock(context.Background(), key)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			held[key]++
			if held[key] != 1 {
				t.Errorf("%s held %d times", key, held[key])
			}
			mu.Unlock()
			mu.Lock()
			held[key]--
			mu.Unlock()
			unlock.unlock()
		}()
	}
	wg.Wait()
	if len(l.locks) != 0 {
		t.Fatalf("%d locks left", len(l.locks))
	}
}
