// Package tetherotel reports a session.Manager's store calls and events to
// OpenTelemetry metrics. It is the only tether package that imports
// OpenTelemetry: an application that does not use it links none of it.
//
// Instruments (all with the attributes given to New, e.g. the store's
// name):
//
//	tether.session.store.calls     counter   store calls, by op (load, create, update, delete) and outcome
//	tether.session.store.duration  histogram seconds per store call, by op
//	tether.session.events          counter   session events (session.Event constants), by event
//
// An outcome is "ok", or for a failed call "not_found", "conflict",
// "exists", "unavailable", "canceled" or "error".
package tetherotel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tetherweb/tether/session"
)

// Metrics is a session.Metrics on an OpenTelemetry Meter. Make one with
// New; it is safe for concurrent use.
type Metrics struct {
	calls    metric.Int64Counter
	duration metric.Float64Histogram
	events   metric.Int64Counter
	attrs    []attribute.KeyValue
}

var _ session.Metrics = (*Metrics)(nil)

// New creates the instruments on meter. attrs are added to every
// measurement; name the store there (attribute.String("store", "redis"))
// when an application has several Managers.
func New(meter metric.Meter, attrs ...attribute.KeyValue) (*Metrics, error) {
	calls, err := meter.Int64Counter("tether.session.store.calls",
		metric.WithDescription("Session store calls, by operation and outcome."), metric.WithUnit("{call}"))
	if err != nil {
		return nil, fmt.Errorf("tetherotel: %w", err)
	}
	duration, err := meter.Float64Histogram("tether.session.store.duration",
		metric.WithDescription("Duration of session store calls."), metric.WithUnit("s"))
	if err != nil {
		return nil, fmt.Errorf("tetherotel: %w", err)
	}
	events, err := meter.Int64Counter("tether.session.events",
		metric.WithDescription("Session events: conflicts, rejected cookies and records, timeouts, failures."), metric.WithUnit("{event}"))
	if err != nil {
		return nil, fmt.Errorf("tetherotel: %w", err)
	}
	// Clipped, so that the appends below copy instead of writing into a
	// backing array shared by concurrent calls.
	return &Metrics{calls: calls, duration: duration, events: events, attrs: slices.Clip(attrs)}, nil
}

// StoreCall implements session.Metrics.
func (m *Metrics) StoreCall(ctx context.Context, op string, d time.Duration, err error) {
	opAttr := attribute.String("op", op)
	m.calls.Add(ctx, 1, metric.WithAttributes(append(m.attrs, opAttr, attribute.String("outcome", outcome(err)))...))
	m.duration.Record(ctx, d.Seconds(), metric.WithAttributes(append(m.attrs, opAttr)...))
}

// Event implements session.Metrics.
func (m *Metrics) Event(ctx context.Context, name string) {
	m.events.Add(ctx, 1, metric.WithAttributes(append(m.attrs, attribute.String("event", name))...))
}

// outcome classifies a store call's error.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, session.ErrNotFound):
		return "not_found"
	case errors.Is(err, session.ErrConflict):
		return "conflict"
	case errors.Is(err, session.ErrExists):
		return "exists"
	case errors.Is(err, session.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "error"
}
