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
