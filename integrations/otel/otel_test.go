package tetherotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	tetherotel "github.com/tetherweb/tether/integrations/otel"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// sums collects the reader's counters as name{attr=value,...} -> value.
func sums(t *testing.T, reader *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch data := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range data.DataPoints {
					out[m.Name+label(p.Attributes)] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range data.DataPoints {
					out[m.Name+label(p.Attributes)] += int64(p.Count)
				}
			}
		}
	}
	return out
}

func label(set attribute.Set) string {
	s := "{"
	for i, kv := range set.ToSlice() {
		if i > 0 {
			s += ","
		}
		s += string(kv.Key) + "=" + kv.Value.Emit()
	}
	return s + "}"
}

// TestCounts: a first visit, a read and a tampered record become the
// store call counts, the latency histogram and the event counter.
func TestCounts(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())
	mt, err := tetherotel.New(provider.Meter("test"), attribute.String("store", "memory"))
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store, Metrics: mt, SecretKey: []byte("otel-test-secret-0123456789abcdef")}
	serve := func(h http.HandlerFunc, c *http.Cookie) *http.Response {
		req := httptest.NewRequest("GET", "/", nil)
		if c != nil {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		m.Middleware(h).ServeHTTP(rec, req)
		return rec.Result()
	}
	resp := serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Set("user", "alice") }, nil)
	c := resp.Cookies()[0]
	serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("user") }, c)
	// A record sealed for another key: rejected.
	rec, _ := store.Load(context.Background(), c.Value)
	resp2 := serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Set("user", "bob") }, nil)
	c2 := resp2.Cookies()[0]
	store.Update(context.Background(), c2.Value, session.Record{Data: rec.Data, Expiry: rec.Expiry, Version: mustVersion(t, store, c2.Value)})
	serve(func(w http.ResponseWriter, r *http.Request) { session.From(r).Has("user") }, c2)

	got := sums(t, reader)
	want := map[string]int64{
		"tether.session.store.calls{op=create,outcome=ok,store=memory}":     2,
		"tether.session.store.calls{op=load,outcome=ok,store=memory}":       2,
		"tether.session.store.duration{op=create,store=memory}":             2,
		"tether.session.store.duration{op=load,store=memory}":               2,
		"tether.session.events{event=session.record_rejected,store=memory}": 1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
}

func mustVersion(t *testing.T, s *memstore.Store, key string) session.Version {
	t.Helper()
	r, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return r.Version
}
