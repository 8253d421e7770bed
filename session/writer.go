package session

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/tetherweb/tether/internal/hookwriter"
	"github.com/tetherweb/tether/internal/logval"
)

// errResponseReplaced is returned by writes after a failed commit replaced
// the handler's response with the error handler's.
var errResponseReplaced = errors.New("session: the response was replaced by the session error handler")

// responseWriter saves the session just before the response's headers go
// out. It holds the request's Session, its context and the request the
// handler gets too, so that the middleware allocates one object per
// request for all four.
type responseWriter struct {
	http.ResponseWriter
	req         http.Request // the handler's request: the middleware's with ctx
	sess        Session
	ctx         sessionContext // the request's context with sess in it
	wroteHeader bool           // the status line was decided (by the handler or us)
	failed      bool           // the commit failed; the error handler answered
	hijacked    bool
}

// commit saves the session for a response with status code. On failure it
// answers with the error handler and reports false.
func (rw *responseWriter) commit(code int) bool {
	err := rw.sess.commit(rw.ResponseWriter.Header(), code)
	m := rw.sess.m
	if err == nil {
		m.recovered(rw.req.Context())
		return true
	}
	rw.failed = true
	m.failure(rw.req.Context(), logLevelFor(err), eventFor(err), "session: commit failed",
		logval.String("method", rw.req.Method), logval.String("path", rw.req.URL.Path), logval.Error(err))
	// The handler's headers describe the response that is not sent:
	// drop them (a Cache-Control: public must not make the error
	// cacheable), keeping only Vary and the site-wide security headers.
	h := rw.ResponseWriter.Header()
	for k := range h {
		if !keptOnError[k] {
			delete(h, k)
		}
	}
	h.Set("Cache-Control", "no-store")
	m.ErrorHandler(rw.ResponseWriter, &rw.req, err)
	return false
}

// keptOnError are the headers an error response keeps from the handler's.
var keptOnError = map[string]bool{
	"Vary":                                true,
	"Strict-Transport-Security":           true,
	"X-Content-Type-Options":              true,
	"Referrer-Policy":                     true,
	"Cross-Origin-Opener-Policy":          true,
	"Content-Security-Policy":             true,
	"Content-Security-Policy-Report-Only": true,
	"X-Frame-Options":                     true,
}

// WriteHeader saves the session, then sends the status. Informational
// statuses (1xx other than 101) pass through without saving.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.wroteHeader || rw.hijacked {
		if !rw.failed {
			rw.ResponseWriter.WriteHeader(code) // net/http reports the superfluous call
		}
		return
	}
	if code < 100 || code > 999 || code < 200 && code != http.StatusSwitchingProtocols {
		// Informational statuses pass through; an invalid one makes
		// net/http panic, and nothing must have been saved for it.
		rw.ResponseWriter.WriteHeader(code)
		return
	}
	rw.wroteHeader = true
	if rw.commit(code) {
		rw.ResponseWriter.WriteHeader(code)
	}
}

// Write saves the session (status 200) if the headers are not out yet.
func (rw *responseWriter) Write(p []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.failed {
		return 0, errResponseReplaced
	}
	return rw.ResponseWriter.Write(p)
}

// WriteString is Write for strings, without copying s when the underlying
// writer has WriteString too.
func (rw *responseWriter) WriteString(s string) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.failed {
		return 0, errResponseReplaced
	}
	return io.WriteString(rw.ResponseWriter, s)
}

// ReadFrom lets io.Copy use the underlying writer's sendfile path.
func (rw *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.failed {
		return 0, errResponseReplaced
	}
	return io.Copy(rw.ResponseWriter, r)
}

// Flush saves the session (status 200) if the headers are not out yet,
// then flushes.
func (rw *responseWriter) Flush() {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.failed {
		return
	}
	http.NewResponseController(rw.ResponseWriter).Flush()
}

// FlushError is Flush reporting the underlying error, for
// http.ResponseController.
func (rw *responseWriter) FlushError() error {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.failed {
		return errResponseReplaced
	}
	return http.NewResponseController(rw.ResponseWriter).Flush()
}

// Hijack hands over the connection after saving the session. A
// hijacked connection cannot carry a Set-Cookie header, so Hijack refuses
// (ErrHijackCookie, nothing saved) when the session needs a new cookie: a
// new session, CycleKey, Flush, or any change to a cookie-kept session.
// Save such changes in a normal response before upgrading. When the
// connection cannot be hijacked (HTTP/2), nothing is saved and the
// handler can still answer.
func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rw.failed {
		return nil, nil, errResponseReplaced
	}
	if !rw.wroteHeader {
		if !hookwriter.Hijackable(rw.ResponseWriter) {
			return nil, nil, fmt.Errorf("session: hijack: %w", http.ErrNotSupported)
		}
		if rw.sess.needsNewCookie() {
			rw.sess.m.Logger.LogAttrs(rw.req.Context(), slog.LevelError, ErrHijackCookie.Error())
			return nil, nil, ErrHijackCookie
		}
		rw.wroteHeader = true
		if !rw.commit(http.StatusSwitchingProtocols) {
			return nil, nil, errResponseReplaced
		}
	}
	conn, brw, err := http.NewResponseController(rw.ResponseWriter).Hijack()
	if err == nil {
		rw.hijacked = true
	}
	return conn, brw, err
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// finish saves the session of a handler that returned without writing.
func (rw *responseWriter) finish() {
	if !rw.wroteHeader && !rw.hijacked {
		rw.wroteHeader = true
		rw.commit(http.StatusOK)
	}
}
