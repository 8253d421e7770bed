package session

import (
	"context"
	"log/slog"
	"time"

	"github.com/tetherweb/tether/internal/ratelog"
)

// Event names: the value of the "event" attribute of the Manager's log
// lines about security-relevant decisions and failures, and what
// Metrics.Event receives. They are stable: alert and count on them, not on
// the message text.
const (
	// EventCookieRejected: a session kept in the cookie did not open,
	// did not decode or had expired; the request starts a fresh session.
	EventCookieRejected = "session.cookie_rejected"
	// EventRecordRejected: a stored record did not open (sealed with an
	// unknown key, moved under another key, truncated) or did not decode.
	EventRecordRejected = "session.record_rejected"
	// EventEnded: the cookie named a session that has ended (expired,
	// revoked, logged out elsewhere) or never existed; the request starts
	// a fresh one. Logged at Debug: every expired cookie does this.
	EventEnded = "session.ended"
	// EventIdleTimeout: a session unused for longer than IdleTimeout ended.
	EventIdleTimeout = "session.idle_timeout"
	// EventConflictRetry: a compare-and-swap lost to a concurrent request;
	// the request's changes are replayed on the fresh record.
	EventConflictRetry = "session.conflict_retry"
	// EventStaleRead: a read-then-write lost to a concurrent change and the
	// request was refused (ErrStaleRead, 409).
	EventStaleRead = "session.stale_read"
	// EventInterrupted: the session was deleted by a concurrent request
	// (ErrInterrupted, 400).
	EventInterrupted = "session.interrupted"
	// EventStoreError: a load or save failed on the store (503 or 500).
	EventStoreError = "session.store_error"
	// EventRevoked: Revoke or RevokeUser ended a session.
	EventRevoked = "session.revoked"
	// EventMisuse: the handler used the session wrongly (a change after
	// the headers went out, a call from inside an Update function).
	EventMisuse = "session.misuse"
)

// Store operations, as Metrics.StoreCall names them.
const (
	OpLoad   = "load"
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

// Metrics receives what a Manager does, for dashboards and alerts: every
// store call with its latency and outcome, and every event (the Event
// constants). Set Manager.Metrics; package integrations/otel adapts it to
// OpenTelemetry, so the core keeps no telemetry dependency. Methods are
// called concurrently, on the request's path: they must be quick and
// must not block.
type Metrics interface {
	// StoreCall reports one call to the Store (OpLoad, OpCreate, OpUpdate,
	// OpDelete), how long it took and its error (nil on success;
	// ErrNotFound, ErrConflict and ErrExists are outcomes, not failures).
	StoreCall(ctx context.Context, op string, d time.Duration, err error)
	// Event reports one of the Event constants.
	Event(ctx context.Context, name string)
}

// failure is event for failed requests, logged sparingly: during an
// outage every request fails the same way, so the first failure of each
// kind is logged at once and then at most one line per interval, with the
// count of those not logged (ratelog). Metrics still counts each one.
func (m *Manager) failure(ctx context.Context, level slog.Level, name, msg string, attrs ...slog.Attr) {
	if m.Metrics != nil {
		m.Metrics.Event(ctx, name)
	}
	if name == EventStoreError {
		m.failing.Store(true) // an outage: say when it ends
	}
	m.failures.Log(ctx, level, name, msg, append([]slog.Attr{slog.String("event", name)}, attrs...)...)
}

// recovered ends the failure runs after a request succeeds again following
// store errors, with one line that says how many failures went unlogged.
func (m *Manager) recovered(ctx context.Context) {
	if !m.failing.Load() || !m.failing.CompareAndSwap(true, false) {
		return
	}
	var attrs []slog.Attr
	for _, name := range []string{EventStoreError, EventStaleRead, EventInterrupted, EventMisuse} {
		if n := m.failures.End(name); n > 0 {
			attrs = append(attrs, slog.Int64(ratelog.SuppressedKey+"."+name, n))
		}
	}
	m.Logger.LogAttrs(ctx, slog.LevelInfo, "session: requests succeed again", attrs...)
}

// event logs a decision with its stable event name and reports it to
// Metrics.
func (m *Manager) event(ctx context.Context, level slog.Level, name, msg string, attrs ...slog.Attr) {
	if m.Metrics != nil {
		m.Metrics.Event(ctx, name)
	}
	if !m.Logger.Enabled(ctx, level) {
		return
	}
	m.Logger.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("event", name)}, attrs...)...)
}
