// Package ratelog keeps a failing dependency from flooding the log: a
// Limiter logs the first event of a class (say "cache down"), then at most
// one line per interval for that class, carrying the number of events it
// did not log since its previous line. When the trouble ends, End returns
// that number, to be reported with the recovery.
//
// Classes are names chosen by the code that logs (a constant per kind of
// failure), never values derived from a request: a Limiter tracks at most
// MaxClasses of them, and events of further classes share one class.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// DefaultInterval is the shortest time between two lines of one class
// unless Limiter.Interval says otherwise.
const DefaultInterval = 10 * time.Second

// MaxClasses is how many classes a Limiter tracks; events of any further
// class are counted under OverflowClass.
const MaxClasses = 256

// OverflowClass is the class of events whose own class did not fit in
// MaxClasses.
const OverflowClass = "ratelog: other classes"

// SuppressedKey ("unlogged_failures") is the attribute that carries, on every line after the
// first of a run, how many events of the class were not logged since the
// previous line.
const SuppressedKey = "unlogged_failures"

// Limiter logs events sparingly. Its zero value is ready to use (on
// slog.Default() and DefaultInterval); set the fields before the first
// Log. Its methods are safe for concurrent use.
type Limiter struct {
	// Logger receives the lines (nil: slog.Default() at the time of each
	// line).
	Logger *slog.Logger
	// Interval is the shortest time between two lines of one class
	// (<= 0: DefaultInterval).
	Interval time.Duration
	// Now tells the time (nil: time.Now); tests give a fake clock.
	Now func() time.Time

	mu   sync.Mutex
	runs map[string]*run
}

// run is the state of one class since its first event.
type run struct {
	last       time.Time // when its last line went out
	suppressed int64     // events not logged since then
}

// Log records an event of class. It logs msg at level with attrs if it is
// the first event of the class since New or End, or if the previous line
// of the class went out at least Interval ago; then the line also carries
// SuppressedKey, the number of events not logged in between (when there
// were any). Otherwise it only counts the event. It reports whether it
// logged.
func (l *Limiter) Log(ctx context.Context, level slog.Level, class, msg string, attrs ...slog.Attr) bool {
	now := l.now()
	l.mu.Lock()
	if l.runs == nil {
		l.runs = make(map[string]*run)
	}
	r := l.runs[class]
	if r == nil {
		if len(l.runs) >= MaxClasses {
			class = OverflowClass
			r = l.runs[class]
		}
		if r == nil {
			l.runs[class] = &run{last: now}
			l.mu.Unlock()
			l.logger().LogAttrs(ctx, level, msg, attrs...)
			return true
		}
	}
	if now.Sub(r.last) < l.interval() {
		r.suppressed++
		l.mu.Unlock()
		return false
	}
	n := r.suppressed
	r.last, r.suppressed = now, 0
	l.mu.Unlock()
	if n > 0 {
		attrs = append(attrs[:len(attrs):len(attrs)], slog.Int64(SuppressedKey, n))
	}
	l.logger().LogAttrs(ctx, level, msg, attrs...)
	return true
}

// End ends the run of class: it returns the number of its events not
// logged since its last line, and the next event of the class is logged
// at once. It returns 0 for a class with no run.
func (l *Limiter) End(class string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.runs[class]
	if r == nil {
		return 0
	}
	delete(l.runs, class)
	return r.suppressed
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Limiter) interval() time.Duration {
	if l.Interval > 0 {
		return l.Interval
	}
	return DefaultInterval
}

func (l *Limiter) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.Default()
}
