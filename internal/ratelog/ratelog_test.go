package ratelog

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newLimiter returns a Limiter on a fake clock that logs text into buf.
func newLimiter(buf *bytes.Buffer) (*Limiter, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := slog.NewTextHandler(buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	return &Limiter{Logger: slog.New(h), Interval: 10 * time.Second, Now: clock.Now}, clock
}

func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSpace(buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// TestThousandFailures: 1,000 failures within one interval give the first
// line at once; the first failure after the interval gives one summary
// line with the 999 in between counted.
func TestThousandFailures(t *testing.T) {
	var buf bytes.Buffer
	l, clock := newLimiter(&buf)
	ctx := context.Background()
	logged := 0
	for i := range 1000 {
		if l.Log(ctx, slog.LevelWarn, "cache", "cache failed", slog.String("op", "load")) {
			logged++
		}
		if i == 0 && len(lines(&buf)) != 1 {
			t.Fatalf("the first failure was not logged at once: %q", buf.String())
		}
		clock.Advance(9 * time.Millisecond) // 1,000 failures in 9 s: one interval
	}
	if logged != 1 || len(lines(&buf)) != 1 {
		t.Fatalf("%d lines for 1,000 failures in one interval, want 1:\n%s", len(lines(&buf)), buf.String())
	}
	if strings.Contains(lines(&buf)[0], SuppressedKey) {
		t.Errorf("the first line carries a suppressed count: %s", lines(&buf)[0])
	}
	clock.Advance(time.Second) // now 10 s after the first line
	if !l.Log(ctx, slog.LevelWarn, "cache", "cache failed", slog.String("op", "load")) {
		t.Fatal("the first failure after the interval was not logged")
	}
	got := lines(&buf)
	if len(got) != 2 {
		t.Fatalf("%d lines, want the first and one summary:\n%s", len(got), buf.String())
	}
	if !strings.Contains(got[1], "unlogged_failures=999") || !strings.Contains(got[1], "op=load") || !strings.Contains(got[1], `msg="cache failed"`) {
		t.Errorf("summary line %q: want the message, its attributes and unlogged_failures=999", got[1])
	}
	// The next interval starts afresh.
	for range 50 {
		l.Log(ctx, slog.LevelWarn, "cache", "cache failed")
	}
	if n := len(lines(&buf)); n != 2 {
		t.Errorf("%d lines after 50 more failures within the interval, want 2", n)
	}
	if n := l.End("cache"); n != 50 {
		t.Errorf("End = %d, want the 50 failures not logged", n)
	}
	if !l.Log(ctx, slog.LevelWarn, "cache", "cache failed") {
		t.Error("after End, the next failure was not logged at once")
	}
	if n := l.End("cache"); n != 0 {
		t.Errorf("End right after a logged failure = %d, want 0", n)
	}
	if n := l.End("never"); n != 0 {
		t.Errorf("End of an unknown class = %d, want 0", n)
	}
}

// TestClassesApart: each class has its own run.
func TestClassesApart(t *testing.T) {
	var buf bytes.Buffer
	l, _ := newLimiter(&buf)
	ctx := context.Background()
	for range 10 {
		l.Log(ctx, slog.LevelWarn, "a", "a failed")
		l.Log(ctx, slog.LevelError, "b", "b failed")
	}
	got := lines(&buf)
	if len(got) != 2 || !strings.Contains(got[0], "a failed") || !strings.Contains(got[1], "level=ERROR") {
		t.Errorf("lines %q: want one per class, at its level", got)
	}
}

// TestOverflow: classes beyond MaxClasses share one run, so the number of
// lines per interval stays bounded whatever the classes.
func TestOverflow(t *testing.T) {
	var buf bytes.Buffer
	l, _ := newLimiter(&buf)
	ctx := context.Background()
	for i := range 10 * MaxClasses {
		l.Log(ctx, slog.LevelWarn, "class"+strconv.Itoa(i), "failed")
	}
	if n := len(lines(&buf)); n != MaxClasses+1 {
		t.Errorf("%d lines for %d classes, want %d (MaxClasses and one overflow)", n, 10*MaxClasses, MaxClasses+1)
	}
	if n := len(l.runs); n > MaxClasses+1 {
		t.Errorf("%d runs tracked, want at most %d", n, MaxClasses+1)
	}
}

// TestConcurrent: many goroutines failing at once within one interval give
// one line, and every event is counted.
func TestConcurrent(t *testing.T) {
	var buf bytes.Buffer
	l, clock := newLimiter(&buf)
	var mu sync.Mutex
	safe := &lockedWriter{mu: &mu, buf: &buf}
	l.Logger = slog.New(slog.NewTextHandler(safe, nil))
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				l.Log(ctx, slog.LevelWarn, "x", "failed")
			}
		})
	}
	wg.Wait()
	mu.Lock()
	n := len(lines(&buf))
	mu.Unlock()
	if n != 1 {
		t.Errorf("%d lines for 4,000 concurrent failures, want 1", n)
	}
	clock.Advance(time.Minute)
	if got := l.End("x"); got != 3999 {
		t.Errorf("End = %d, want 3999", got)
	}
}

type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// TestZeroValue: a zero Limiter logs on slog.Default().
func TestZeroValue(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	var l Limiter
	l.Log(context.Background(), slog.LevelWarn, "z", "zero")
	l.Log(context.Background(), slog.LevelWarn, "z", "zero")
	if n := len(lines(&buf)); n != 1 {
		t.Errorf("%d lines from a zero Limiter, want 1", n)
	}
}
