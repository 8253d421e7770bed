package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// countingMetrics counts what a Manager reports.
type countingMetrics struct {
	mu     sync.Mutex
	calls  map[string]int // op + "/ok" or "/err"
	events map[string]int
}

func newCountingMetrics() *countingMetrics {
	return &countingMetrics{calls: map[string]int{}, events: map[string]int{}}
}

func (c *countingMetrics) StoreCall(ctx context.Context, op string, d time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	outcome := "ok"
	if err != nil {
		outcome = "err"
	}
	if d < 0 {
		outcome = "negative"
	}
	c.calls[op+"/"+outcome]++
}

func (c *countingMetrics) Event(ctx context.Context, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events[name]++
}

// TestMetricsCounted: every store call and event reaches Metrics, and the
// log lines carry the stable event names.
func TestMetricsCounted(t *testing.T) {
	mt := newCountingMetrics()
	e := newEnv(t, func(m *session.Manager) {
		m.Metrics = mt
		m.IdleTimeout = time.Hour
	})
	c := e.login(map[string]any{"n": 1}) // 1 create
	// A read-only request: 1 load.
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c)
	// A conflict replayed: load, update (conflict), load, update.
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["other"] = json.RawMessage("1") })
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		session.Update(session.From(r), "n", func(n int) int { return n + 1 })
	}, "POST", "/", c)
	// A stale read: load, update (conflict), load; refused.
	staged(e, c.Value, func(v map[string]json.RawMessage) { v["n"] = json.RawMessage("50") })
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		n, _ := session.Value[int](s, "n")
		s.Set("n", n+1)
	}, "POST", "/", c)
	// An idle session ends: load, delete.
	e.clock.Advance(2 * time.Hour)
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c)
	// A store failure: load fails.
	c2 := e.login(map[string]any{"n": 1}) // 1 create
	e.store.failWith = errors.New("boom")
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c2)
	e.store.failWith = nil

	wantCalls := map[string]int{"create/ok": 2, "load/ok": 6, "load/err": 1, "update/ok": 1, "update/err": 2, "delete/ok": 1}
	wantEvents := map[string]int{
		session.EventConflictRetry: 2, session.EventStaleRead: 1, session.EventIdleTimeout: 1, session.EventStoreError: 1,
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	for k, n := range wantCalls {
		if mt.calls[k] != n {
			t.Errorf("store calls %s = %d, want %d (all: %v)", k, mt.calls[k], n, mt.calls)
		}
	}
	if len(mt.calls) != len(wantCalls) {
		t.Errorf("store calls %v, want %v", mt.calls, wantCalls)
	}
	for k, n := range wantEvents {
		if mt.events[k] != n {
			t.Errorf("event %s = %d, want %d (all: %v)", k, mt.events[k], n, mt.events)
		}
	}
	logs := e.logs.String()
	for _, name := range []string{session.EventStaleRead, session.EventIdleTimeout, session.EventStoreError, session.EventConflictRetry} {
		if !strings.Contains(logs, "event="+name) {
			t.Errorf("no log line with event=%s", name)
		}
	}
}

// TestFailuresLoggedSparingly: during an outage every request fails the
// same way; the log gets the first failure, then one line per interval,
// and one line when requests succeed again, with the count not logged.
func TestFailuresLoggedSparingly(t *testing.T) {
	mt := newCountingMetrics()
	e := newEnv(t, func(m *session.Manager) { m.Metrics = mt })
	c := e.login(map[string]any{"n": 1})
	e.store.failWith = session.ErrUnavailable
	for range 1000 {
		e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c)
	}
	e.clock.Advance(11 * time.Second)
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c)
	e.store.failWith = nil
	e.serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("n") }, "GET", "/", c)

	logs := e.logs.String()
	if n := strings.Count(logs, "session: commit failed"); n != 2 {
		t.Errorf("%d failure lines for 1,001 failures, want 2 (the first, one after the interval):\n%s", n, logs)
	}
	if !strings.Contains(logs, "unlogged_failures=999") {
		t.Errorf("the second line does not count the 999 unlogged failures:\n%s", logs)
	}
	if !strings.Contains(logs, "requests succeed again") {
		t.Errorf("no recovery line:\n%s", logs)
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if mt.events[session.EventStoreError] != 1001 {
		t.Errorf("Metrics counted %d store errors, want every one (1001)", mt.events[session.EventStoreError])
	}
}
