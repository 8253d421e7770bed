package messages

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// BenchmarkAddRead measures one request that reads the message the previous
// request added and adds one, on each storage, through the session and
// messages middleware (memstore sessions), replaying the cookies like a
// browser. Run with
//
//	go test -run '^$' -bench AddRead -benchmem ./messages/
func BenchmarkAddRead(b *testing.B) {
	for _, name := range []string{"session", "cookie", "fallback"} {
		b.Run(name, func(b *testing.B) {
			store := memstore.New()
			defer store.Close()
			sm := &session.Manager{Store: store}
			m := storages()[name]()
			h := sm.Middleware(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if len(Get(r)) > 1 {
					b.Fatal("a message was read twice")
				}
				if err := Success(r, "The post has been saved."); err != nil {
					b.Fatal(err)
				}
				w.WriteHeader(http.StatusOK)
			})))
			cookies := map[string]*http.Cookie{}
			req := httptest.NewRequest("GET", "/", nil)
			b.ReportAllocs()
			for b.Loop() {
				req.Header.Del("Cookie")
				for _, c := range cookies {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				for _, c := range rec.Result().Cookies() {
					cookies[c.Name] = c
				}
			}
		})
	}
}

// untouchedHandler is the messages middleware around a handler that neither
// adds nor reads messages, on a request carrying session and messages
// cookies.
func untouchedHandler(storage string) (http.Handler, *http.Request) {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	if storage != "" {
		h = storages()[storage]().Middleware(h)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "sessionid=abc; messages=x")
	return h, req
}

// BenchmarkUntouched measures the middleware on a request that neither adds
// nor reads messages ("none" is the bare handler). Run with
//
//	go test -run '^$' -bench Untouched -benchmem ./messages/
func BenchmarkUntouched(b *testing.B) {
	for _, name := range []string{"none", "session", "cookie", "fallback"} {
		b.Run(name, func(b *testing.B) {
			storage := name
			if name == "none" {
				storage = ""
			}
			h, req := untouchedHandler(storage)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}

// A request that neither adds nor reads messages costs the request's copy
// with the new context, the state and the hook: three allocations, and no
// cookie parsing, signature check or session access.
func TestUntouchedRequestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	for _, name := range []string{"session", "cookie", "fallback"} {
		h, req := untouchedHandler(name)
		w := httptest.NewRecorder()
		if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, req) }); n > 3 {
			t.Errorf("%s: %v allocations per untouched request, want at most 3", name, n)
		}
	}
}
