package session_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// discard is a minimal ResponseWriter, so the benchmarks measure the
// middleware rather than httptest's recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchRequest(b *testing.B, h http.Handler, withCookie bool, key string) {
	req := httptest.NewRequest("GET", "/", nil)
	if withCookie {
		req.Header.Set("Cookie", "csrftoken=abc; sessionid="+key+"; theme=dark")
	}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

func benchSetup(b *testing.B, configure ...func(*session.Manager)) (*session.Manager, string) {
	store := memstore.New()
	b.Cleanup(func() { store.Close() })
	m := &session.Manager{Store: store}
	for _, f := range configure {
		f(m)
	}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		s.Set("user", "demo")
		s.Set("cart", map[string]int{"5": 2, "7": 1})
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	return m, rec.Result().Cookies()[0].Value
}

var hello = []byte("hello")

// BenchmarkBare is the baseline: the same handler without the middleware.
func BenchmarkBare(b *testing.B) {
	_, key := benchSetup(b)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(hello) })
	benchRequest(b, h, true, key)
}

// BenchmarkUntouched: the middleware around a handler that never uses the
// session.
func BenchmarkUntouched(b *testing.B) {
	m, key := benchSetup(b)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(hello) }))
	benchRequest(b, h, true, key)
}

// BenchmarkReadOnly: one value read from an existing session on memstore.
func BenchmarkReadOnly(b *testing.B) { benchReadOnly(b) }

// BenchmarkReadOnlySealed: the same with the records sealed at rest
// (Manager.SecretKey): one XChaCha20-Poly1305 open per request.
func BenchmarkReadOnlySealed(b *testing.B) {
	benchReadOnly(b, func(m *session.Manager) { m.SecretKey = []byte("bench-secret-key-0123456789abcdef") })
}

func benchReadOnly(b *testing.B, configure ...func(*session.Manager)) {
	m, key := benchSetup(b, configure...)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := session.Value[string](session.From(r), "user"); !ok {
			b.Fatal("no user")
		}
		w.Write(hello)
	}))
	benchRequest(b, h, true, key)
}

// BenchmarkWrite: an Update of an existing session on memstore.
func BenchmarkWrite(b *testing.B) {
	m, key := benchSetup(b)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.Update(session.From(r), "n", func(n int) int { return n + 1 })
		w.Write(hello)
	}))
	benchRequest(b, h, true, key)
}

// BenchmarkNewSession: a first visit that stores one value.
func BenchmarkNewSession(b *testing.B) {
	m, _ := benchSetup(b)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("n", 1)
		w.Write(hello)
	}))
	benchRequest(b, h, false, "")
}

// TestReadOnlyAllocations guards the hot path: a request that only reads
// its session costs two allocations (the middleware's one object, holding
// the response writer, the Session and the request's copy, and the string
// read), one when the session is not looked at, and two more when records
// are sealed at rest (on Go 1.26; the middleware's comment says why its
// request copy stays in its object).
func TestReadOnlyAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	store := memstore.New()
	defer store.Close()
	m := &session.Manager{Store: store}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("user", "demo")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "sessionid="+rec.Result().Cookies()[0].Value)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.Value[string](session.From(r), "user")
	}))
	w := &discard{h: http.Header{}}
	if n := testing.AllocsPerRun(200, func() { clear(w.h); h.ServeHTTP(w, req) }); n > 2 {
		t.Fatalf("a read-only request costs %v allocations, want at most 2", n)
	}
	untouched := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if n := testing.AllocsPerRun(200, func() { clear(w.h); untouched.ServeHTTP(w, req) }); n > 1 {
		t.Fatalf("an untouched session costs %v allocations, want at most 1", n)
	}

	// Sealed at rest: one open more.
	sealed := &session.Manager{Store: store, SecretKey: []byte("alloc-test-secret-key-0123456789")}
	rec = httptest.NewRecorder()
	sealed.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session.From(r).Set("user", "demo")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "sessionid="+rec.Result().Cookies()[0].Value)
	h = sealed.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v, _ := session.Value[string](session.From(r), "user"); v != "demo" {
			t.Errorf("read %q", v)
		}
	}))
	if n := testing.AllocsPerRun(200, func() { clear(w.h); h.ServeHTTP(w, req) }); n > 4 {
		t.Fatalf("a sealed read-only request costs %v allocations, want at most 4", n)
	}
}
