// Package tethergin runs tether's net/http middleware (session, messages,
// csrf, secure) in a Gin (github.com/gin-gonic/gin) application.
//
// Gin's middleware is a gin.HandlerFunc that calls c.Next, and its
// response writer sends the headers late: c.Status (and so c.JSON,
// c.HTML, c.String) only records the status, which may still change, and
// the headers go out with the first byte of the body, on c.Writer.Flush
// or c.Writer.WriteHeaderNow, or after the last handler returns. Wrap
// runs tether's middleware around the rest of the chain and gives the
// handlers a gin.ResponseWriter that keeps those rules while letting
// tether save the session and messages, and set its cookies, at the very
// moment the headers go out, with the status they go out with (nothing is
// saved on a 5xx).
package tethergin

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Wrap turns a net/http middleware into a gin.HandlerFunc:
//
//	r := gin.New()
//	r.Use(gin.Logger(), gin.Recovery())
//	r.Use(tethergin.Wrap(sessions.Middleware), tethergin.Wrap(flashes.Middleware), tethergin.Wrap(protect))
//
// The handlers after it see the request the middleware passed on (so
// session.From(c.Request) and messages.Get(c.Request) work). When the
// middleware answers a request itself (a CSRF 403, a redirect to HTTPS)
// the chain is aborted: no later handler runs.
//
// Render templates into a buffer and send it with c.Data, as with
// net/http: messages read and a CSRF token made after the first byte of
// the body was written can no longer be saved. (c.HTML executes its
// template straight into the response.)
func Wrap(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		orig := c.Writer
		defer func() { c.Writer = orig }()
		reached := false
		mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
			rw := &responseWriter{ResponseWriter: orig, next: w}
			c.Request = r
			c.Writer = rw
			c.Next()
			// The handlers are done: if they set a status without
			// writing, the middleware commits with that status (gin
			// sends the headers only after this returns).
			rw.commit()
		})).ServeHTTP(orig, c.Request)
		if !reached {
			c.Abort()
		}
	}
}

// responseWriter is the gin.ResponseWriter the handlers behind Wrap get.
// The status, size and written state are the wrapped gin writer's; every
// write goes through next, the middleware's writer (which ends in the gin
// writer), and the status is handed to next when the headers are due.
type responseWriter struct {
	gin.ResponseWriter                     // gin's writer (or an outer Wrap's)
	next               http.ResponseWriter // the middleware's writer
	committed          bool
}

// commit tells the middleware the status the headers will go out with,
// once, just before they do.
func (w *responseWriter) commit() {
	if !w.committed && !w.ResponseWriter.Written() {
		w.committed = true
		w.next.WriteHeader(w.ResponseWriter.Status())
	}
}

// WriteHeaderNow sends the headers, after the middleware's hook.
func (w *responseWriter) WriteHeaderNow() {
	w.commit()
	w.ResponseWriter.WriteHeaderNow()
}

// Write sends the headers if needed, then p.
func (w *responseWriter) Write(p []byte) (int, error) {
	w.commit()
	return w.next.Write(p)
}

// WriteString sends the headers if needed, then s.
func (w *responseWriter) WriteString(s string) (int, error) {
	w.commit()
	return io.WriteString(w.next, s)
}

// Flush sends the headers if needed and flushes.
func (w *responseWriter) Flush() {
	w.commit()
	_ = http.NewResponseController(w.next).Flush()
}

// Hijack hands over the connection, after the middleware's hook (status
// 101) when the connection can be hijacked.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.next).Hijack()
}

// Unwrap returns the middleware's writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.next }
