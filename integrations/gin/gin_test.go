package tethergin_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tetherweb/tether/csrf"
	tethergin "github.com/tetherweb/tether/integrations/gin"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

var quiet = slog.New(slog.DiscardHandler)

func init() { gin.SetMode(gin.TestMode) }

// newGin returns a Gin engine with sessions wrapped and a memstore.
func newGin(t *testing.T) (*gin.Engine, *memstore.Store) {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	r := gin.New()
	r.Use(tethergin.Wrap((&session.Manager{Store: store, Logger: quiet}).Middleware))
	return r, store
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

// TestCommitWithTheStatusSent: the session is saved, and its cookie
// sent, with the status the headers go out with, whichever way a Gin
// handler sets it; never on a 5xx.
func TestCommitWithTheStatusSent(t *testing.T) {
	r, store := newGin(t)
	set := func(c *gin.Context) { session.From(c.Request).Set("k", c.Request.URL.Path) }
	r.GET("/string", func(c *gin.Context) { set(c); c.String(http.StatusOK, "ok") })
	r.GET("/json201", func(c *gin.Context) { set(c); c.JSON(http.StatusCreated, gin.H{"ok": true}) })
	// c.Status only records the status: a change after it still lands.
	r.GET("/status-then-set", func(c *gin.Context) { c.Status(http.StatusAccepted); set(c); c.Writer.WriteString("late") })
	r.GET("/status-only", func(c *gin.Context) { set(c); c.Status(http.StatusNoContent) })
	r.GET("/abort401", func(c *gin.Context) { set(c); c.AbortWithStatus(http.StatusUnauthorized) })
	r.GET("/redirect", func(c *gin.Context) { set(c); c.Redirect(http.StatusSeeOther, "/") })
	r.GET("/flush", func(c *gin.Context) { set(c); c.Writer.Flush(); c.Writer.WriteString("streamed") })
	r.GET("/error500", func(c *gin.Context) { set(c); c.String(http.StatusInternalServerError, "boom") })
	r.GET("/status500", func(c *gin.Context) { set(c); c.Status(http.StatusInternalServerError) })
	r.GET("/abort503", func(c *gin.Context) { set(c); c.AbortWithStatus(http.StatusServiceUnavailable) })

	for _, c := range []struct {
		path  string
		code  int
		saved bool
	}{
		{"/string", 200, true},
		{"/json201", 201, true},
		{"/status-then-set", 202, true},
		{"/status-only", 204, true},
		{"/abort401", 401, true},
		{"/redirect", 303, true},
		{"/flush", 200, true},
		{"/error500", 500, false},
		{"/status500", 500, false},
		{"/abort503", 503, false},
	} {
		before := count(t, store)
		rec := get(r, c.path)
		cookies := rec.Result().Cookies()
		if rec.Code != c.code || (len(cookies) == 1) != c.saved || (count(t, store) == before+1) != c.saved {
			t.Errorf("%s: %d, cookies %v, sessions %d -> %d; want %d, saved %v",
				c.path, rec.Code, cookies, before, count(t, store), c.code, c.saved)
		}
	}

	// A panic caught by gin.Recovery outside saves nothing either.
	rp := gin.New()
	rp.Use(gin.CustomRecoveryWithWriter(discard{}, func(c *gin.Context, _ any) { c.AbortWithStatus(500) }))
	rp.Use(tethergin.Wrap((&session.Manager{Store: store, Logger: quiet}).Middleware))
	rp.GET("/panic", func(c *gin.Context) { session.From(c.Request).Set("k", "v"); panic("handler bug") })
	before := count(t, store)
	if rec := get(rp, "/panic"); rec.Code != 500 || len(rec.Result().Cookies()) != 0 || count(t, store) != before {
		t.Errorf("panic: %d %v", rec.Code, rec.Result().Cookies())
	}
}

func count(t *testing.T, s *memstore.Store) int {
	t.Helper()
	n, err := s.Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestRefusalAborts: a request the CSRF middleware refuses never reaches
// a later handler, and the refusal is what the client gets.
func TestRefusalAborts(t *testing.T) {
	protect, err := csrf.Protect(csrf.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	var status int
	r.Use(func(c *gin.Context) { c.Next(); status = c.Writer.Status() })
	r.Use(tethergin.Wrap(protect))
	ran := 0
	r.Use(func(c *gin.Context) { ran++ })
	r.POST("/cart", func(c *gin.Context) { ran++; c.String(200, "added") })

	req := httptest.NewRequest("POST", "http://example.com/cart", nil)
	req.Header.Set("Origin", "http://example.com")
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Code != 403 || status != 403 || ran != 0 {
		t.Fatalf("%d (outer saw %d), later handlers ran %d times", rec.Code, status, ran)
	}
	// A safe request goes through the whole chain.
	r.GET("/cart", func(c *gin.Context) { ran++; c.String(200, "cart") })
	if rec := get(r, "/cart"); rec.Code != 200 || ran != 2 {
		t.Fatalf("GET: %d, handlers ran %d times", rec.Code, ran)
	}
}

// TestHijack: a handler behind Wrap can take over the connection (as a
// WebSocket upgrade does) through c.Writer.
func TestHijack(t *testing.T) {
	r, _ := newGin(t)
	r.GET("/upgrade", func(c *gin.Context) {
		conn, rw, err := c.Writer.Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		rw.Flush()
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/upgrade")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(b) != "hijacked" {
		t.Fatalf("%d %q", res.StatusCode, b)
	}
}
