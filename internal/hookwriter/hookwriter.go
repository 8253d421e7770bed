// Package hookwriter wraps an http.ResponseWriter so that a function runs
// once, just before the response's headers go out: the moment a middleware
// must add its Set-Cookie headers (messages, csrf).
package hookwriter

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Writer calls Before once, with the status code, before the headers are
// written: on the first WriteHeader (1xx other than 101 pass through),
// Write, ReadFrom, Flush or Hijack, or on Finish when the handler wrote
// nothing. It implements Unwrap so http.ResponseController keeps working.
type Writer struct {
	http.ResponseWriter
	// Before runs once before the headers go out. It may change
	// ResponseWriter.Header().
	Before func(code int)
	done   bool
}

// New wraps w.
func New(w http.ResponseWriter, before func(code int)) *Writer {
	return &Writer{ResponseWriter: w, Before: before}
}

func (w *Writer) fire(code int) {
	if !w.done {
		w.done = true
		w.Before(code)
	}
}

// WriteHeader runs the hook, then sends the status.
func (w *Writer) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.fire(code)
	w.ResponseWriter.WriteHeader(code)
}

// Write runs the hook (status 200) if the headers are not out yet.
func (w *Writer) Write(p []byte) (int, error) {
	w.fire(http.StatusOK)
	return w.ResponseWriter.Write(p)
}

// WriteString runs the hook (status 200) if needed and writes s without
// copying it when the underlying writer can (io.WriteString on a wrapper
// without this method would copy s into a new byte slice).
func (w *Writer) WriteString(s string) (int, error) {
	w.fire(http.StatusOK)
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom keeps the underlying writer's sendfile path.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	w.fire(http.StatusOK)
	return io.Copy(w.ResponseWriter, r)
}

// Flush runs the hook (status 200) if needed, then flushes.
func (w *Writer) Flush() { _ = w.FlushError() }

// FlushError is Flush reporting the underlying error.
func (w *Writer) FlushError() error {
	w.fire(http.StatusOK)
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack runs the hook (status 101) and hands over the connection. When
// no writer underneath can hijack (HTTP/2), it fails without running the
// hook, so the handler can still answer normally.
func (w *Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.done && !Hijackable(w.ResponseWriter) {
		return nil, nil, fmt.Errorf("hookwriter: hijack: %w", http.ErrNotSupported)
	}
	w.fire(http.StatusSwitchingProtocols)
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Hijackable reports whether w or a writer it wraps (through Unwrap) can
// hijack its connection.
func Hijackable(w http.ResponseWriter) bool {
	for {
		if _, ok := w.(http.Hijacker); ok {
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}

// Unwrap returns the wrapped writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Finish runs the hook for a handler that returned without writing.
func (w *Writer) Finish() { w.fire(http.StatusOK) }

// Fired reports whether the hook has run.
func (w *Writer) Fired() bool { return w.done }
