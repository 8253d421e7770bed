package cookie

import (
	"net/http"
	"testing"
	"time"
)

// headerWriter is a ResponseWriter whose Set-Cookie lines are cleared
// between iterations, so benchmarks measure one Set, not a growing slice.
type headerWriter struct{ h http.Header }

func newHeaderWriter() *headerWriter                { return &headerWriter{h: http.Header{}} }
func (w *headerWriter) Header() http.Header         { return w.h }
func (w *headerWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *headerWriter) WriteHeader(int)             {}
func (w *headerWriter) reset()                      { delete(w.h, "Set-Cookie") }

const benchSessionKey = "q8mzxr2c0b7p3k5j1w9v4t6y0n2h8d3f"

func benchRequest(line string) *http.Request {
	r, err := http.NewRequest(http.MethodGet, "http://example.com/page", nil)
	if err != nil {
		panic(err)
	}
	r.Header.Set("Cookie", line)
	return r
}

func BenchmarkSet(b *testing.B) {
	w := newHeaderWriter()
	o := Options{Secure: true}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		if err := Set(w, "sessionid", benchSessionKey, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetMaxAge(b *testing.B) {
	w := newHeaderWriter()
	o := Options{Secure: true, MaxAge: 14 * 24 * time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		if err := Set(w, "sessionid", benchSessionKey, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDelete(b *testing.B) {
	w := newHeaderWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		Delete(w, "sessionid", Options{})
	}
}

func BenchmarkValue(b *testing.B) {
	r := benchRequest("_ga=GA1.2.1234567890.1700000000; csrftoken=abcdefghijklmnopqrstuvwxyz012345; theme=dark; sessionid=" + benchSessionKey + "; lang=en")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Value(r, "sessionid"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkRequestCookie(b *testing.B) { // net/http, for comparison
	r := benchRequest("_ga=GA1.2.1234567890.1700000000; csrftoken=abcdefghijklmnopqrstuvwxyz012345; theme=dark; sessionid=" + benchSessionKey + "; lang=en")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Cookie("sessionid"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignedSet(b *testing.B) {
	s := &Signed{Key: []byte(djangoKey)}
	w := newHeaderWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		if err := s.Set(w, "color", "blue"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignedGet(b *testing.B) {
	s := &Signed{Key: []byte(djangoKey), Salt: "color", Now: djangoClock}
	r := benchRequest("theme=dark; color=" + djangoColorBlue)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(r, "color", time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptedSet(b *testing.B) {
	e := &Encrypted{Key: []byte(djangoKey)}
	w := newHeaderWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		if err := e.Set(w, "prefs", "lang=fr;theme=dark"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptedGet(b *testing.B) {
	e := &Encrypted{Key: []byte(djangoKey)}
	w := newHeaderWriter()
	if err := e.Set(w, "prefs", "lang=fr;theme=dark"); err != nil {
		b.Fatal(err)
	}
	c, err := http.ParseSetCookie(w.h.Get("Set-Cookie"))
	if err != nil {
		b.Fatal(err)
	}
	r := benchRequest("theme=dark; prefs=" + c.Value)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Get(r, "prefs", time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
